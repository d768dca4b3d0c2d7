/**
 * @module prune/plan
 * Decides, pack by pack, what prune does: keep a pack whose blobs are all used, delete one
 * with none used, repack one whose unused share is above the threshold, and delete packs
 * no index lists once they are older than the grace period (they may belong to a backup
 * that is still running elsewhere).
 */
import type { IndexEntry, IndexFile } from "../repository/index/indexfile.ts";
import { fromTuple } from "../repository/index/indexfile.ts";

export interface PackUse {
  blobs: [string, IndexEntry][];
  usedBytes: number;
  unusedBytes: number;
}

export interface PrunePlan {
  keep: string[];
  remove: string[];
  repack: string[];
  orphans: string[];
  /** Blob copies to carry over from repacked packs. */
  carry: [string, IndexEntry][];
  bytesFreed: number;
}

/** packUsage reads every index object's entries, so duplicate copies count as unused. */
export function packUsage(indexFiles: IndexFile[], used: Set<string>): Map<string, PackUse> {
  const chosen = new Set<string>();
  const out = new Map<string, PackUse>();
  const seen = new Set<string>();
  for (const f of indexFiles) {
    for (const p of f.packs) {
      const use = out.get(p.id) ?? { blobs: [], usedBytes: 0, unusedBytes: 0 };
      out.set(p.id, use);
      for (const t of p.blobs) {
        const [id, e] = fromTuple(p.id, t);
        const key = `${id}@${p.id}@${e.offset}`;
        if (seen.has(key)) continue; // the same pack listed by two index objects
        seen.add(key);
        use.blobs.push([id, e]);
        if (used.has(id) && !chosen.has(id)) {
          chosen.add(id);
          use.usedBytes += e.length;
        } else {
          use.unusedBytes += e.length;
        }
      }
    }
  }
  return out;
}

export interface PlanInput {
  usage: Map<string, PackUse>;
  used: Set<string>;
  /** Every pack in the repository with its mtime. */
  packs: Map<string, { size: number; mtimeMs?: number | undefined }>;
  maxUnusedPercent: number;
  graceMs: number;
  now: number;
}

export function planPrune(input: PlanInput): PrunePlan {
  const plan: PrunePlan = { keep: [], remove: [], repack: [], orphans: [], carry: [], bytesFreed: 0 };
  const carried = new Set<string>();
  for (const [packId, use] of input.usage) {
    const size = input.packs.get(packId)?.size;
    if (size === undefined) continue; // missing pack: check reports it; nothing to delete
    if (use.usedBytes === 0) {
      plan.remove.push(packId);
      plan.bytesFreed += size;
    } else if (use.unusedBytes === 0 || (100 * use.unusedBytes) / (use.usedBytes + use.unusedBytes) <= input.maxUnusedPercent) {
      plan.keep.push(packId);
    } else {
      plan.repack.push(packId);
      plan.bytesFreed += use.unusedBytes;
      for (const [id, e] of use.blobs) {
        if (input.used.has(id) && !carried.has(id)) {
          carried.add(id);
          plan.carry.push([id, e]);
        }
      }
    }
  }
  for (const [packId, info] of input.packs) {
    if (input.usage.has(packId)) continue;
    if (info.mtimeMs === undefined || input.now - info.mtimeMs >= input.graceMs) {
      plan.orphans.push(packId);
      plan.bytesFreed += info.size;
    }
  }
  return plan;
}
