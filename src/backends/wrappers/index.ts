/**
 * @module backends/wrappers
 * wrapBackend stacks the standard wrappers around a raw backend in one fixed order, so
 * every command gets the same behaviour: raw → innerTestHook → retry → testHook.
 * A fault injected by innerTestHook is retried like a real one; testHook sees what callers see.
 */
import type { Backend } from "../backend.ts";
import { withRetry, type RetryOptions } from "./retry.ts";

export { withRetry, type RetryInfo, type RetryOptions } from "./retry.ts";

export interface WrapOptions {
  /** Retry settings, or false to disable retrying (tests of raw failures). */
  readonly retry?: RetryOptions | false;
  /** Tests only: wraps the raw backend, inside retry (as restic's backendInnerTestHook). */
  readonly innerTestHook?: (be: Backend) => Backend;
  /** Tests only: wraps the finished stack, outside retry (as restic's backendTestHook). */
  readonly testHook?: (be: Backend) => Backend;
}

/** wrapBackend returns `be` with retry (and any test hooks) applied in the documented order. */
export function wrapBackend(be: Backend, opts: WrapOptions = {}): Backend {
  let out = opts.innerTestHook ? opts.innerTestHook(be) : be;
  if (opts.retry !== false) out = withRetry(out, opts.retry);
  return opts.testHook ? opts.testHook(out) : out;
}
