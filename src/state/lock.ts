/**
 * @module state/lock
 * An exclusive lock beside a state file: `<file>.lock`, created with O_EXCL so exactly one
 * writer holds it. It records pid, host and a nonce. A lock is stale when its process is
 * gone (same host) or it is older than `staleMs` (writers hold it for milliseconds). Breaking
 * a stale lock takes a second O_EXCL file, `<file>.break.lock`, and re-reads the lock first,
 * so two writers that both saw it stale cannot delete a lock a third one just took.
 * Both names end in `.lock`, which backups and `lifeboat watch` leave out (model VOLATILE).
 */
import { randomBytes } from "node:crypto";
import { open, readFile, stat, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { LifeboatError } from "../errors/index.ts";
import { pidAlive } from "../util/process.ts";

export interface LockOptions {
  /** How long to keep retrying a held lock before giving up. Default 10 s. */
  waitMs?: number | undefined;
  /** Age after which a lock is stale whoever holds it. Default 30 s. */
  staleMs?: number | undefined;
  signal?: AbortSignal | undefined;
  /** What to tell the user when the lock stays held (default: wait longer with --wait). */
  heldHint?: string | undefined;
}

export const DEFAULT_LOCK_WAIT_MS = 10_000;
export const DEFAULT_STALE_MS = 30_000;

interface Seen {
  raw: string;
  mtimeMs: number;
  info: { pid?: number; host?: string; nonce?: string } | null;
}

/** withFileLock runs fn holding `<file>.lock`; fn learns whether a stale lock was broken (a writer crashed). */
export async function withFileLock<T>(file: string, opts: LockOptions, fn: (brokeStale: boolean) => Promise<T>): Promise<T> {
  const path = `${file}.lock`;
  const { nonce, broke } = await acquire(path, opts);
  try {
    return await fn(broke);
  } finally {
    await release(path, nonce);
  }
}

async function acquire(path: string, opts: LockOptions): Promise<{ nonce: string; broke: boolean }> {
  const nonce = randomBytes(8).toString("hex");
  const deadline = Date.now() + (opts.waitMs ?? DEFAULT_LOCK_WAIT_MS);
  let broke = false;
  for (let attempt = 0; ; attempt++) {
    opts.signal?.throwIfAborted();
    if (await tryCreate(path, nonce)) return { nonce, broke };
    const seen = await readLock(path);
    if (seen === null) continue;
    if (isStale(seen, opts.staleMs ?? DEFAULT_STALE_MS)) {
      broke = (await breakLock(path, seen)) || broke;
      continue;
    }
    if (Date.now() > deadline) throw heldError(path, seen, opts.heldHint);
    // Writers hold the lock for a few ms: poll fast, with jitter so waiters do not move in step.
    await sleep(Math.min(2 + attempt * 2, 25) * (0.5 + Math.random()), undefined, { signal: opts.signal });
  }
}

async function tryCreate(path: string, nonce: string): Promise<boolean> {
  try {
    const fh = await open(path, "wx", 0o644);
    try {
      await fh.writeFile(JSON.stringify({ pid: process.pid, host: hostname(), time: new Date().toISOString(), nonce }) + "\n");
    } finally {
      await fh.close();
    }
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw new LifeboatError(`cannot create the lock ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { hint: "check that the state file's folder is writable", cause: err });
  }
}

/** readLock returns the lock's content and age, or null when it vanished meanwhile. */
async function readLock(path: string): Promise<Seen | null> {
  try {
    const [raw, st] = await Promise.all([readFile(path, "utf8"), stat(path)]);
    let info: Seen["info"] = null;
    // An empty lock is one whose writer has not written it yet (or died before): judged by age.
    try { info = JSON.parse(raw) as Seen["info"]; } catch { info = null; }
    return { raw, mtimeMs: st.mtimeMs, info };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
}

function isStale(s: Seen, staleMs: number): boolean {
  if (Date.now() - s.mtimeMs > staleMs) return true;
  return s.info?.host === hostname() && typeof s.info.pid === "number" && !pidAlive(s.info.pid);
}

/** breakLock removes the stale lock `seen` unless it changed meanwhile; true when it did remove it. */
async function breakLock(path: string, seen: Seen): Promise<boolean> {
  const guard = path.replace(/\.lock$/, ".break.lock");
  if (!(await tryCreate(guard, "break"))) {
    // A breaker that died leaves its guard behind; it is only ever held for a moment.
    const g = await readLock(guard);
    if (g && Date.now() - g.mtimeMs > 5_000) await unlink(guard).catch(() => undefined);
    await sleep(5);
    return false;
  }
  try {
    const again = await readLock(path);
    if (again === null || again.raw !== seen.raw || again.mtimeMs !== seen.mtimeMs) return false;
    await unlink(path).catch(() => undefined);
    return true;
  } finally {
    await unlink(guard).catch(() => undefined);
  }
}

/** release removes the lock only while it is still ours (a writer past staleMs may have lost it). */
async function release(path: string, nonce: string): Promise<void> {
  const seen = await readLock(path);
  if (seen?.info?.nonce === nonce) await unlink(path).catch(() => undefined);
}

function heldError(path: string, s: Seen, hint = "wait longer with --wait"): LifeboatError {
  const who = s.info?.pid ? `pid ${s.info.pid} on ${s.info.host ?? "?"}` : "another writer";
  return new LifeboatError(`${path.slice(0, -5)} is locked by ${who}`, {
    hint: `${hint}, or if no such process runs, remove ${path}`,
  });
}
