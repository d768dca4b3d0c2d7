/**
 * @module errors
 * Error classes the CLI maps to exit codes, and the exit-code table itself.
 * Throw these where a caller (usually cli/main) must branch; wrap everything else with
 * `new Error("op", { cause })`.
 */

/** ExitCode is the documented process exit status (docs/cli-json.md, README). */
export const ExitCode = {
  ok: 0,
  fatal: 1,
  partial: 3,
  noRepository: 10,
  lockFailed: 11,
  wrongPassword: 12,
  unreachable: 13,
  accessDenied: 14,
  hostKey: 15,
  /** `lifeboat drift`: the agent's files break a drift rule. */
  drift: 4,
  /** `lifeboat drill`: a snapshot did not restore and verify in the sandbox. */
  drillFailed: 5,
  /** A signed record (a drift approval) was edited, forged or removed. */
  tampered: 16,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** LifeboatError is a user-facing failure: one line of message, an optional hint, an exit code. */
export class LifeboatError extends Error {
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;
  constructor(message: string, opts: { exitCode?: ExitCode; hint?: string; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = "LifeboatError";
    this.exitCode = opts.exitCode ?? ExitCode.fatal;
    this.hint = opts.hint;
  }
}

export class RepositoryNotFoundError extends LifeboatError {
  constructor(location: string, cause?: unknown) {
    super(`no repository at ${location}`, {
      exitCode: ExitCode.noRepository,
      hint: "check --repo / LIFEBOAT_REPOSITORY, or create one with `lifeboat init`",
      cause,
    });
    this.name = "RepositoryNotFoundError";
  }
}

export class WrongPasswordError extends LifeboatError {
  /** Key files that are damaged: one of them may have been this password's. */
  readonly damagedKeys: string[];
  constructor(damagedKeys: string[] = []) {
    const first = damagedKeys[0]?.slice(0, 8);
    super(first === undefined
      ? "wrong password: no key in the repository opens with it"
      : `wrong password, or a damaged key: no key in the repository opens with it, and key file keys/${damagedKeys.join(", keys/")} is damaged (its bytes do not match its name)`, {
      exitCode: ExitCode.wrongPassword,
      ...(first === undefined ? {} : { hint: `if it was this password's key, open the repository with another password and run \`lifeboat key remove ${first}\`` }),
    });
    this.name = "WrongPasswordError";
    this.damagedKeys = damagedKeys;
  }
}

export class LockError extends LifeboatError {
  constructor(message: string, cause?: unknown) {
    super(message, {
      exitCode: ExitCode.lockFailed,
      hint: "wait with --lock-wait DURATION, or remove stale locks with `lifeboat unlock`",
      cause,
    });
    this.name = "LockError";
  }
}

/** IntegrityError: stored bytes do not authenticate or do not match their name. */
export class IntegrityError extends Error {
  readonly object: string;
  constructor(object: string, message: string, cause?: unknown) {
    super(`${object}: ${message}`, { cause });
    this.name = "IntegrityError";
    this.object = object;
  }
}

/** isAbortError is true for the rejection of an aborted operation, also when wrapped as a cause. */
export function isAbortError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e.name === "AbortError" || (e as { code?: string }).code === "ABORT_ERR") return true;
  }
  return false;
}

/** lifeboatErrorIn finds a LifeboatError anywhere in an error's cause chain (a wrapped backend error keeps its exit code). */
export function lifeboatErrorIn(err: unknown): LifeboatError | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e instanceof LifeboatError) return e;
  }
  return undefined;
}

/** exitCodeOf is the documented exit code for an error. */
export function exitCodeOf(err: unknown): ExitCode {
  if (isAbortError(err)) return ExitCode.interrupted;
  return lifeboatErrorIn(err)?.exitCode ?? ExitCode.fatal;
}

/** describeError flattens an error and its causes into one line. */
export function describeError(err: unknown): string {
  if (isAbortError(err)) return "interrupted";
  const parts: string[] = [];
  for (let e: unknown = err; e && parts.length < 4; e = (e as Error).cause) {
    const m = e instanceof Error ? e.message : String(e);
    if (!parts.some((p) => p.includes(m))) parts.push(m);
    if (e instanceof LifeboatError && !(e.cause instanceof LifeboatError)) break;
  }
  return parts.join(": ").replace(/\s+/g, " ");
}
