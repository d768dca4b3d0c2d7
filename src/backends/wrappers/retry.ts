/**
 * @module backends/wrappers/retry
 * withRetry makes a backend ride out transient failures (a dropped connection, a busy
 * server) by repeating an operation with exponential backoff and jitter. It never retries
 * what a retry cannot fix: permanent errors, missing objects, and aborts.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { isAbortError } from "../../errors/index.ts";
import type { Backend, FileInfo, FileType, Handle, IoOptions, LoadRange } from "../backend.ts";
import { classifyError } from "../errors.ts";

/** RetryInfo describes one failed attempt that will be retried after `delayMs`. */
export interface RetryInfo {
  readonly op: "create" | "save" | "load" | "stat" | "list" | "remove";
  /** The object, or `{ type, name: "" }` for list; absent for create. */
  readonly handle?: Handle;
  /** 1-based number of the attempt that failed. */
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: unknown;
}

export interface RetryOptions {
  /** Total attempts, including the first (default 5). 1 disables retrying. */
  readonly attempts?: number;
  /** Delay before the first retry; doubles each time (default 100 ms). */
  readonly baseDelayMs?: number;
  /** Cap on a single delay (default 5000 ms). */
  readonly maxDelayMs?: number;
  /** Called before each backoff sleep, e.g. to report "retrying in 400 ms". */
  readonly onRetry?: (info: RetryInfo) => void;
}

/**
 * withRetry wraps `be` so each operation is retried up to `attempts` times. An operation
 * fails at once on an error for which be.isPermanent or be.isNotFound is true, on an abort,
 * or once its signal is aborted; the error thrown is always the last one, unchanged. A
 * retried list() skips names it already yielded, so a caller sees each object once.
 */
export function withRetry(be: Backend, opts: RetryOptions = {}): Backend {
  const { attempts = 5, baseDelayMs = 100, maxDelayMs = 5000, onRetry } = opts;

  /** pause rethrows `error` unless it is worth another attempt, then sleeps the backoff. */
  async function pause(info: Omit<RetryInfo, "delayMs">, signal?: AbortSignal): Promise<void> {
    const { error, attempt } = info;
    if (attempt >= attempts || signal?.aborted || isAbortError(error)) throw error;
    if (classifyError(be, error) !== "retryable") throw error;
    const exp = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
    const delayMs = Math.round(exp / 2 + (Math.random() * exp) / 2);
    onRetry?.({ ...info, delayMs });
    await sleep(delayMs, undefined, { signal });
  }

  async function run<T>(op: RetryInfo["op"], handle: Handle | undefined, o: IoOptions | undefined, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        await pause({ op, handle, attempt, error }, o?.signal);
      }
    }
  }

  async function* list(type: FileType, o?: IoOptions): AsyncGenerator<FileInfo> {
    const seen = new Set<string>();
    for (let attempt = 1; ; attempt++) {
      try {
        for await (const fi of be.list(type, o)) {
          if (seen.has(fi.name)) continue;
          seen.add(fi.name);
          yield fi;
        }
        return;
      } catch (error) {
        await pause({ op: "list", handle: { type, name: "" }, attempt, error }, o?.signal);
      }
    }
  }

  return {
    properties: be.properties,
    create: (o?: IoOptions) => run("create", undefined, o, () => be.create(o)),
    save: (h: Handle, body: Uint8Array, o?: IoOptions) => run("save", h, o, () => be.save(h, body, o)),
    load: (h: Handle, range?: LoadRange, o?: IoOptions) => run("load", h, o, () => be.load(h, range, o)),
    stat: (h: Handle, o?: IoOptions) => run("stat", h, o, () => be.stat(h, o)),
    list,
    remove: (h: Handle, o?: IoOptions) => run("remove", h, o, () => be.remove(h, o)),
    isNotFound: (err: unknown) => be.isNotFound(err),
    isPermanent: (err: unknown) => be.isPermanent(err),
    close: () => be.close(),
  };
}
