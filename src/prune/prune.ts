/**
 * @module prune/prune
 * `lifeboat prune` under an exclusive lock. Order (docs/design.md): write repacked packs,
 * then the new index (superseding every old index object), then remove the old index
 * objects, then remove packs. A crash at any point leaves every snapshot restorable.
 */
import { LifeboatError } from "../errors/index.ts";
import type { IndexEntry, IndexFile } from "../repository/index/indexfile.ts";
import { validateIndexFile } from "../repository/index/indexfile.ts";
import { MasterIndex } from "../repository/index/masterindex.ts";
import type { LocatedBlob } from "../repository/pack/format.ts";
import type { Repository } from "../repository/repository.ts";
import { loadSnapshots } from "../repository/snapshots.ts";
import { Uploader } from "../repository/uploader.ts";
import { packUsage, planPrune, type PrunePlan } from "./plan.ts";
import { usedBlobs } from "./used.ts";

export interface PruneOptions {
  dryRun?: boolean;
  /** Repack a pack when more than this share of it is unused (default 10). */
  maxUnusedPercent?: number;
  /** Unindexed packs younger than this are left alone (default 1 hour). */
  graceMs?: number;
  signal?: AbortSignal | undefined;
}

export interface PruneResult {
  dryRun: boolean;
  packsKept: number;
  packsRemoved: number;
  packsRepacked: number;
  orphansRemoved: number;
  blobsRepacked: number;
  bytesFreed: number;
  /** Temporary objects of interrupted saves removed. */
  leftoversRemoved: number;
}

// Bounds each index object so loading one never needs much memory.
const PACKS_PER_INDEX = 2000;

/** prune removes data no snapshot references. The caller holds an exclusive lock. */
export async function prune(repo: Repository, opts: PruneOptions = {}): Promise<PruneResult> {
  const signal = opts.signal;
  const { snapshots, damaged } = await loadSnapshots(repo, signal);
  if (damaged.length > 0) throw new LifeboatError(`refusing to prune: ${damaged[0]!.message}`, { hint: "run `lifeboat check`" });
  const indexIds = await repo.listNames("index", signal);
  const files: IndexFile[] = [];
  for (const id of indexIds) {
    try {
      files.push(validateIndexFile(await repo.loadObject<IndexFile>("index", id, signal)));
    } catch (cause) {
      throw new LifeboatError(`refusing to prune: index ${id} is damaged`, { cause, hint: "run `lifeboat repair index` first" });
    }
  }
  files.forEach((f, i) => repo.index.addIndexFile(indexIds[i]!, f));
  const used = await usedBlobs(repo, snapshots, signal);
  const packs = new Map<string, { size: number; mtimeMs?: number | undefined }>();
  for await (const fi of repo.backend.list("pack", { signal })) packs.set(fi.name, { size: fi.size, mtimeMs: fi.mtimeMs });
  const plan = planPrune({
    usage: packUsage(files, used), used, packs, now: Date.now(),
    maxUnusedPercent: opts.maxUnusedPercent ?? 10, graceMs: opts.graceMs ?? 3600_000,
  });
  const result: PruneResult = {
    dryRun: !!opts.dryRun, packsKept: plan.keep.length, packsRemoved: plan.remove.length, packsRepacked: plan.repack.length,
    orphansRemoved: plan.orphans.length, blobsRepacked: plan.carry.length, bytesFreed: plan.bytesFreed, leftoversRemoved: 0,
  };
  if (opts.dryRun) return result;
  // Temporary files of saves a killed process never finished: invisible to list(), so only here.
  result.leftoversRemoved = (await repo.backend.removeLeftovers?.(opts.graceMs ?? 3600_000, { signal })) ?? 0;
  if (plan.remove.length + plan.repack.length + plan.orphans.length > 0) await execute(repo, plan, files, indexIds, signal);
  return result;
}

async function execute(repo: Repository, plan: PrunePlan, files: IndexFile[], oldIndex: string[], signal?: AbortSignal): Promise<void> {
  const newPacks = await repack(repo, plan.carry, signal);
  const keep = new Set(plan.keep);
  const kept = new Map<string, LocatedBlob[]>();
  for (const f of files) {
    for (const p of f.packs) {
      if (!keep.has(p.id) || kept.has(p.id)) continue;
      const idx = new MasterIndex();
      idx.addIndexFile("", { version: 1, packs: [p] });
      kept.set(p.id, [...idx.blobs].map(([id, e]) => located(id, e)));
    }
  }
  const all = [...kept, ...newPacks];
  for (let i = 0; i < all.length || i === 0; i += PACKS_PER_INDEX) {
    await repo.writeIndex(all.slice(i, i + PACKS_PER_INDEX), oldIndex, signal);
  }
  for (const id of oldIndex) await repo.backend.remove({ type: "index", name: id }, { signal });
  for (const id of [...plan.remove, ...plan.repack, ...plan.orphans]) await repo.backend.remove({ type: "pack", name: id }, { signal });
}

function located(id: string, e: IndexEntry): LocatedBlob {
  return { id, type: e.type, offset: e.offset, length: e.length, rawLength: e.rawLength, compressed: e.compressed };
}

/** repack copies still-used blobs into new packs and returns them (not yet indexed). */
async function repack(repo: Repository, carry: [string, IndexEntry][], signal?: AbortSignal): Promise<[string, LocatedBlob[]][]> {
  const written: [string, LocatedBlob[]][] = [];
  if (carry.length === 0) return written;
  const up = new Uploader({
    backend: repo.backend, key: repo.key, index: new MasterIndex(), packSize: repo.config.packSize, signal,
    writeIndex: async (packs) => { written.push(...packs); },
  });
  for (const [id, e] of carry) {
    const sealed = await repo.backend.load({ type: "pack", name: e.packId }, { offset: e.offset, length: e.length }, { signal });
    await up.saveBlob(e.type, await repo.decodeBlob(id, e, sealed));
  }
  await up.finish();
  return written;
}
