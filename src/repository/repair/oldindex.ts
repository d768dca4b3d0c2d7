/**
 * @module repository/repair/oldindex
 * Reads the index objects that still load, pack by pack, keeping every entry (the master
 * index keeps only the first copy of a blob). Repair needs them for two things: the blob
 * list of a pack whose own header is damaged, and knowing which blobs the repository had,
 * so it can say which are lost. Damaged index objects are reported, never fatal: the
 * index is fully redundant with the pack headers.
 */
import { IntegrityError } from "../../errors/index.ts";
import { fromTuple, validateIndexFile, type IndexEntry, type IndexFile } from "../index/indexfile.ts";
import type { LocatedBlob } from "../pack/format.ts";
import type { Repository } from "../repository.ts";

export interface OldIndex {
  /** Every index object name found (damaged ones included): the new index supersedes them all. */
  ids: string[];
  damaged: IntegrityError[];
  /** Pack id → the blobs the index objects that loaded list for it (deduplicated). */
  byPack: Map<string, LocatedBlob[]>;
}

/** loadOldIndex loads every index object it can, without the cache (a cached copy would hide damage). */
export async function loadOldIndex(repo: Repository, signal?: AbortSignal): Promise<OldIndex> {
  const out: OldIndex = { ids: await repo.listNames("index", signal), damaged: [], byPack: new Map() };
  const seen = new Set<string>();
  for (const id of out.ids) {
    let file: IndexFile;
    try {
      file = validateIndexFile(await repo.loadObject<IndexFile>("index", id, signal));
    } catch (err) {
      if (repo.backend.isNotFound(err)) continue; // removed while we listed: nothing to supersede
      out.damaged.push(err instanceof IntegrityError ? err : new IntegrityError(`index ${id}`, (err as Error).message, err));
      continue;
    }
    for (const p of file.packs) {
      const list = out.byPack.get(p.id) ?? [];
      out.byPack.set(p.id, list);
      for (const t of p.blobs) {
        const [blob, e] = fromTuple(p.id, t);
        const key = `${blob}@${p.id}@${e.offset}`;
        if (seen.has(key)) continue;
        seen.add(key);
        list.push(located(blob, e));
      }
    }
  }
  return out;
}

/** located turns an index entry back into the pack-header form. */
export function located(id: string, e: IndexEntry): LocatedBlob {
  return { id, type: e.type, offset: e.offset, length: e.length, rawLength: e.rawLength, compressed: e.compressed };
}

/** entryOf is the index entry of a blob of pack `packId`. */
export function entryOf(packId: string, b: LocatedBlob): IndexEntry {
  return { packId, type: b.type, offset: b.offset, length: b.length, rawLength: b.rawLength, compressed: b.compressed };
}
