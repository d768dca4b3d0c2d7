/**
 * @module repository/index/indexfile
 * The JSON shape of an index object: which blobs live in which pack, and where. Index
 * objects are written only after the packs they list are durable (docs/design.md).
 */
import type { BlobType } from "../../model/index.ts";

/** Compact blob entry: [id, type, offset, length, rawLength, compressed(0|1)]. */
export type IndexBlobTuple = [string, "d" | "t", number, number, number, 0 | 1];

export interface IndexFile {
  version: 1;
  /** Index ids this one replaces (written by prune and repair; the old ones are then removed). */
  supersedes?: string[];
  packs: { id: string; blobs: IndexBlobTuple[] }[];
}

export interface IndexEntry {
  packId: string;
  type: BlobType;
  offset: number;
  length: number;
  rawLength: number;
  compressed: boolean;
}

export function toTuple(id: string, e: IndexEntry): IndexBlobTuple {
  return [id, e.type === "tree" ? "t" : "d", e.offset, e.length, e.rawLength, e.compressed ? 1 : 0];
}

export function fromTuple(packId: string, t: IndexBlobTuple): [string, IndexEntry] {
  const [id, type, offset, length, rawLength, compressed] = t;
  return [id, { packId, type: type === "t" ? "tree" : "data", offset, length, rawLength, compressed: compressed === 1 }];
}

/** validateIndexFile checks the shape after decryption, so a bug cannot poison the index. */
export function validateIndexFile(f: IndexFile): IndexFile {
  if (f?.version !== 1 || !Array.isArray(f.packs)) throw new Error("malformed index object");
  for (const p of f.packs as unknown[] as Partial<IndexFile["packs"][number]>[]) {
    // A pack id names a file to read: anything but a SHA-256 is damage (found by test/reliability/fuzz.test.ts).
    if (typeof p?.id !== "string" || !HEX_ID.test(p.id) || !Array.isArray(p.blobs)) throw new Error("malformed pack entry in index");
    for (const t of p.blobs) if (!validTuple(t)) throw new Error(`malformed blob entry in index for pack ${p.id}`);
  }
  return f;
}

const HEX_ID = /^[0-9a-f]{64}$/;

function validTuple(t: unknown): boolean {
  if (!Array.isArray(t) || t.length !== 6) return false;
  const [id, type, offset, length, rawLength, compressed] = t as unknown[];
  const n = (x: unknown) => Number.isSafeInteger(x) && (x as number) >= 0;
  return typeof id === "string" && HEX_ID.test(id) && (type === "d" || type === "t")
    && n(offset) && n(length) && n(rawLength) && (compressed === 0 || compressed === 1);
}
