/**
 * @module backends/wrappers/policies
 * The small wrappers every command stacks around a backend: a bound on concurrent calls
 * (remote servers throttle or drop connections past a point), a read-only mode (for
 * append-only credentials and inspection commands), and a call log for diagnosing a slow or
 * failing remote repository.
 */
import { LifeboatError } from "../../errors/index.ts";
import { Semaphore } from "../../util/semaphore.ts";
import type { Backend, Handle } from "../backend.ts";
import { describeHandle } from "../errors.ts";
import { intercept, type BackendOp } from "./intercept.ts";

/** withLimit lets at most `n` calls run at once; the rest wait their turn in order. */
export function withLimit(be: Backend, n: number): Backend {
  const sem = new Semaphore(Math.max(1, Math.floor(n)));
  return intercept(be, (_op, _h, fn) => sem.run(fn));
}

/** ReadOnlyError: a write was attempted through a read-only backend. Permanent. */
export class ReadOnlyError extends LifeboatError {
  readonly code = "EROFS";
  constructor(op: BackendOp, h: Handle) {
    super(`repository is opened read-only: refused to ${op} ${describeHandle(h)}`, {
      hint: "run the command without --read-only, with credentials that may write",
    });
    this.name = "ReadOnlyError";
  }
}

const WRITES: ReadonlySet<BackendOp> = new Set(["create", "save", "remove"]);

/** withReadOnly rejects create, save and remove before they reach the storage. */
export function withReadOnly(be: Backend): Backend {
  return intercept(
    be,
    async (op, h, fn) => {
      if (WRITES.has(op)) throw new ReadOnlyError(op, h);
      return await fn();
    },
    { ...be.properties, readOnly: true },
  );
}

/** LogLine is one finished backend call. */
export interface LogLine {
  readonly op: BackendOp;
  readonly handle: Handle;
  readonly ms: number;
  readonly error?: unknown;
}

/** withLog reports every call (after it ends) to `sink`, with its duration and error. */
export function withLog(be: Backend, sink: (line: LogLine) => void): Backend {
  return intercept(be, async (op, handle, fn) => {
    const started = performance.now();
    try {
      const out = await fn();
      sink({ op, handle, ms: performance.now() - started });
      return out;
    } catch (error) {
      sink({ op, handle, ms: performance.now() - started, error });
      throw error;
    }
  });
}

/** formatLogLine renders a LogLine for stderr, e.g. `backend: load pack 3fa2… 12 ms`. */
export function formatLogLine(l: LogLine): string {
  const h = l.op === "list" ? `${l.handle.type} objects` : describeHandle(l.handle).replace(/([0-9a-f]{8})[0-9a-f]+/, "$1…");
  const err = l.error === undefined ? "" : ` failed: ${l.error instanceof Error ? l.error.message : String(l.error)}`;
  return `backend: ${l.op} ${h} ${Math.round(l.ms)} ms${err}`;
}
