/**
 * @module prune/prune.test
 * prune on a real local repository: after a snapshot is forgotten, packs only it used are
 * removed and partly used packs are repacked, while every remaining snapshot still
 * restores identical; unindexed packs are removed only once older than the grace period;
 * a dry run changes nothing; and a prune that crashes between its steps leaves a repository
 * that passes check, restores, and is cleaned up by the next prune.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readdir, stat, utimes } from "node:fs/promises";
import { join } from "node:path";
import { backup } from "../backup/backup.ts";
import { createLocalBackend } from "../backends/local/index.ts";
import { check } from "../check/check.ts";
import { blobId } from "../crypto/keys.ts";
import { MasterIndex } from "../repository/index/masterindex.ts";
import { openRepository } from "../repository/open.ts";
import { loadSnapshots } from "../repository/snapshots.ts";
import { Uploader } from "../repository/uploader.ts";
import { restore } from "../restore/restore.ts";
import { faultyBackend } from "../testing/faultyBackend.ts";
import { createTestRepo, type TestRepo } from "../testing/repo.ts";
import { hashTree, writeTree, type TreeSpec } from "../testing/tree.ts";
import { prune, type PruneOptions } from "./prune.ts";

interface Fixture extends TestRepo {
  srcB: string;
  idB: string;
  /** The tree B as backed up, to compare restores with. */
  hashB: Awaited<ReturnType<typeof hashTree>>;
  /** Data bytes of each file, by name. */
  bytes: Record<string, Buffer>;
}

/**
 * withForgotten backs up A = {a, shared} and B = {b, shared} (`shared` has the same bytes),
 * then forgets A, as `forget` does, by removing its snapshot object.
 */
async function withForgotten(packSize: number | undefined, files: { a: Buffer; b: Buffer; shared: Buffer }, fn: (f: Fixture) => Promise<void>): Promise<void> {
  const t = await createTestRepo(packSize ? { packSize } : {});
  try {
    const spec = (own: string, data: Buffer): TreeSpec => ({ [own]: data, "shared.bin": files.shared, sub: { "note.txt": own } });
    const srcA = join(t.dir, "A");
    const srcB = join(t.dir, "B");
    await writeTree(srcA, spec("a.bin", files.a));
    await writeTree(srcB, spec("b.bin", files.b));
    const { snapshotId: idA } = await backup(await t.reopen(), { paths: [srcA] });
    const { snapshotId: idB } = await backup(await t.reopen(), { paths: [srcB] });
    await t.repo.backend.remove({ type: "snapshot", name: idA });
    await fn({ ...t, srcB, idB, hashB: await hashTree(srcB), bytes: { "a.bin": files.a, "b.bin": files.b, "shared.bin": files.shared } });
  } finally {
    await t.cleanup();
  }
}

async function pruneFresh(t: TestRepo, opts: PruneOptions = {}) {
  return prune(await t.reopen(), opts);
}

/** packOf returns the pack holding a file's (single) blob, or undefined if no index lists it. */
async function packOf(t: TestRepo, data: Buffer): Promise<string | undefined> {
  const repo = await t.reopen();
  await repo.loadIndex();
  return repo.index.get(blobId(repo.key, data))?.packId;
}

async function packFiles(t: TestRepo): Promise<Set<string>> {
  const out = new Set<string>();
  for (const sub of await readdir(join(t.path, "data"))) for (const n of await readdir(join(t.path, "data", sub))) out.add(n);
  return out;
}

/** assertHealthy: check --read-data finds nothing, and snapshot B restores identical. */
async function assertHealthy(f: Fixture, opts: { noWarnings: boolean }): Promise<void> {
  const res = await check(await f.reopen(), { readData: true });
  assert.deepEqual(res.errors, []);
  if (opts.noWarnings) assert.deepEqual(res.warnings, []);
  const repo = await f.reopen();
  await repo.loadIndex();
  const sn = (await loadSnapshots(repo)).snapshots.find((s) => s.id === f.idB);
  assert.ok(sn, "snapshot B is still there");
  const target = join(f.dir, `restore-${randomBytes(4).toString("hex")}`);
  const r = await restore(repo, sn, { target });
  assert.deepEqual(r.errors, []);
  assert.deepEqual(await hashTree(join(target, f.srcB)), f.hashB, "snapshot B restores identical");
}

const BIG = () => ({ a: randomBytes(70 * 1024), b: randomBytes(70 * 1024), shared: randomBytes(70 * 1024) });

test("after a forget, prune removes packs only the forgotten snapshot used and keeps what the others need", async () => {
  // 64 KiB packs and 70 KiB files: every file blob has a pack of its own.
  await withForgotten(64 * 1024, BIG(), async (f) => {
    const packA = await packOf(f, f.bytes["a.bin"]!);
    const packShared = await packOf(f, f.bytes["shared.bin"]!);
    const packB = await packOf(f, f.bytes["b.bin"]!);
    assert.ok(packA && packShared && packB && new Set([packA, packShared, packB]).size === 3);
    const r = await pruneFresh(f);
    assert.ok(r.packsRemoved >= 2, "A's data pack and A's tree pack are removed");
    assert.equal(r.packsRepacked, 0);
    const left = await packFiles(f);
    assert.ok(!left.has(packA), "the pack only A used is gone");
    assert.ok(left.has(packShared), "the pack A wrote that B also uses is kept");
    assert.ok(left.has(packB));
    assert.equal(await packOf(f, f.bytes["a.bin"]!), undefined, "A's blob is no longer indexed");
    await assertHealthy(f, { noWarnings: true });
    assert.equal((await pruneFresh(f)).packsRemoved, 0, "a second prune finds nothing to do");
  });
});

test("prune repacks a pack whose used share is below the threshold, carrying the used blobs over", async () => {
  // Default 16 MiB packs: A's files share one data pack, most of it A's own file.
  await withForgotten(undefined, { a: randomBytes(300_000), b: randomBytes(10_000), shared: randomBytes(20_000) }, async (f) => {
    const oldPack = await packOf(f, f.bytes["shared.bin"]!);
    assert.equal(oldPack, await packOf(f, f.bytes["a.bin"]!), "a and shared were packed together");
    const r = await pruneFresh(f);
    assert.ok(r.packsRepacked >= 1 && r.blobsRepacked >= 1);
    assert.ok(r.bytesFreed >= 300_000);
    const newPack = await packOf(f, f.bytes["shared.bin"]!);
    assert.ok(newPack && newPack !== oldPack, "the shared blob moved to a new pack");
    assert.ok(!(await packFiles(f)).has(oldPack!), "the old pack is removed");
    assert.equal(await packOf(f, f.bytes["a.bin"]!), undefined);
    await assertHealthy(f, { noWarnings: true });
  });
});

test("unindexed packs are kept while younger than the grace period and removed once older", async () => {
  await withForgotten(undefined, BIG(), async (f) => {
    await pruneFresh(f);
    // A pack a running (or killed) backup wrote but has not indexed yet.
    const repo = await f.reopen();
    let orphan = "";
    const up = new Uploader({
      backend: repo.backend, key: repo.key, index: new MasterIndex(), packSize: repo.config.packSize,
      writeIndex: async (packs) => { orphan = packs[0]![0]; },
    });
    await up.saveBlob("data", randomBytes(5000));
    await up.finish();
    assert.ok((await packFiles(f)).has(orphan));

    const young = await pruneFresh(f, { graceMs: 3600_000 });
    assert.equal(young.orphansRemoved, 0);
    assert.ok((await packFiles(f)).has(orphan), "a young unindexed pack is left alone");

    const file = join(f.path, "data", orphan.slice(0, 2), orphan);
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    await utimes(file, twoHoursAgo, twoHoursAgo);
    const old = await pruneFresh(f, { graceMs: 3600_000 });
    assert.equal(old.orphansRemoved, 1);
    assert.ok(!(await packFiles(f)).has(orphan), "an unindexed pack older than the grace period is removed");
    await assertHealthy(f, { noWarnings: true });
  });
});

test("a dry run reports what it would remove and changes nothing", async () => {
  await withForgotten(64 * 1024, BIG(), async (f) => {
    const listing = async () => {
      const out: string[] = [];
      for (const dir of ["data", "index", "snapshots", "keys"]) {
        for (const e of await readdir(join(f.path, dir), { recursive: true })) {
          const st = await stat(join(f.path, dir, e));
          if (st.isFile()) out.push(`${dir}/${e} ${st.size} ${st.mtimeMs}`);
        }
      }
      return out.sort();
    };
    const before = await listing();
    const r = await pruneFresh(f, { dryRun: true });
    assert.equal(r.dryRun, true);
    assert.ok(r.packsRemoved >= 2 && r.bytesFreed > 0, "the dry run reports the removable packs");
    assert.deepEqual(await listing(), before, "no object was written or removed");
    assert.ok(await packOf(f, f.bytes["a.bin"]!), "A's blob is still indexed");
  });
});

test("a prune that crashes between its steps leaves a repository that checks, restores, and prunes clean", async () => {
  const crashes: [string, (h: { type: string }) => boolean][] = [
    ["removing the old index objects", (h) => h.type === "index"],
    ["removing packs", (h) => h.type === "pack"],
  ];
  for (const [when, which] of crashes) {
    await withForgotten(undefined, { a: randomBytes(300_000), b: randomBytes(10_000), shared: randomBytes(20_000) }, async (f) => {
      const be = faultyBackend(createLocalBackend(f.path));
      be.addFault("remove").onlyFor(which).errorInstead(new Error("simulated crash"));
      const repo = await openRepository(be, f.password, { cacheDir: null });
      await assert.rejects(prune(repo, {}), /simulated crash/, `${when}: the fault fired`);
      await assertHealthy(f, { noWarnings: false });
      // Packs the crashed prune did not get to remove are unindexed now; no backup runs, so no grace.
      const r = await pruneFresh(f, { graceMs: 0 });
      assert.ok(r.packsRemoved + r.packsRepacked + r.orphansRemoved > 0, `${when}: the next prune finishes the job`);
      await assertHealthy(f, { noWarnings: true });
      assert.equal(await packOf(f, f.bytes["a.bin"]!), undefined, `${when}: the forgotten data is gone`);
      assert.equal((await pruneFresh(f)).packsRemoved, 0, `${when}: nothing left to prune`);
    });
  }
});
