/**
 * @module backends/sftp/ops
 * Promise wrappers around the ssh2 SFTP calls the backend uses, with SFTP status codes
 * turned into the errors the rest of lifeboat understands: NO_SUCH_FILE carries code ENOENT
 * (so isNotFoundError works) and PERMISSION_DENIED is BackendAccessError("denied") naming
 * the path. Each call checks its signal first; reads also stop waiting when it aborts.
 */
import type { Attributes, FileEntryWithStats, SFTPWrapper } from "ssh2";
import { BackendAccessError } from "../errors.ts";

// SFTP v3 status codes (draft-ietf-secsh-filexfer-02, section 7).
const NO_SUCH_FILE = 2;
const PERMISSION_DENIED = 3;
const FAILURE = 4;

/** SftpError is a failed SFTP request, with a string code for the classification helpers. */
export class SftpError extends Error {
  readonly code: string;
  readonly status: number | undefined;
  constructor(message: string, code: string, status: number | undefined, cause: unknown) {
    super(message, { cause });
    this.name = "SftpError";
    this.code = code;
    this.status = status;
  }
}

/** mapSftpError turns an ssh2 error from request `op` on `path` into a classified error. */
export function mapSftpError(err: unknown, op: string, path: string): Error {
  const status = (err as { code?: unknown }).code;
  const text = err instanceof Error ? err.message : String(err);
  if (status === PERMISSION_DENIED) {
    return new BackendAccessError("denied", `sftp ${op} ${path}: permission denied by the server`, {
      hint: `check that the ssh user may write ${path} (ownership and mode of the folder)`,
      cause: err,
    });
  }
  if (status === NO_SUCH_FILE) return new SftpError(`sftp ${op} ${path}: no such file`, "ENOENT", status, err);
  const code = status === FAILURE ? "SFTP_FAILURE" : typeof status === "number" ? `SFTP_STATUS_${status}` : "SFTP_CONNECTION";
  return new SftpError(`sftp ${op} ${path}: ${text}`, code, typeof status === "number" ? status : undefined, err);
}

const dead = new WeakSet<SFTPWrapper>();
const deathWatchers = new WeakMap<SFTPWrapper, Set<() => void>>();

/**
 * markDead records that a session's connection is gone. ssh2 fails the requests it had
 * sent, but a request made afterwards would wait forever, so every later call fails fast.
 */
export function markDead(s: SFTPWrapper): void {
  dead.add(s);
  const watchers = deathWatchers.get(s);
  deathWatchers.delete(s);
  for (const w of watchers ?? []) w();
}

/** onDeath runs `fn` when `s` dies (at once if it is dead) and returns the unsubscribe. */
export function onDeath(s: SFTPWrapper, fn: () => void): () => void {
  if (dead.has(s)) {
    queueMicrotask(fn);
    return () => undefined;
  }
  let set = deathWatchers.get(s);
  if (!set) deathWatchers.set(s, (set = new Set()));
  set.add(fn);
  return () => set.delete(fn);
}

/** connectionLost is the (retryable) error of a request whose connection died. */
export const connectionLost = (op: string, path: string): SftpError =>
  new SftpError(`sftp ${op} ${path}: the connection was lost`, "ECONNRESET", undefined, undefined);

/**
 * call runs one callback-style request. With `race`, an abort rejects at once and the reply
 * is dropped; only requests without side effects worth undoing may race.
 */
export function call<T>(s: SFTPWrapper, op: string, path: string, signal: AbortSignal | undefined, race: boolean, fn: (cb: (err: Error | null | undefined, v: T) => void) => void): Promise<T> {
  signal?.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal!.reason);
    const stopWatching = onDeath(s, () => reject(connectionLost(op, path)));
    const done = () => {
      signal?.removeEventListener("abort", onAbort);
      stopWatching();
    };
    if (race) signal?.addEventListener("abort", onAbort, { once: true });
    try {
      fn((err, v) => {
        done();
        if (err) reject(mapSftpError(err, op, path));
        else resolve(v);
      });
    } catch (err) {
      // ssh2 throws synchronously when the channel is gone or an extension is missing.
      done();
      reject(mapSftpError(err, op, path));
    }
  });
}

export const stat = (s: SFTPWrapper, p: string, signal?: AbortSignal): Promise<Attributes> =>
  call(s, "stat", p, signal, true, (cb) => s.stat(p, cb));

export const readdir = (s: SFTPWrapper, p: string, signal?: AbortSignal): Promise<FileEntryWithStats[]> =>
  call(s, "readdir", p, signal, true, (cb) => s.readdir(p, cb));

export const openRead = (s: SFTPWrapper, p: string, signal?: AbortSignal): Promise<Buffer> =>
  call(s, "open", p, signal, false, (cb) => s.open(p, "r", cb));

/** openExclusive creates `p` (it must not exist), private to the user: it will hold ciphertext. */
export const openExclusive = (s: SFTPWrapper, p: string, signal?: AbortSignal): Promise<Buffer> =>
  call(s, "open", p, signal, false, (cb) => s.open(p, "wx", { mode: 0o600 }, cb));

export const fstat = (s: SFTPWrapper, h: Buffer, p: string, signal?: AbortSignal): Promise<Attributes> =>
  call(s, "fstat", p, signal, false, (cb) => s.fstat(h, cb));

export const fsync = (s: SFTPWrapper, h: Buffer, p: string): Promise<void> =>
  call(s, "fsync", p, undefined, false, (cb) => s.ext_openssh_fsync(h, (err) => cb(err, undefined)));

export const close = (s: SFTPWrapper, h: Buffer, p: string): Promise<void> =>
  call(s, "close", p, undefined, false, (cb) => s.close(h, (err) => cb(err, undefined)));

export const unlink = (s: SFTPWrapper, p: string, signal?: AbortSignal): Promise<void> =>
  call(s, "remove", p, signal, false, (cb) => s.unlink(p, (err) => cb(err, undefined)));

export const mkdir = (s: SFTPWrapper, p: string, signal?: AbortSignal): Promise<void> =>
  call(s, "mkdir", p, signal, false, (cb) => s.mkdir(p, { mode: 0o700 }, (err) => cb(err, undefined)));

/** rename is SFTP's plain rename: OpenSSH's server refuses to replace an existing file. */
export const rename = (s: SFTPWrapper, from: string, to: string): Promise<void> =>
  call(s, "rename", to, undefined, false, (cb) => s.rename(from, to, (err) => cb(err, undefined)));

/** posixRename replaces `to` atomically (posix-rename@openssh.com). */
export const posixRename = (s: SFTPWrapper, from: string, to: string): Promise<void> =>
  call(s, "rename", to, undefined, false, (cb) => s.ext_openssh_rename(from, to, (err) => cb(err, undefined)));

/** hasExtension tells whether the server announced an OpenSSH extension at version 1. */
export function hasExtension(s: SFTPWrapper, name: "fsync@openssh.com" | "posix-rename@openssh.com"): boolean {
  const ext = (s as unknown as { _extensions?: Record<string, string> })._extensions;
  return ext?.[name] === "1";
}

const S_IFMT = 0o170000;
/** isRegular and isDir read the file type bits of SFTP attributes. */
export const isRegular = (a: Attributes): boolean => (a.mode & S_IFMT) === 0o100000;
export const isDir = (a: Attributes): boolean => (a.mode & S_IFMT) === 0o040000;
