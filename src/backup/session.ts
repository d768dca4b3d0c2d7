/**
 * @module backup/session
 * What every backup (paths or agent) does around its capture: take a shared lock, load the
 * index, index the packs a killed run left behind (so they are reused), and release the lock
 * whatever happens.
 */
import { userInfo } from "node:os";
import type { Repository } from "../repository/repository.ts";
import { indexOrphanPacks } from "../repository/recover.ts";
import type { ArchiverRepo } from "./archiver.ts";

export async function withBackupSession<T>(
  repo: Repository, opts: { lockWaitMs?: number | undefined; signal?: AbortSignal | undefined }, fn: () => Promise<T>,
): Promise<T> {
  const lock = await repo.lock({ exclusive: false, waitMs: opts.lockWaitMs, signal: opts.signal });
  try {
    await repo.loadIndex({ signal: opts.signal });
    await indexOrphanPacks(repo, opts.signal);
    return await fn();
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
