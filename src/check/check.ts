/**
 * @module check/check
 * `lifeboat check`: structural check (snapshots, index, key files, signed records, pack
 * presence and sizes, every tree and every referenced blob), and with readData a full
 * read that re-hashes packs and authenticates every blob. Each finding names the damaged
 * object. It never writes.
 */
import { IntegrityError } from "../errors/index.ts";
import type { Repository } from "../repository/repository.ts";
import { loadSnapshots } from "../repository/snapshots.ts";
import { OVERHEAD } from "../crypto/aead.ts";
import { damagedKeys, damagedRecords } from "../repository/repair/objects.ts";
import { walkSnapshots } from "./walk.ts";
import { readPacks, selectPacks, type Subset } from "./readdata.ts";

export interface Finding {
  object: string;
  message: string;
}

export interface CheckOptions {
  readData?: boolean;
  subset?: Subset;
  signal?: AbortSignal | undefined;
  onPack?(done: number, total: number): void;
}

export interface CheckResult {
  errors: Finding[];
  warnings: Finding[];
  snapshots: number;
  packs: number;
  trees: number;
  packsRead: number;
  blobsRead: number;
}

const ENTRY_SIZE = 42;

/** check verifies the repository and returns every finding (it throws only on I/O failure). */
export async function check(repo: Repository, opts: CheckOptions = {}): Promise<CheckResult> {
  const signal = opts.signal;
  const errors: Finding[] = [];
  const warnings: Finding[] = [];
  const add = (list: Finding[]) => (e: IntegrityError) => list.push({ object: e.object, message: e.message });

  const { snapshots, damaged: badSnaps } = await loadSnapshots(repo, signal);
  badSnaps.forEach(add(errors));
  const { damaged: badIndex } = await repo.loadIndex({ signal, tolerateDamage: true });
  badIndex.forEach(add(errors));

  const sizes = new Map<string, number>();
  for await (const fi of repo.backend.list("pack", { signal })) sizes.set(fi.name, fi.size);
  checkPackSizes(repo, sizes, errors);
  for (const name of sizes.keys()) {
    if (!repo.index.packs.has(name)) {
      warnings.push({ object: `pack ${name}`, message: "not in any index (left by an interrupted backup; `lifeboat prune` removes it)" });
    }
  }
  // Keys and records are nobody's dependency, so nothing else would notice their damage.
  for (const k of await damagedKeys(repo, signal)) {
    errors.push({ object: `key ${k.id}`, message: `${k.message}; remove it with \`lifeboat key remove ${k.id.slice(0, 8)}\`` });
  }
  for (const r of await damagedRecords(repo, signal)) {
    errors.push({ object: `record ${r.id}`, message: `${r.message}; remove it with \`lifeboat repair records\`` });
  }
  const trees = await walkSnapshots(repo, snapshots, errors, signal);
  const result: CheckResult = { errors, warnings, snapshots: snapshots.length, packs: sizes.size, trees, packsRead: 0, blobsRead: 0 };
  if (opts.readData || opts.subset) {
    const chosen = selectPacks([...sizes.keys()].filter((p) => repo.index.packs.has(p)).sort(), opts.subset);
    const read = await readPacks(repo, chosen, errors, signal, opts.onPack);
    result.packsRead = chosen.length;
    result.blobsRead = read;
  }
  return result;
}

/** checkPackSizes compares each pack's size with what its index entries imply. */
function checkPackSizes(repo: Repository, sizes: Map<string, number>, errors: Finding[]): void {
  const extent = new Map<string, { end: number; count: Set<number> }>();
  for (const e of repo.index.blobs.values()) {
    const x = extent.get(e.packId) ?? { end: 0, count: new Set<number>() };
    x.end = Math.max(x.end, e.offset + e.length);
    x.count.add(e.offset);
    extent.set(e.packId, x);
  }
  for (const packId of repo.index.packs.keys()) {
    const size = sizes.get(packId);
    if (size === undefined) {
      errors.push({ object: `pack ${packId}`, message: "missing: the index lists it but it is not in the repository" });
      continue;
    }
    const x = extent.get(packId);
    // Duplicate blobs (listed once in the index map) make the header larger; only flag too small.
    const min = (x?.end ?? 0) + OVERHEAD + ENTRY_SIZE * (x?.count.size ?? 0) + 4;
    if (size < min) errors.push({ object: `pack ${packId}`, message: `truncated: ${size} bytes, the index needs at least ${min}` });
  }
}
