/**
 * @module repository/repair/snapshots
 * `lifeboat repair snapshots [--forget]`, after restic's: every snapshot that references a
 * lost blob is written again without the files and folders that can no longer be restored
 * (tag `repaired`, `original` naming the snapshot it replaces; an agent snapshot's manifest
 * loses them too). Write order: new tree blobs (packs, then index, by withUploader), then
 * the new snapshots, then, only with `forget`, removal of the originals, of snapshots whose
 * root is lost, and of snapshot objects that no longer decrypt. It reads the index, not
 * the packs: run `lifeboat repair` (packs) first so the index lists only intact data.
 * The caller holds an exclusive lock.
 */
import { blobId } from "../../crypto/keys.ts";
import { LifeboatError } from "../../errors/index.ts";
import type { Snapshot } from "../../model/index.ts";
import type { Repository } from "../repository.ts";
import { loadSnapshots, saveSnapshot } from "../snapshots.ts";
import { indexSource, snapshotLoss } from "./loss.ts";
import { repairManifest } from "./manifest.ts";
import { asDamaged } from "./objects.ts";
import { TreeRepairer } from "./trees.ts";
import type { DamagedObject, SnapshotLoss } from "./types.ts";

export const REPAIRED_TAG = "repaired";

export interface RepairSnapshotsOptions {
  /** Remove the originals of rewritten snapshots, snapshots with nothing left, and damaged snapshot objects. */
  forget?: boolean;
  dryRun?: boolean;
  signal?: AbortSignal | undefined;
}

export interface RewrittenSnapshot extends SnapshotLoss {
  /** The repaired snapshot's id (null in a dry run; an earlier run's copy when one exists). */
  repaired: string | null;
}

export interface RepairSnapshotsResult {
  dryRun: boolean;
  forget: boolean;
  rewritten: RewrittenSnapshot[];
  /** Snapshots whose root tree is lost: nothing to keep. */
  unrepairable: SnapshotLoss[];
  /** Snapshot objects that do not decrypt or do not match their name. */
  damaged: DamagedObject[];
  /** Snapshot ids removed (with forget). */
  removed: string[];
}

/** A snapshot written by repair snapshots names the one it replaces. */
type RepairedSnapshot = Snapshot & { original?: string };

/** repairSnapshots rewrites snapshots that reference lost data. */
export async function repairSnapshots(repo: Repository, opts: RepairSnapshotsOptions = {}): Promise<RepairSnapshotsResult> {
  const signal = opts.signal;
  const { snapshots, damaged } = await loadSnapshots(repo, signal);
  const { damaged: badIndex } = await repo.loadIndex({ signal, tolerateDamage: true });
  if (badIndex.length > 0) {
    throw new LifeboatError(`cannot repair snapshots: ${badIndex[0]!.message}`, { hint: "run `lifeboat repair` first: it rebuilds the index from the packs" });
  }
  const done = new Map((snapshots as RepairedSnapshot[]).filter((s) => s.original).map((s) => [s.original!, s.id!]));
  const result: RepairSnapshotsResult = { dryRun: opts.dryRun === true, forget: opts.forget === true, rewritten: [], unrepairable: [], damaged: damaged.map(asDamaged), removed: [] };
  const fresh: [Snapshot, SnapshotLoss & { tree: string | null }][] = [];
  const walk = async (idOf: (tree: Uint8Array) => Promise<string>) => {
    const repairer = new TreeRepairer(indexSource(repo), idOf, signal);
    for (const sn of snapshots) {
      const loss = await snapshotLoss(repairer, sn);
      if (loss.lost.length === 0) continue;
      if (loss.rootLost) result.unrepairable.push(strip(loss));
      else if (done.has(sn.id!)) result.rewritten.push({ ...strip(loss), repaired: done.get(sn.id!)! });
      else fresh.push([sn, loss]);
    }
  };
  if (opts.dryRun) await walk(async (tree) => blobId(repo.key, tree));
  else await repo.withUploader((saver) => walk(async (tree) => (await saver.saveBlob("tree", tree)).id), { signal });
  for (const [sn, loss] of fresh) {
    const repaired = opts.dryRun ? null : await saveSnapshot(repo, rewrite(sn, loss), signal);
    result.rewritten.push({ ...strip(loss), repaired });
  }
  if (opts.forget && !opts.dryRun) {
    const gone = [...result.rewritten.map((r) => r.id), ...result.unrepairable.map((u) => u.id), ...result.damaged.map((d) => d.id)];
    for (const id of gone) await repo.backend.remove({ type: "snapshot", name: id }, { signal });
    result.removed = gone;
  }
  return result;
}

/** rewrite builds the repaired snapshot document. */
function rewrite(sn: Snapshot, loss: SnapshotLoss & { tree: string | null }): RepairedSnapshot {
  const { id, ...doc } = sn;
  const out: RepairedSnapshot = { ...doc, tree: loss.tree!, tags: [...new Set([...sn.tags, REPAIRED_TAG])], original: id! };
  if (sn.manifest) out.manifest = repairManifest(sn.manifest, loss.lost);
  return out;
}

function strip(loss: SnapshotLoss & { tree: string | null }): SnapshotLoss {
  const { tree: _tree, ...rest } = loss;
  return rest;
}
