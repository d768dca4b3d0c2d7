/**
 * @module backends/errors
 * Error classes and classification helpers shared by every backend, so isNotFound and
 * isPermanent agree across local, mem and later remote backends. Classification walks the
 * `cause` chain: a caller that wraps a backend error keeps its meaning.
 */
import { ExitCode, LifeboatError } from "../errors/index.ts";
import type { Handle } from "./backend.ts";

/** Filesystem codes a retry cannot fix: the disk is full or read-only, or access is denied. */
export const PERMANENT_CODES: ReadonlySet<string> = new Set([
  "ENOSPC",
  "EACCES",
  "EPERM",
  "EROFS",
  "EDQUOT",
  "ENOTDIR",
  "EISDIR",
]);

/** describeHandle renders a handle for messages, e.g. `pack 3fa2…`. */
export function describeHandle(h: Handle): string {
  return h.type === "config" ? "config" : `${h.type} ${h.name}`;
}

/** NotFoundError: the object does not exist. Carries code ENOENT like its fs counterpart. */
export class NotFoundError extends Error {
  readonly code = "ENOENT";
  constructor(h: Handle, cause?: unknown) {
    super(`${describeHandle(h)} not found`, { cause });
    this.name = "NotFoundError";
  }
}

/** ObjectExistsError: save or create refused to replace an object (the repository `config`). */
export class ObjectExistsError extends Error {
  readonly code = "EEXIST";
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = "ObjectExistsError";
  }
}

/** RangeNotSatisfiableError: a ranged load starts at or beyond the end of the object. */
export class RangeNotSatisfiableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RangeNotSatisfiableError";
  }
}

/** InvalidHandleError: the handle names no valid object (bad type or non-hex name). */
export class InvalidHandleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidHandleError";
  }
}

/** errorChain yields `err` and each `cause` below it (bounded, in case of a cycle). */
export function* errorChain(err: unknown): Generator<unknown> {
  for (let e = err, depth = 0; e !== undefined && e !== null && depth < 16; depth++) {
    yield e;
    e = (e as { cause?: unknown }).cause;
  }
}

/** errorCodes returns every string `code` along the cause chain. */
export function errorCodes(err: unknown): string[] {
  const codes: string[] = [];
  for (const e of errorChain(err)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") codes.push(code);
  }
  return codes;
}

/** isNotFoundError is true when some error in the chain has code ENOENT. */
export function isNotFoundError(err: unknown): boolean {
  return errorCodes(err).includes("ENOENT");
}

/**
 * isPermanentError is true for errors a retry cannot fix: a permanent fs code, or one of
 * the classes above (an existing config stays existing; a bad range stays bad).
 */
export function isPermanentError(err: unknown): boolean {
  if (errorCodes(err).some((c) => PERMANENT_CODES.has(c))) return true;
  for (const e of errorChain(err)) {
    if (e instanceof BackendAccessError) return e.problem !== "unreachable";
    if (
      e instanceof ObjectExistsError ||
      e instanceof RangeNotSatisfiableError ||
      e instanceof InvalidHandleError
    ) {
      return true;
    }
  }
  return false;
}

/**
 * AccessProblem names why a remote repository could not be reached or used. Backends throw
 * BackendAccessError with one of these so the CLI can exit with a distinct code and a fix.
 */
export type AccessProblem = "unreachable" | "auth" | "denied" | "host-key" | "no-bucket";

const ACCESS_EXIT: Record<AccessProblem, ExitCode> = {
  unreachable: ExitCode.unreachable,
  auth: ExitCode.accessDenied,
  denied: ExitCode.accessDenied,
  "host-key": ExitCode.hostKey,
  "no-bucket": ExitCode.noRepository,
};

/**
 * BackendAccessError: the repository's host or service refused us or could not be reached.
 * Only "unreachable" is worth a retry; the others need the user to change something.
 */
export class BackendAccessError extends LifeboatError {
  readonly problem: AccessProblem;
  constructor(problem: AccessProblem, message: string, opts: { hint?: string; cause?: unknown } = {}) {
    super(message, { exitCode: ACCESS_EXIT[problem], hint: opts.hint, cause: opts.cause });
    this.name = "BackendAccessError";
    this.problem = problem;
  }
}

/** ErrorClass is how the retry wrapper and callers treat a failed backend call. */
export type ErrorClass = "retryable" | "permanent" | "not-found";

/** classifyError sorts a backend error using the backend's own isNotFound/isPermanent. */
export function classifyError(be: { isNotFound(e: unknown): boolean; isPermanent(e: unknown): boolean }, err: unknown): ErrorClass {
  if (be.isNotFound(err)) return "not-found";
  return be.isPermanent(err) ? "permanent" : "retryable";
}
