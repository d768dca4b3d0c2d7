/**
 * @module test/reliability/bitrot-trial
 * One bit-rot trial, through the library (fast: most trials) or the CLI (what a user runs):
 * `check --read-data` must fail and name the damaged object; `repair` must report exactly
 * the expected loss; `repair snapshots --forget` (and `repair records`, `key remove` for
 * those objects) must leave a repository that checks clean; and every snapshot must restore
 * what it held, minus exactly the reported lost paths. A damaged config cannot be repaired:
 * there the property is a clear error naming it. Each step throws with what went wrong.
 */
import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { createLocalBackend } from "../../src/backends/local/index.ts";
import { check } from "../../src/check/check.ts";
import { LifeboatError, WrongPasswordError } from "../../src/errors/index.ts";
import type { Snapshot } from "../../src/model/index.ts";
import { removeKey } from "../../src/repository/keys.ts";
import { openRepository } from "../../src/repository/open.ts";
import { repairPacks, type RepairPacksResult } from "../../src/repository/repair/packs.ts";
import { repairRecords } from "../../src/repository/repair/records.ts";
import { REPAIRED_TAG, repairSnapshots, type RepairSnapshotsResult } from "../../src/repository/repair/snapshots.ts";
import type { Repository } from "../../src/repository/repository.ts";
import { loadSnapshots } from "../../src/repository/snapshots.ts";
import { restore } from "../../src/restore/restore.ts";
import { hashTree } from "../../src/testing/tree.ts";
import { assertSameEntries } from "../e2e/helpers.ts";
import { PASSWORD, type Hashed } from "../e2e/_spawn.ts";
import type { Damage, Expected } from "./bitrot-damage.ts";
import type { World } from "./bitrot-world.ts";

/** Report is repair's answer reduced to what a trial compares, from the library or from --json. */
export interface Report extends Expected {
  lost: boolean;
}

type Loss = { id: string; lost: { path: string }[] };
const ids = (xs: { id: string }[]) => xs.map((x) => x.id).sort();

export function reportOf(r: RepairPacksResult): Report {
  return {
    damagedPacks: ids(r.damagedPacks), lostBlobs: ids(r.lostBlobs), snapshots: lossMap(r.snapshots), damagedIndex: ids(r.index.damaged),
    damagedSnapshots: ids(r.damagedSnapshots), damagedRecords: ids(r.damagedRecords), damagedKeys: ids(r.damagedKeys), lost: r.lost,
  };
}

/** reportOfJson reads `repair --json` (snake_case keys, docs/cli-json.md). */
export function reportOfJson(j: Record<string, unknown>): Report {
  const list = (k: string) => ids(j[k] as { id: string }[]);
  return {
    damagedPacks: list("damaged_packs"), lostBlobs: list("lost_blobs"), snapshots: lossMap(j.snapshots as Loss[]),
    damagedIndex: ids((j.index as { damaged: { id: string }[] }).damaged), damagedSnapshots: list("damaged_snapshots"),
    damagedRecords: list("damaged_records"), damagedKeys: list("damaged_keys"), lost: j.lost as boolean,
  };
}

function lossMap(xs: Loss[]): Map<string, string[]> {
  return new Map(xs.map((s) => [s.id, s.lost.map((l) => l.path).sort()]));
}

/** assertReport: repair reports exactly the expected loss (not a superset: the damage is known byte for byte). */
export function assertReport(got: Report, want: Expected): void {
  const { snapshots, ...rest } = got;
  const { snapshots: wantSnaps, ...wantRest } = want;
  const lost = want.lostBlobs.length + want.damagedSnapshots.length + want.damagedRecords.length + want.damagedKeys.length > 0;
  assert.deepEqual(rest, { ...wantRest, lost }, "repair's report");
  assert.deepEqual(Object.fromEntries(snapshots), Object.fromEntries(wantSnaps), "lost paths per snapshot");
}

/** passwordFor: a key trial works through the other key; every other trial through the first password. */
export function passwordFor(w: World, d: Damage): string {
  if (d.kind !== "key") return PASSWORD;
  return [...w.keys].find(([name]) => name !== d.id)![1];
}

export function openAt(w: World, password: string): Promise<Repository> {
  return openRepository(createLocalBackend(w.env.repo), password, { cacheDir: null });
}

async function using<T>(w: World, password: string, fn: (repo: Repository) => Promise<T>): Promise<T> {
  const repo = await openAt(w, password);
  try {
    return await fn(repo);
  } finally {
    await repo.close();
  }
}

/** assertOpenNamesKey: the damaged key's own password opens the repository, or fails naming that key. */
export async function assertOpenNamesKey(w: World, d: Damage): Promise<void> {
  try {
    await (await openAt(w, w.keys.get(d.id)!)).close();
  } catch (err) {
    assert.ok(err instanceof WrongPasswordError && err.message.includes(d.id), `open with the damaged key's password: ${String(err)}`);
  }
}

/** libraryTrial runs detection, repair and the clean check in-process. */
export async function libraryTrial(w: World, d: Damage, want: Expected): Promise<void> {
  if (d.kind === "config") {
    await assert.rejects(openAt(w, PASSWORD), (e: unknown) => e instanceof LifeboatError && /\bconfig\b/.test(e.message) && e.message.includes(w.env.repo));
    return;
  }
  if (d.kind === "key") await assertOpenNamesKey(w, d);
  const pw = passwordFor(w, d);
  const found = await using(w, pw, (repo) => check(repo, { readData: true }));
  assert.ok(found.errors.some((e) => e.object.includes(d.id)), `check --read-data names ${d.id.slice(0, 12)}: ${JSON.stringify(found.errors.slice(0, 3))}`);
  assertReport(reportOf(await using(w, pw, (repo) => repairPacks(repo))), want);
  const rs = await using(w, pw, (repo) => repairSnapshots(repo, { forget: true }));
  assertRewritten(rs, want);
  if (d.kind === "record") assert.deepEqual((await using(w, pw, (repo) => repairRecords(repo))).removed, [d.id]);
  if (d.kind === "key") await using(w, pw, (repo) => removeKey(repo, d.id));
  const after = await using(w, pw, (repo) => check(repo, { readData: true }));
  assert.deepEqual(after.errors, [], "check --read-data after repair");
  await assertRestores(w, d, want, pw);
}

/** assertRewritten: repair snapshots rewrote exactly the snapshots that lost paths, and removed what it had to. */
export function assertRewritten(rs: RepairSnapshotsResult, want: Expected): void {
  const partial = [...want.snapshots].filter(([, p]) => p[0] !== "/").map(([id]) => id).sort();
  const whole = [...want.snapshots].filter(([, p]) => p[0] === "/").map(([id]) => id).sort();
  assert.deepEqual(ids(rs.rewritten), partial, "snapshots rewritten");
  assert.deepEqual(ids(rs.unrepairable), whole, "snapshots with nothing left");
  assert.deepEqual(ids(rs.damaged), want.damagedSnapshots, "damaged snapshot objects");
  assert.deepEqual([...rs.removed].sort(), [...partial, ...whole, ...want.damagedSnapshots].sort(), "snapshots removed by --forget");
}

/** assertRestores: each snapshot (or its repaired copy) restores its pristine content minus exactly the lost paths. */
export async function assertRestores(w: World, d: Damage, want: Expected, pw: string): Promise<void> {
  await using(w, pw, async (repo) => {
    await repo.loadIndex();
    const { snapshots, damaged } = await loadSnapshots(repo);
    assert.deepEqual(damaged, [], "no damaged snapshot is left");
    const byOriginal = new Map((snapshots as (Snapshot & { original?: string })[]).filter((s) => s.original).map((s) => [s.original!, s]));
    const live = new Map(snapshots.map((s) => [s.id!, s]));
    let expectCount = 0;
    for (const layout of w.snapshots) {
      const lost = want.snapshots.get(layout.id);
      const gone = want.damagedSnapshots.includes(layout.id) || lost?.[0] === "/";
      assert.ok(!live.has(layout.id) || lost === undefined, `snapshot ${layout.id.slice(0, 8)} should have been replaced`);
      if (gone) continue;
      expectCount++;
      const sn = lost === undefined ? live.get(layout.id) : byOriginal.get(layout.id);
      assert.ok(sn, `snapshot ${layout.id.slice(0, 8)} (or its repaired copy) is there`);
      if (lost !== undefined) assert.ok(sn.tags.includes(REPAIRED_TAG), "a rewritten snapshot is tagged repaired");
      assertSameEntries(await restored(repo, sn, join(w.env.dir, "restore")), without(w.restored.get(layout.id)!, lost ?? []));
    }
    assert.equal(snapshots.length, expectCount, "no other snapshots");
  });
}

async function restored(repo: Repository, sn: Snapshot, target: string): Promise<Hashed> {
  await rm(target, { recursive: true, force: true });
  const res = await restore(repo, sn, { target });
  assert.deepEqual(res.errors, [], `restore ${sn.id!.slice(0, 8)}`);
  const out = await hashTree(target);
  await rm(target, { recursive: true, force: true });
  return out;
}

/** without drops the lost paths (and everything under lost folders) from a restored tree. */
function without(all: Hashed, lost: string[]): Hashed {
  const rel = lost.map((p) => p.slice(1));
  return new Map([...all].filter(([k]) => !rel.some((l) => k === l || k.startsWith(`${l}/`))));
}
