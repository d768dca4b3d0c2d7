/**
 * @module repository/repair/salvage
 * Copies the blobs of damaged packs that still authenticate, and that no intact pack
 * holds, into new packs (restic's `repair packs`). Each blob is authenticated and checked
 * against its id again as it is copied, so a salvaged pack holds only verified data. The
 * new packs are durable but not indexed when this returns: the caller indexes them.
 */
import { MasterIndex } from "../index/masterindex.ts";
import type { IndexEntry } from "../index/indexfile.ts";
import type { LocatedBlob } from "../pack/format.ts";
import type { Repository } from "../repository.ts";
import { Uploader } from "../uploader.ts";
import { entryOf } from "./oldindex.ts";
import type { DamagedPack } from "./scan.ts";

/** SalvagePlan maps each blob to copy (once, even if several damaged packs hold it) to where it is read. */
export type SalvagePlan = Map<string, IndexEntry>;

/** planSalvage picks the intact blobs of damaged packs that no intact pack holds. */
export function planSalvage(damaged: DamagedPack[], good: Map<string, LocatedBlob[]>): SalvagePlan {
  const held = new Set<string>();
  for (const blobs of good.values()) for (const b of blobs) held.add(b.id);
  const plan: SalvagePlan = new Map();
  for (const d of damaged) {
    for (const b of d.intact) if (!held.has(b.id) && !plan.has(b.id)) plan.set(b.id, entryOf(d.id, b));
  }
  return plan;
}

/** salvageBlobs executes a plan and returns the new packs with their blobs. */
export async function salvageBlobs(repo: Repository, plan: SalvagePlan, signal?: AbortSignal): Promise<[string, LocatedBlob[]][]> {
  const written: [string, LocatedBlob[]][] = [];
  if (plan.size === 0) return written;
  const up = new Uploader({
    backend: repo.backend, key: repo.key, index: new MasterIndex(), packSize: repo.config.packSize, signal,
    writeIndex: async (packs) => { written.push(...packs); },
  });
  try {
    for (const [packId, blobs] of byPack(plan)) {
      const bytes = await repo.backend.load({ type: "pack", name: packId }, undefined, { signal });
      for (const [id, e] of blobs) {
        const plain = await repo.decodeBlob(id, e, bytes.subarray(e.offset, e.offset + e.length));
        await up.saveBlob(e.type, plain);
      }
    }
    await up.finish();
  } catch (err) {
    // Packs already saved stay unindexed: harmless, and the next repair indexes them (it reads and verifies every pack).
    await up.abandon();
    throw new Error("salvage blobs of damaged packs", { cause: err });
  }
  return written;
}

/** byPack groups the plan so each damaged pack is read once. */
function byPack(plan: SalvagePlan): Map<string, [string, IndexEntry][]> {
  const out = new Map<string, [string, IndexEntry][]>();
  for (const [id, e] of plan) {
    const list = out.get(e.packId) ?? [];
    list.push([id, e]);
    out.set(e.packId, list);
  }
  return out;
}
