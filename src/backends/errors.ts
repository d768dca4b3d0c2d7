/**
 * @module backends/errors
 * Error classes and classification helpers shared by every backend, so isNotFound and
 * isPermanent agree across local, mem and later remote backends. Classification walks the
 * `cause` chain: a caller that wraps a backend error keeps its meaning.
 */
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
