/**
 * @module repository/repair/snapshots.test
 * `repairSnapshots` after `repairPacks`: without forget the originals stay and a second run
 * does not write a second copy; a dry run writes nothing; forget removes the originals and
 * snapshot objects that no longer decrypt; a damaged index is refused (repair packs first);
 * a failed read is an error, never taken for damage.
 */
import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { check } from "../../check/check.ts";
import { LifeboatError } from "../../errors/index.ts";
import { createLocalBackend } from "../../backends/local/index.ts";
import { faultyBackend } from "../../testing/faultyBackend.ts";
import { openRepository } from "../open.ts";
import { loadSnapshots } from "../snapshots.ts";
import { flipAt, listing, packFile, withDamageable } from "./_testkit.ts";
import { repairPacks } from "./packs.ts";
import { REPAIRED_TAG, repairSnapshots } from "./snapshots.ts";

test("without forget the originals stay, and running it again writes no second copy", async () => {
  await withDamageable(async (f) => {
    await flipAt(packFile(f, f.pack), f.offset + 10);
    await repairPacks(await f.open());
    const dry = await repairSnapshots(await f.open(), { dryRun: true });
    assert.deepEqual(dry.rewritten.map((r) => r.repaired), [null, null]);
    const before = await listing(f);
    const first = await repairSnapshots(await f.open());
    assert.notDeepEqual(await listing(f), before, "the real run writes");
    assert.deepEqual(first.removed, []);
    const again = await repairSnapshots(await f.open());
    assert.deepEqual(again.rewritten.map((r) => r.repaired).sort(), first.rewritten.map((r) => r.repaired).sort());
    const { snapshots } = await loadSnapshots(await f.open());
    assert.equal(snapshots.length, 4, "two originals, two repaired copies");
    assert.equal(snapshots.filter((s) => s.tags.includes(REPAIRED_TAG)).length, 2);
    const forgot = await repairSnapshots(await f.open(), { forget: true });
    assert.deepEqual([...forgot.removed].sort(), [...f.snaps].sort());
    assert.deepEqual((await check(await f.open(), { readData: true })).errors, []);
  });
});

test("forget removes a snapshot object that does not decrypt; a damaged index is refused", async () => {
  await withDamageable(async (f) => {
    const [snap] = await readdir(join(f.path, "snapshots"));
    await flipAt(join(f.path, "snapshots", snap!), 5);
    const kept = await repairSnapshots(await f.open());
    assert.deepEqual([kept.damaged.map((d) => d.id), kept.removed], [[snap], []]);
    const forgot = await repairSnapshots(await f.open(), { forget: true });
    assert.deepEqual(forgot.removed, [snap]);
    const [index] = await readdir(join(f.path, "index"));
    await flipAt(join(f.path, "index", index!), 5);
    await assert.rejects(repairSnapshots(await f.open()), (e: unknown) => e instanceof LifeboatError && e.message.includes(index!) && /`lifeboat repair` first/.test(e.hint ?? ""));
  });
});

test("a failed read (not damage) stops repair snapshots: nothing is dropped or written", async () => {
  await withDamageable(async (f) => {
    await flipAt(packFile(f, f.pack), f.offset + 10);
    await repairPacks(await f.open());
    const before = await listing(f);
    const be = faultyBackend(createLocalBackend(f.path));
    const repo = await openRepository(be, f.password, { cacheDir: null });
    be.addFault("load").errorInstead(new Error("connection reset")).onlyFor((h) => h.type === "pack").repeat(Infinity);
    try {
      await assert.rejects(repairSnapshots(repo, { forget: true }), /connection reset/);
    } finally {
      await repo.close();
    }
    assert.deepEqual(await listing(f), before);
  });
});
