/**
 * @module repository/rebuild
 * Rebuilds the whole index from pack headers (`lifeboat repair index`). The new index is
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

const PACKS_PER_INDEX = 2000;

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
  for (let i = 0; i < packs.length || i === 0; i += PACKS_PER_INDEX) {
    await repo.writeIndex(packs.slice(i, i + PACKS_PER_INDEX), old, signal);
  }
  for (const id of old) await repo.backend.remove({ type: "index", name: id }, { signal });
  return { packs: packs.length, blobs: packs.reduce((n, [, b]) => n + b.length, 0), removedIndex: old.length, damaged };
}
