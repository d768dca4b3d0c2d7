/**
 * @module backup/session
 * What every backup (paths or agent) does around its capture: take a shared lock, load the
 * index, index the packs a killed run left behind (so they are reused), and release the lock
 * whatever happens.
 */
import { userInfo } from "node:os";
import { LifeboatError } from "../errors/index.ts";
import type { HeldLock, Repository } from "../repository/repository.ts";
import { indexOrphanPacks } from "../repository/recover.ts";
import type { ArchiverRepo } from "./archiver.ts";
import { mark } from "../util/trace.ts";

/** BackupSession is what an early session hands its work. */
export interface BackupSession {
  /** Aborts when the caller's signal does, when the lock cannot be taken, or when it is lost. */
  signal: AbortSignal;
  /**
   * Resolves once the lock is held and the index is loaded. Work MUST await it before it
   * reads the repository (trees, `index.has`) or writes anything: `withUploader({ ready })`
   * does so for blobs, and its return comes after `ready`.
   */
  ready: Promise<void>;
}

/**
 * withBackupSession runs `fn` under a shared lock, once the index is loaded. `fn` gets a
 * signal that also aborts when the lock is lost (removed by another host), so no snapshot
 * is written without a lock.
 */
export async function withBackupSession<T>(
  repo: Repository, opts: { lockWaitMs?: number | undefined; signal?: AbortSignal | undefined }, fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  return withEarlyBackupSession(repo, opts, async (s) => {
    await s.ready;
    return fn(s.signal);
  });
}

/**
 * withEarlyBackupSession starts `fn` at once, while the lock is taken and the index loads
 * (`session.ready`), so work that needs neither (a pg_dump, a SQLite copy) overlaps them:
 * the lock alone may wait 200 ms for racing lockers (design.md §8). If the lock cannot be
 * taken, fn is aborted and the lock's error is what this throws.
 */
export async function withEarlyBackupSession<T>(
  repo: Repository, opts: { lockWaitMs?: number | undefined; signal?: AbortSignal | undefined }, fn: (session: BackupSession) => Promise<T>,
): Promise<T> {
  if (repo.backend.properties.readOnly) throw new LifeboatError("backup needs to write, but the repository is opened read-only", { hint: "run it without --read-only" });
  const stop = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;
  mark("session: lock");
  const locked = repo.lock({ exclusive: false, waitMs: opts.lockWaitMs, signal });
  const ready = locked.then(async (lock) => {
    onAbort(lock.lost, () => stop.abort(lock.lost.reason));
    mark("session: index");
    await repo.loadIndex({ signal });
    await indexOrphanPacks(repo, signal);
    mark("session: ready");
  });
  let setupFailure: unknown;
  ready.catch((err: unknown) => {
    setupFailure ??= err;
    stop.abort(err);
  });
  try {
    return await fn({ signal, ready });
  } catch (err) {
    // Set here only if the lock or index failed first: fn's failure is then the abort it caused.
    if (setupFailure !== undefined) throw setupFailure;
    stop.abort(err); // stop waiting for a lock that nothing needs any more
    throw err;
  } finally {
    const lock: HeldLock | undefined = await locked.catch(() => undefined);
    await lock?.release();
  }
}

function onAbort(signal: AbortSignal, fn: () => void): void {
  if (signal.aborted) fn();
  else signal.addEventListener("abort", fn, { once: true });
}

/** archiverRepo is the read side of the repository the archiver needs. */
export function archiverRepo(repo: Repository): ArchiverRepo {
  return { loadTree: (id, s) => repo.loadTree(id, s), hasBlob: (id) => repo.index.has(id) };
}

export function safeUser(): string {
  try { return userInfo().username; } catch { return "unknown"; }
}
