/**
 * @module repository/repair/packs
 * `lifeboat repair packs` (also bare `lifeboat repair`): read every pack, copy the blobs
 * of damaged packs that still authenticate into new packs, make the intact and new packs
 * the whole index, remove the damaged packs, and report what is lost, per blob and per
 * snapshot. Write order (docs/design.md §10.1): a second read of each damaged pack must
 * give the same bytes; then new packs, then the new index superseding every old index
 * object, then removal of the old index objects, then of the damaged packs. A crash at any
 * point leaves a repository no worse than before; running repair again finishes the job.
 * The caller holds an exclusive lock.
 */
import { blobId } from "../../crypto/keys.ts";
import { LifeboatError } from "../../errors/index.ts";
import type { Snapshot } from "../../model/index.ts";
import type { IndexEntry } from "../index/indexfile.ts";
import type { LocatedBlob } from "../pack/format.ts";
import { sha256hex } from "../objects.ts";
import { replaceIndex } from "../rebuild.ts";
import type { Repository } from "../repository.ts";
import { loadSnapshots } from "../snapshots.ts";
import { snapshotLoss, locationSource } from "./loss.ts";
import { asDamaged, damagedKeys, damagedRecords } from "./objects.ts";
import { entryOf, loadOldIndex, type OldIndex } from "./oldindex.ts";
import { planSalvage, salvageBlobs, type SalvagePlan } from "./salvage.ts";
import { readPack, scanPacks, type DamagedPack, type PackScan } from "./scan.ts";
import { TreeRepairer } from "./trees.ts";
import type { DamagedObject, LostBlob, SnapshotLoss } from "./types.ts";

export interface RepairPacksOptions {
  /** Read and report; write and remove nothing. */
  dryRun?: boolean;
  signal?: AbortSignal | undefined;
  onPack?(done: number, total: number): void;
}

export interface DamagedPackReport {
  id: string;
  problem: string;
  listFrom: DamagedPack["listFrom"];
  /** Blobs it held; null when neither its header nor an index object says. */
  blobs: number | null;
  /** Its blobs that still authenticate: kept (copied into a new pack unless an intact pack holds them too). */
  salvaged: number;
  lost: number;
}

export interface RepairPacksResult {
  dryRun: boolean;
  packsRead: number;
  damagedPacks: DamagedPackReport[];
  packsWritten: number;
  blobsSalvaged: number;
  packsRemoved: number;
  index: { rewritten: boolean; packs: number; blobs: number; removed: number; damaged: DamagedObject[] };
  lostBlobs: LostBlob[];
  /** Readable snapshots that can no longer restore everything (only those). */
  snapshots: SnapshotLoss[];
  damagedSnapshots: DamagedObject[];
  damagedRecords: DamagedObject[];
  damagedKeys: DamagedObject[];
  /** True when anything is lost: a blob, a snapshot's file, or an object that cannot be rebuilt. */
  lost: boolean;
}

/** Work is what one run found and did. */
interface Work {
  dryRun: boolean;
  old: OldIndex;
  scan: PackScan;
  plan: SalvagePlan;
  /** Whether the index needs rewriting (a healthy repository is left as it is). */
  rewrite: boolean;
  written: [string, LocatedBlob[]][];
}

/** repairPacks repairs the data and index layers. Reopen the repository afterwards: its loaded index is not updated. */
export async function repairPacks(repo: Repository, opts: RepairPacksOptions = {}): Promise<RepairPacksResult> {
  const signal = opts.signal;
  // Snapshots before the index (§7 rule 5), though the exclusive lock already stops writers.
  const { snapshots, damaged: badSnaps } = await loadSnapshots(repo, signal);
  const old = await loadOldIndex(repo, signal);
  const scan = await scanPacks(repo, old, { signal, onPack: opts.onPack });
  const plan = planSalvage(scan.damaged, scan.good);
  const rewrite = scan.damaged.length > 0 || old.damaged.length > 0 || !indexMatches(old.byPack, scan.good);
  const w: Work = { dryRun: opts.dryRun === true, old, scan, plan, rewrite, written: [] };
  if (!w.dryRun) await execute(repo, w, signal);
  const where = locations([...scan.good, ...w.written], w.dryRun ? plan : new Map());
  const result = summarize(w, where.size);
  result.snapshots = await snapshotLosses(repo, snapshots, where, signal);
  result.damagedSnapshots = badSnaps.map(asDamaged);
  result.damagedRecords = await damagedRecords(repo, signal);
  result.damagedKeys = await damagedKeys(repo, signal);
  result.lost = result.lostBlobs.length + result.snapshots.length + badSnaps.length + result.damagedRecords.length + result.damagedKeys.length > 0
    || scan.damaged.some((d) => d.listFrom === "none");
  return result;
}

/** execute writes in the order of docs/design.md §10.1: new packs, new index, old index removed, damaged packs removed. */
async function execute(repo: Repository, w: Work, signal?: AbortSignal): Promise<void> {
  for (const d of w.scan.damaged) await confirmDamage(repo, d, signal);
  w.written = await salvageBlobs(repo, w.plan, signal);
  if (w.rewrite) await replaceIndex(repo, [...w.scan.good, ...w.written], w.old.ids, signal);
  for (const d of w.scan.damaged) await repo.backend.remove({ type: "pack", name: d.id }, { signal });
}

/**
 * confirmDamage reads a damaged pack again before anything is written: the same bytes twice
 * mean damage at rest; different bytes mean the storage or the connection is unreliable,
 * and removing the pack could destroy good data.
 */
async function confirmDamage(repo: Repository, d: DamagedPack, signal?: AbortSignal): Promise<void> {
  const again = await readPack(repo, d.id, undefined, signal);
  if (again !== null && sha256hex(again) === d.digest) return;
  throw new LifeboatError(`pack ${d.id} read differently twice: nothing was changed`, {
    hint: "the storage or the connection returns inconsistent data; fix that first, then run `lifeboat repair` again",
  });
}

/** snapshotLosses walks every readable snapshot against the blobs now available; only those that lose something. */
async function snapshotLosses(repo: Repository, snapshots: Snapshot[], where: Map<string, IndexEntry>, signal?: AbortSignal): Promise<SnapshotLoss[]> {
  // Ids of re-encoded trees are only computed: this walk reports, it does not rewrite.
  const repairer = new TreeRepairer(locationSource(repo, where), async (tree) => blobId(repo.key, tree), signal);
  const out: SnapshotLoss[] = [];
  for (const sn of snapshots) {
    const { tree: _tree, ...loss } = await snapshotLoss(repairer, sn);
    if (loss.lost.length > 0) out.push(loss);
  }
  return out;
}

/** summarize reports the pack and index layers; the caller adds snapshots and objects. */
function summarize(w: Work, blobs: number): RepairPacksResult {
  const have = available(w.scan, w.plan);
  const rewritten = w.rewrite && !w.dryRun;
  return {
    dryRun: w.dryRun,
    packsRead: w.scan.good.size + w.scan.damaged.length,
    damagedPacks: w.scan.damaged.map((d) => packReport(d, have)),
    packsWritten: w.written.length,
    blobsSalvaged: w.plan.size,
    packsRemoved: w.dryRun ? 0 : w.scan.damaged.length,
    index: { rewritten, packs: w.scan.good.size + w.written.length, blobs, removed: rewritten ? w.old.ids.length : 0, damaged: w.old.damaged.map(asDamaged) },
    lostBlobs: lostBlobs(w.old, w.scan, have),
    snapshots: [], damagedSnapshots: [], damagedRecords: [], damagedKeys: [], lost: false,
  };
}

/** indexMatches is true when the old index lists exactly the intact packs, each exactly as its header does. */
function indexMatches(byPack: Map<string, LocatedBlob[]>, good: Map<string, LocatedBlob[]>): boolean {
  if (byPack.size !== good.size) return false;
  const key = (b: LocatedBlob) => `${b.id}@${b.offset}`;
  for (const [id, blobs] of good) {
    const listed = byPack.get(id);
    if (!listed || listed.length !== blobs.length) return false;
    const want = new Set(blobs.map(key));
    if (!listed.every((b) => want.has(key(b)))) return false;
  }
  return true;
}

/** locations is where each available blob can be read: intact and new packs, plus (dry run) the salvage sources. */
function locations(packs: [string, LocatedBlob[]][], plan: SalvagePlan): Map<string, IndexEntry> {
  const where = new Map<string, IndexEntry>();
  for (const [packId, blobs] of packs) for (const b of blobs) if (!where.has(b.id)) where.set(b.id, entryOf(packId, b));
  for (const [id, e] of plan) if (!where.has(id)) where.set(id, e);
  return where;
}

/** packReport counts a damaged pack's blobs: salvaged (intact, so kept) and lost (broken, with no copy elsewhere). */
function packReport(d: DamagedPack, have: Set<string>): DamagedPackReport {
  const blobs = d.listFrom === "none" ? null : d.intact.length + d.broken.length;
  const lost = d.broken.filter((b) => !have.has(b.blob.id)).length;
  return { id: d.id, problem: d.problem, listFrom: d.listFrom, blobs, salvaged: d.intact.length, lost };
}

/** available is every blob id an intact pack holds or the salvage copies. */
function available(scan: PackScan, plan: SalvagePlan): Set<string> {
  const have = new Set(plan.keys());
  for (const blobs of scan.good.values()) for (const b of blobs) have.add(b.id);
  return have;
}

/** lostBlobs lists every blob the repository had (by pack headers or index) that no intact or new pack holds. */
function lostBlobs(old: OldIndex, scan: PackScan, have: Set<string>): LostBlob[] {
  const out = new Map<string, LostBlob>();
  const note = (b: LocatedBlob, pack: string, reason: string) => {
    if (!have.has(b.id) && !out.has(b.id)) out.set(b.id, { id: b.id, type: b.type, pack, reason });
  };
  const damaged = new Set(scan.damaged.map((d) => d.id));
  for (const d of scan.damaged) for (const { blob, reason } of d.broken) note(blob, d.id, reason);
  for (const [pack, blobs] of old.byPack) {
    const reason = scan.good.has(pack) ? "the index listed it in a pack whose header does not"
      : damaged.has(pack) ? "its pack is damaged" : "its pack is missing";
    for (const b of blobs) note(b, pack, reason);
  }
  return [...out.values()].sort((a, b) => a.id.localeCompare(b.id));
}
