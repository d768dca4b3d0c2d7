/**
 * @module backup/session
 * What every backup (paths or agent) does around its capture: take a shared lock, load the
 * index, index the packs a killed run left behind (so they are reused), and release the lock
 * whatever happens.
 */
import { userInfo } from "node:os";
import { LifeboatError } from "../errors/index.ts";
import type { Repository } from "../repository/repository.ts";
import { indexOrphanPacks } from "../repository/recover.ts";
import type { ArchiverRepo } from "./archiver.ts";

/**
 * withBackupSession runs `fn` under a shared lock. `fn` gets a signal that also aborts when
 * the lock is lost (removed by another host), so no snapshot is written without a lock.
 */
export async function withBackupSession<T>(
  repo: Repository, opts: { lockWaitMs?: number | undefined; signal?: AbortSignal | undefined }, fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  if (repo.backend.properties.readOnly) throw new LifeboatError("backup needs to write, but the repository is opened read-only", { hint: "run it without --read-only" });
  const lock = await repo.lock({ exclusive: false, waitMs: opts.lockWaitMs, signal: opts.signal });
  const signal = opts.signal ? AbortSignal.any([opts.signal, lock.lost]) : lock.lost;
  try {
    await repo.loadIndex({ signal });
    await indexOrphanPacks(repo, signal);
    return await fn(signal);
  } finally {
    await lock.release();
  }
}

/** archiverRepo is the read side of the repository the archiver needs. */
export function archiverRepo(repo: Repository): ArchiverRepo {
  return { loadTree: (id, s) => repo.loadTree(id, s), hasBlob: (id) => repo.index.has(id) };
}

export function safeUser(): string {
  try { return userInfo().username; } catch { return "unknown"; }
}
