/**
 * @module repository/index/masterindex
 * The in-memory union of every index object: blob id → location. Duplicate entries (the
 * same blob in two packs, or a pack listed by two index objects after an interrupted
 * prune) are legal; the first one seen wins, and prune removes the rest.
 */
import type { BlobType } from "../../model/index.ts";
import { fromTuple, toTuple, type IndexEntry, type IndexFile } from "./indexfile.ts";
import type { LocatedBlob } from "../pack/format.ts";

export interface PackSummary {
  blobs: number;
  /** Sum of stored blob lengths (the pack file also holds its header). */
  bytes: number;
}

export class MasterIndex {
  readonly blobs = new Map<string, IndexEntry>();
  readonly packs = new Map<string, PackSummary>();
  /** Index object ids that contributed. */
  readonly indexIds = new Set<string>();

  has(id: string): boolean {
    return this.blobs.has(id);
  }

  get(id: string): IndexEntry | undefined {
    return this.blobs.get(id);
  }

  /** addIndexFile merges one decoded index object. */
  addIndexFile(indexId: string, f: IndexFile): void {
    this.indexIds.add(indexId);
    for (const p of f.packs) {
      for (const t of p.blobs) {
        const [id, e] = fromTuple(p.id, t);
        this.addEntry(id, e);
      }
    }
  }

  /** addPack records the blobs of a pack (from an upload or a pack header). */
  addPack(packId: string, blobs: readonly LocatedBlob[]): void {
    for (const b of blobs) {
      this.addEntry(b.id, { packId, type: b.type, offset: b.offset, length: b.length, rawLength: b.rawLength, compressed: b.compressed });
    }
    if (blobs.length === 0) this.packs.set(packId, { blobs: 0, bytes: 0 });
  }

  private addEntry(id: string, e: IndexEntry): void {
    const sum = this.packs.get(e.packId) ?? { blobs: 0, bytes: 0 };
    if (!this.blobs.has(id)) this.blobs.set(id, e);
    sum.blobs++;
    sum.bytes += e.length;
    this.packs.set(e.packId, sum);
  }

  /** countType counts blobs of one type (for stats). */
  countType(type: BlobType): number {
    let n = 0;
    for (const e of this.blobs.values()) if (e.type === type) n++;
    return n;
  }
}

/** packsToIndexFile builds an index object for packs given as (packId, blobs). */
export function packsToIndexFile(packs: Iterable<[string, readonly LocatedBlob[]]>, supersedes?: string[]): IndexFile {
  const out: IndexFile = { version: 1, packs: [] };
  if (supersedes && supersedes.length > 0) out.supersedes = supersedes;
  for (const [packId, blobs] of packs) {
    out.packs.push({
      id: packId,
      blobs: blobs.map((b) => toTuple(b.id, { packId, type: b.type, offset: b.offset, length: b.length, rawLength: b.rawLength, compressed: b.compressed })),
    });
  }
  return out;
}
