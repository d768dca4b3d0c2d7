/**
 * @module repository/rebuild
 * Rebuilds the whole index from pack headers (`lifeboat repair index`), and the one way
 * repair replaces the index: the new index objects (each superseding every old one) are
 * written before the old objects are removed, so a crash in between only leaves
 * duplicates. Packs whose header is damaged are left out and reported.
 */
import type { IntegrityError } from "../errors/index.ts";
import type { LocatedBlob } from "./pack/format.ts";
import { readPackHeader } from "./recover.ts";
import type { Repository } from "./repository.ts";

export interface RebuildResult {
  packs: number;
  blobs: number;
  removedIndex: number;
  damaged: IntegrityError[];
}

// Bounds each index object so loading one never needs much memory (as prune does).
const PACKS_PER_INDEX = 2000;

/** rebuildIndex re-indexes every pack from its header. The caller holds an exclusive lock. */
export async function rebuildIndex(repo: Repository, signal?: AbortSignal): Promise<RebuildResult> {
  const old = await repo.listNames("index", signal);
  const packs: [string, LocatedBlob[]][] = [];
  const damaged: IntegrityError[] = [];
  for await (const fi of repo.backend.list("pack", { signal })) {
    try {
      packs.push([fi.name, await readPackHeader(repo, fi.name, fi.size, signal)]);
    } catch (err) {
      if (repo.backend.isNotFound(err)) continue; // removed while we listed
      if ((err as Error).name !== "IntegrityError") throw err;
      damaged.push(err as IntegrityError);
    }
  }
  await replaceIndex(repo, packs, old, signal);
  return { packs: packs.length, blobs: packs.reduce((n, [, b]) => n + b.length, 0), removedIndex: old.length, damaged };
}

/**
 * replaceIndex makes `packs` the whole index: it writes new index objects superseding
 * `old` (at least one, so an empty repository still has an index), then removes `old`.
 * Every pack listed MUST already be durable (docs/design.md §7 rule 1).
 */
export async function replaceIndex(repo: Repository, packs: [string, LocatedBlob[]][], old: string[], signal?: AbortSignal): Promise<void> {
  for (let i = 0; i < packs.length || i === 0; i += PACKS_PER_INDEX) {
    await repo.writeIndex(packs.slice(i, i + PACKS_PER_INDEX), old, signal);
  }
  for (const id of old) await repo.backend.remove({ type: "index", name: id }, { signal });
}
