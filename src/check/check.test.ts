/**
 * @module check/check.test
 * `check` on a real repository: a healthy one is clean; each kind of damage is an error
 * naming the damaged object; damage inside a pack is found only by readData; an unindexed
 * pack is a warning; damaged key files and records are errors. Also the
 * --read-data-subset parsing and pack selection.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFile, readdir, rm, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { backup } from "../backup/backup.ts";
import { createTestRepo, type TestRepo } from "../testing/repo.ts";
import { writeTree } from "../testing/tree.ts";
import { check, type CheckResult } from "./check.ts";
import { parseSubset, selectPacks } from "./readdata.ts";

interface Fixture extends TestRepo {
  snapshotId: string;
  dataPack: string;
  treePack: string;
}

/** withBackup runs `fn` on a repository holding one snapshot of a small tree. */
async function withBackup(fn: (f: Fixture) => Promise<void>): Promise<void> {
  const t = await createTestRepo();
  try {
    const src = join(t.dir, "src");
    await writeTree(src, { "a.txt": "alpha\n".repeat(100), "b.bin": randomBytes(10_000), sub: { "c.txt": "gamma" } });
    const { snapshotId } = await backup(t.repo, { paths: [src] });
    const entries = [...t.repo.index.blobs.values()];
    const dataPack = entries.find((e) => e.type === "data")!.packId;
    const treePack = entries.find((e) => e.type === "tree")!.packId;
    assert.notEqual(dataPack, treePack);
    await fn({ ...t, snapshotId, dataPack, treePack });
  } finally {
    await t.cleanup();
  }
}

const packFile = (f: TestRepo, id: string) => join(f.path, "data", id.slice(0, 2), id);

async function flipByte(file: string, at: number): Promise<void> {
  const b = await readFile(file);
  b[at]! ^= 0x01;
  await writeFile(file, b);
}

async function checkFresh(f: TestRepo, readData = false): Promise<CheckResult> {
  return check(await f.reopen(), { readData });
}

const named = (r: CheckResult, object: string) => r.errors.filter((e) => e.object === object);

test("a healthy repository has no errors or warnings, with and without readData", async () => {
  await withBackup(async (f) => {
    const r = await checkFresh(f);
    assert.deepEqual([r.errors, r.warnings], [[], []]);
    assert.equal(r.snapshots, 1);
    assert.ok(r.trees >= 2);
    assert.equal(r.packsRead, 0);
    const repo = await f.reopen();
    const full = await check(repo, { readData: true });
    assert.deepEqual([full.errors, full.warnings], [[], []]);
    assert.equal(full.packsRead, full.packs);
    assert.equal(full.blobsRead, repo.index.blobs.size);
  });
});

test("a deleted pack is an error saying it is missing, naming the pack", async () => {
  await withBackup(async (f) => {
    await rm(packFile(f, f.dataPack));
    const r = await checkFresh(f);
    const hits = named(r, `pack ${f.dataPack}`);
    assert.equal(hits.length, 1);
    assert.match(hits[0]!.message, /missing/);
  });
});

test("a truncated pack is an error naming the pack", async () => {
  await withBackup(async (f) => {
    const file = packFile(f, f.dataPack);
    await truncate(file, (await readFile(file)).length - 1);
    const r = await checkFresh(f);
    assert.equal(named(r, `pack ${f.dataPack}`).length, 1);
    assert.match(named(r, `pack ${f.dataPack}`)[0]!.message, /truncated/);
  });
});

test("a flipped byte inside a data blob is found only by readData, which names the pack", async () => {
  await withBackup(async (f) => {
    await flipByte(packFile(f, f.dataPack), 20);
    const structural = await checkFresh(f);
    assert.deepEqual(structural.errors, []);
    const full = await checkFresh(f, true);
    assert.ok(full.errors.length > 0);
    assert.ok(full.errors.every((e) => e.object === `pack ${f.dataPack}`), JSON.stringify(full.errors));
    assert.ok(full.errors.some((e) => /blob [0-9a-f]{8}/.test(e.message)), "the damaged blob is named too");
  });
});

test("a flipped byte in a tree pack is found by the structural check (trees are read)", async () => {
  await withBackup(async (f) => {
    await flipByte(packFile(f, f.treePack), 20);
    const r = await checkFresh(f);
    assert.ok(named(r, `pack ${f.treePack}`).length > 0, JSON.stringify(r.errors));
  });
});

test("a damaged snapshot object is an error naming the snapshot", async () => {
  await withBackup(async (f) => {
    await flipByte(join(f.path, "snapshots", f.snapshotId), 40);
    const r = await checkFresh(f);
    assert.equal(named(r, `snapshot ${f.snapshotId}`).length, 1);
    assert.equal(r.snapshots, 0);
  });
});

test("a damaged index object is an error naming it", async () => {
  await withBackup(async (f) => {
    const [name] = await readdir(join(f.path, "index"));
    await flipByte(join(f.path, "index", name!), 40);
    const r = await checkFresh(f);
    assert.equal(named(r, `index ${name}`).length, 1);
  });
});

test("a damaged key file and a damaged signed record are errors naming them (nothing else reads them)", async () => {
  await withBackup(async (f) => {
    const [key] = await readdir(join(f.path, "keys"));
    const repo = await f.reopen();
    const record = await repo.saveObject("record", { version: 1, kind: "test", subject: "s", seq: 1, prev: null, time: "t", body: {}, hmac: "" });
    assert.deepEqual((await checkFresh(f)).errors, []);
    await flipByte(join(f.path, "keys", key!), 30);
    await flipByte(join(f.path, "records", record), 30);
    const r = await check(repo);
    assert.equal(named(r, `key ${key}`).length, 1);
    assert.match(named(r, `key ${key}`)[0]!.message, /lifeboat key remove/);
    assert.equal(named(r, `record ${record}`).length, 1);
    assert.match(named(r, `record ${record}`)[0]!.message, /lifeboat repair records/);
  });
});

test("a pack no index lists is a warning, not an error", async () => {
  await withBackup(async (f) => {
    const before = new Set(await readdir(join(f.path, "index")));
    const repo = await f.reopen();
    await repo.loadIndex();
    const id = await repo.withUploader(async (s) => (await s.saveBlob("data", randomBytes(2000))).id);
    const orphan = repo.index.get(id)!.packId;
    for (const n of await readdir(join(f.path, "index"))) if (!before.has(n)) await rm(join(f.path, "index", n));
    const r = await checkFresh(f, true);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.warnings.map((w) => w.object), [`pack ${orphan}`]);
    assert.equal(r.packsRead, r.packs - 1, "readData skips the unindexed pack");
  });
});

test("parseSubset reads percentages and n/t slices, and rejects everything else", () => {
  assert.deepEqual(parseSubset("10%"), { percent: 10 });
  assert.deepEqual(parseSubset("2.5%"), { percent: 2.5 });
  assert.deepEqual(parseSubset("100%"), { percent: 100 });
  assert.deepEqual(parseSubset("2/5"), { n: 2, t: 5 });
  assert.deepEqual(parseSubset("5/5"), { n: 5, t: 5 });
  for (const bad of ["0%", "101%", "-5%", "0/5", "6/5", "1/0", "5", "abc", "", "1/2/3", "%"]) {
    assert.throws(() => parseSubset(bad), /invalid subset/, bad);
  }
});

const packs = Array.from({ length: 200 }, () => randomBytes(32).toString("hex")).sort();

test("selectPacks without a subset returns every pack", () => {
  assert.deepEqual(selectPacks(packs), packs);
});

test("slices 1/t..t/t cover every pack exactly once, and are stable", () => {
  for (const t of [1, 2, 3, 7]) {
    const seen: string[] = [];
    for (let n = 1; n <= t; n++) {
      const slice = selectPacks(packs, { n, t });
      assert.deepEqual(selectPacks(packs, { n, t }), slice);
      seen.push(...slice);
    }
    assert.deepEqual(seen.sort(), packs, `t=${t}`);
  }
});

test("a percentage picks ceil(n·p/100) distinct packs (at least one), sorted", () => {
  const cases: [number, number, number][] = [[200, 10, 20], [200, 0.1, 1], [10, 33, 4], [7, 50, 4], [7, 100, 7], [3, 1, 1]];
  for (const [n, percent, want] of cases) {
    const pool = packs.slice(0, n);
    const got = selectPacks(pool, { percent });
    assert.equal(got.length, want, `${percent}% of ${n}`);
    assert.equal(new Set(got).size, got.length);
    assert.ok(got.every((p) => pool.includes(p)));
    assert.deepEqual(got, [...got].sort());
  }
  assert.deepEqual(selectPacks([], { percent: 50 }), []);
});
