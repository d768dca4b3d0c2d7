/**
 * @module backends/wrappers
 * wrapBackend stacks the standard wrappers around a raw backend in one fixed order, so
 * every command gets the same behaviour:
 *
 *   raw → log → limit → innerTestHook → retry → read-only → testHook
 *
 * The log sees every attempt (retries included); the limit bounds attempts in flight but
 * frees the slot while retry sleeps; a fault injected by innerTestHook is retried like a
 * real one; read-only refuses writes before any attempt; testHook sees what callers see.
 */
import type { Backend } from "../backend.ts";
import { withLimit, withLog, withReadOnly, formatLogLine, type LogLine } from "./policies.ts";
import { withRetry, type RetryOptions } from "./retry.ts";

export { withRetry, type RetryInfo, type RetryOptions } from "./retry.ts";
export { withLimit, withLog, withReadOnly, formatLogLine, ReadOnlyError, type LogLine } from "./policies.ts";

export interface WrapOptions {
  /** Retry settings, or false to disable retrying (tests of raw failures). */
  readonly retry?: RetryOptions | false;
  /** Calls in flight at once; default: the backend's `properties.connections`. */
  readonly connections?: number;
  /** Refuse create, save and remove. */
  readonly readOnly?: boolean;
  /** Receives one line per finished call (each retry attempt too). */
  readonly log?: (line: LogLine) => void;
  /** Tests only: wraps the raw backend, inside retry (as restic's backendInnerTestHook). */
  readonly innerTestHook?: (be: Backend) => Backend;
  /** Tests only: wraps the finished stack, outside retry (as restic's backendTestHook). */
  readonly testHook?: (be: Backend) => Backend;
}

/** wrapBackend returns `be` with the standard wrappers applied in the documented order. */
export function wrapBackend(be: Backend, opts: WrapOptions = {}): Backend {
  let out = opts.log ? withLog(be, opts.log) : be;
  out = withLimit(out, opts.connections ?? be.properties.connections);
  if (opts.innerTestHook) out = opts.innerTestHook(out);
  if (opts.retry !== false) out = withRetry(out, opts.retry);
  if (opts.readOnly) out = withReadOnly(out);
  return opts.testHook ? opts.testHook(out) : out;
}

/**
 * wrapOptionsFromEnv reads the environment switches the CLI honours:
 * LIFEBOAT_BACKEND_LOG=1 logs every backend call to stderr.
 */
export function wrapOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): WrapOptions {
  if (!env.LIFEBOAT_BACKEND_LOG) return {};
  return { log: (line) => process.stderr.write(formatLogLine(line) + "\n") };
}
