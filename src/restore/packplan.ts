/**
 * @module restore/packplan
 * Which bytes of which pack a restore reads, and where each blob goes. Every pack is read
 * once, in ranges that cover its needed blobs, however many files those blobs belong to;
 * each blob is then written at every offset of every file that holds it (an hourly SQLite
 * copy is spread over many packs, and its empty pages are one blob at many offsets).
 * Before, files were restored one by one with a ranged read per run of adjacent blobs: the
 * bench agent's fragmented 157 MB database took ~3,000 reads, decoded in small runs on the
 * main thread (issue 4).
 */
import type { IndexEntry } from "../repository/index/indexfile.ts";

/** Target is where a blob goes: file number (in the caller's list) and byte offset. */
export interface Target {
  file: number;
  offset: number;
}

export interface PlannedBlob {
  id: string;
  e: IndexEntry;
  targets: Target[];
}

/** Range is one read: `length` bytes at `offset` of `packId`, covering `blobs` (by offset). */
export interface Range {
  packId: string;
  offset: number;
  length: number;
  blobs: PlannedBlob[];
}

export interface PackPlan {
  ranges: Range[];
  /** Files that cannot be restored because a blob of theirs is not in the index. */
  missing: { file: number; id: string }[];
  /** Blob writes per file: the file is complete once that many have landed. */
  writes: number[];
}

export interface RangeLimits {
  /** A gap of unneeded bytes up to this is read through rather than split into two reads. */
  maxGap: number;
  /** Largest single read (also what one decode holds in memory). */
  maxRange: number;
}

// A request to a remote backend costs a round trip, worth ~0.5-2 MB of transfer; locally a
// gap read costs only bandwidth. Ranges of 2 MiB restored the bench agent in 2.96 s at 222 MB
// peak RSS, 8 MiB in 3.11 s at 331 MB: decoded, a range is ~3× larger, four are in flight.
export const DEFAULT_RANGE_LIMITS: RangeLimits = { maxGap: 512 * 1024, maxRange: 2 * 1024 * 1024 };

/** planPacks plans the reads for `files` (their content ids, in order). */
export function planPacks(files: string[][], lookup: (id: string) => IndexEntry | undefined, limits = DEFAULT_RANGE_LIMITS): PackPlan {
  const blobs = new Map<string, PlannedBlob>();
  // Packs in the order files first need them: close to the order the backup wrote them.
  const packs = new Map<string, PlannedBlob[]>();
  const missing: { file: number; id: string }[] = [];
  const writes = files.map(() => 0);
  files.forEach((content, file) => {
    let offset = 0;
    for (const id of content) {
      let b = blobs.get(id);
      if (b === undefined) {
        const e = lookup(id);
        if (e === undefined) {
          missing.push({ file, id });
          return;
        }
        blobs.set(id, (b = { id, e, targets: [] }));
        const list = packs.get(e.packId);
        if (list) list.push(b);
        else packs.set(e.packId, [b]);
      }
      b.targets.push({ file, offset });
      writes[file]!++;
      offset += b.e.rawLength;
    }
  });
  const ranges: Range[] = [];
  for (const [packId, list] of packs) ranges.push(...rangesOf(packId, list, limits));
  return { ranges, missing, writes };
}

function rangesOf(packId: string, list: PlannedBlob[], limits: RangeLimits): Range[] {
  const sorted = [...list].sort((a, b) => a.e.offset - b.e.offset);
  const out: Range[] = [];
  let cur: Range | undefined;
  for (const b of sorted) {
    const end = b.e.offset + b.e.length;
    if (cur && b.e.offset - (cur.offset + cur.length) <= limits.maxGap && end - cur.offset <= limits.maxRange) {
      cur.length = end - cur.offset;
      cur.blobs.push(b);
    } else {
      cur = { packId, offset: b.e.offset, length: b.e.length, blobs: [b] };
      out.push(cur);
    }
  }
  return out;
}
