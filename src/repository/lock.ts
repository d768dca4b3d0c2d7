/**
 * @module repository/lock
 * Repository locks (restic's protocol, hardened for shared remote storage; docs/design.md §8).
 * Backup and check take shared locks; forget, prune and key changes take an exclusive one.
 * A lock object records host, pid and times and is replaced by a fresh one every refresh
 * interval. A lock is stale when its pid is dead on this host, or when it has not been
 * refreshed for 30 minutes. Age is measured on the storage's clock when the backend reports
 * modification times, so hosts whose clocks disagree still agree on which locks are stale.
 */
import { randomBytes } from "node:crypto";
import { hostname, userInfo } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import type { Backend, FileInfo } from "../backends/backend.ts";
import { LockError } from "../errors/index.ts";
import { decodeObject, encodeObject, sha256hex } from "./objects.ts";
import { pidAlive } from "../util/process.ts";

export interface LockInfo {
  time: string;
  created: string;
  exclusive: boolean;
  host: string;
  pid: number;
  username: string;
  nonce: string;
}

export interface LockTimings {
  staleMs: number;
  refreshMs: number;
  /**
   * Pause between writing our lock and re-checking, so racing creators see each other; never
   * longer than the backend's `listLagMs` (design.md §8).
   */
  settleMs: number;
  retryMs: number;
}

export const DEFAULT_LOCK_TIMINGS: LockTimings = {
  staleMs: 30 * 60_000,
  refreshMs: 5 * 60_000,
  settleMs: 200,
  retryMs: 1000,
};

/** lockTimings allows tests to shorten the intervals through the environment. */
export function lockTimings(): LockTimings {
  const refresh = Number(process.env.LIFEBOAT_LOCK_REFRESH_MS);
  return refresh > 0 ? { ...DEFAULT_LOCK_TIMINGS, refreshMs: refresh } : DEFAULT_LOCK_TIMINGS;
}

export interface FoundLock {
  name: string;
  info: LockInfo | null;
  stale: boolean;
}

/**
 * isStale decides whether a lock may be ignored and removed. `ageMs`, when given, is the
 * lock object's age on the storage's clock and replaces the lock's own (writer-clock) time.
 */
export function isStale(info: LockInfo, now: number, staleMs: number, ageMs?: number): boolean {
  if ((ageMs ?? now - Date.parse(info.time)) > staleMs) return true;
  if (info.host !== hostname()) return false;
  return !pidAlive(info.pid);
}

/** storageAge is `fi`'s age on the storage clock, when both times are known. */
function storageAge(fi: FileInfo, storageNowMs: number | undefined): number | undefined {
  return storageNowMs === undefined || fi.mtimeMs === undefined ? undefined : storageNowMs - fi.mtimeMs;
}


/**
 * listLocks reads every lock; an unreadable one counts as live until its object is old.
 * `storageNowMs` is "now" on the storage's clock (the mtime of an object we just wrote);
 * without it ages fall back to this host's clock and each lock's own time.
 */
export async function listLocks(be: Backend, key: Uint8Array, timings: LockTimings, signal?: AbortSignal, storageNowMs?: number): Promise<FoundLock[]> {
  const out: FoundLock[] = [];
  const now = Date.now();
  for await (const fi of be.list("lock", { signal })) {
    const age = storageAge(fi, storageNowMs);
    try {
      const bytes = await be.load({ type: "lock", name: fi.name }, undefined, { signal });
      const info = decodeObject<LockInfo>(key, "lock", bytes, fi.name);
      out.push({ name: fi.name, info, stale: isStale(info, now, timings.staleMs, age) });
    } catch (err) {
      if (be.isNotFound(err)) continue; // released while we listed
      const old = (age ?? (fi.mtimeMs === undefined ? 0 : now - fi.mtimeMs)) > timings.staleMs;
      out.push({ name: fi.name, info: null, stale: old });
    }
  }
  return out;
}

export interface LockOptions {
  exclusive: boolean;
  /** How long to keep retrying while another process holds a conflicting lock. */
  waitMs?: number;
  signal?: AbortSignal | undefined;
  timings?: LockTimings;
}

/**
 * Lock is a held lock; release() MUST be called (use try/finally). `lost` aborts when the
 * lock object disappears (another host judged it stale, or `unlock --remove-all` ran), so
 * the work it protects stops instead of racing a prune.
 */
export class Lock {
  private name: string;
  private readonly lostCtl = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private refreshing: Promise<void> = Promise.resolve();
  private readonly be: Backend;
  private readonly key: Uint8Array;
  private info: LockInfo;

  constructor(be: Backend, key: Uint8Array, name: string, info: LockInfo, refreshMs: number) {
    this.be = be;
    this.key = key;
    this.name = name;
    this.info = info;
    this.timer = setInterval(() => { this.refreshing = this.refresh(); }, refreshMs);
    this.timer.unref();
  }

  get objectName(): string {
    return this.name;
  }

  /** lost is aborted (reason: a LockError) once the lock object was removed by someone else. */
  get lost(): AbortSignal {
    return this.lostCtl.signal;
  }

  /** refresh checks the lock still exists, writes a new object with a new time, then removes the old one. */
  private async refresh(): Promise<void> {
    const info = { ...this.info, time: new Date().toISOString() };
    try {
      if (!(await this.stillThere())) return;
      const name = await writeLock(this.be, this.key, info);
      const old = this.name;
      this.name = name;
      this.info = info;
      await this.be.remove({ type: "lock", name: old });
    } catch {
      // A failed refresh is retried at the next interval; the lock only goes stale after 30 min.
    }
  }

  private async stillThere(): Promise<boolean> {
    try {
      await this.be.stat({ type: "lock", name: this.name });
      return true;
    } catch (err) {
      if (!this.be.isNotFound(err)) throw err;
      clearInterval(this.timer);
      this.lostCtl.abort(new LockError(`lost the repository lock: lock ${this.name.slice(0, 8)} was removed by another process`));
      return false;
    }
  }

  async release(): Promise<void> {
    clearInterval(this.timer);
    await this.refreshing;
    await this.be.remove({ type: "lock", name: this.name });
  }
}

async function writeLock(be: Backend, key: Uint8Array, info: LockInfo, signal?: AbortSignal): Promise<string> {
  const bytes = encodeObject(key, "lock", info);
  const name = sha256hex(bytes);
  await be.save({ type: "lock", name }, bytes, { signal });
  return name;
}

function conflicts(mine: boolean, found: FoundLock[], ownName?: string): FoundLock | undefined {
  return found.find((l) => l.name !== ownName && !l.stale && (mine || l.info === null || l.info.exclusive));
}

function describe(l: FoundLock): string {
  if (!l.info) return `an unreadable lock ${l.name.slice(0, 8)}`;
  const kind = l.info.exclusive ? "an exclusive" : "a shared";
  return `${kind} lock held by pid ${l.info.pid} on ${l.info.host} since ${l.info.created}`;
}

/** acquireLock takes a lock or throws LockError once `waitMs` has passed. */
export async function acquireLock(be: Backend, key: Uint8Array, opts: LockOptions): Promise<Lock> {
  const t = opts.timings ?? lockTimings();
  const deadline = Date.now() + (opts.waitMs ?? 0);
  const now = new Date().toISOString();
  const info: LockInfo = {
    time: now, created: now, exclusive: opts.exclusive, host: hostname(), pid: process.pid,
    username: safeUser(), nonce: randomBytes(8).toString("hex"),
  };
  for (;;) {
    opts.signal?.throwIfAborted();
    const blocker = await tryLock(be, key, info, t, opts.signal);
    if (typeof blocker === "string") return new Lock(be, key, blocker, info, t.refreshMs);
    if (Date.now() + t.retryMs > deadline) {
      throw new LockError(`repository is locked: ${describe(blocker)}`);
    }
    await sleep(t.retryMs, undefined, { signal: opts.signal });
  }
}

/**
 * tryLock returns our lock's name, or the lock that blocks us (after removing ours). It
 * writes first and looks second: of two lockers racing, the one that lists last sees the
 * other's object once listing has caught up with its save (the settle pause, as long as the
 * backend's listing may lag), and backs off if they conflict. Our own
 * object's mtime tells "now" on the storage's clock, which the staleness check uses.
 */
async function tryLock(be: Backend, key: Uint8Array, info: LockInfo, t: LockTimings, signal?: AbortSignal, attempt = 0): Promise<string | FoundLock> {
  const name = await writeLock(be, key, info, signal);
  try {
    let storageNow: number | undefined;
    try {
      storageNow = (await be.stat({ type: "lock", name }, { signal })).mtimeMs;
    } catch (err) {
      // Removed between our save and this stat (`unlock --remove-all`): lock again.
      if (!be.isNotFound(err) || attempt >= 2) throw err;
      return await tryLock(be, key, info, t, signal, attempt + 1);
    }
    // Only as long as the backend's listing may lag: with none, of two racing lockers the
    // one that lists last sees the other, which is all the protocol needs (design.md §8).
    const settle = Math.min(t.settleMs, be.properties.listLagMs ?? t.settleMs);
    if (settle > 0) await sleep(settle, undefined, { signal });
    const after = conflicts(info.exclusive, await listLocks(be, key, t, signal, storageNow), name);
    if (!after) return name;
    await be.remove({ type: "lock", name });
    return after;
  } catch (err) {
    await be.remove({ type: "lock", name }).catch(() => undefined);
    throw err;
  }
}

function safeUser(): string {
  try { return userInfo().username; } catch { return "unknown"; }
}
