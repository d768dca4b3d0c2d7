/**
 * @module repository/repair/packs.test
 * `repairPacks` on real repositories: a healthy one is left untouched; a damaged blob is
 * lost and named (blob, file, snapshot) while the rest of its pack is salvaged; a damaged
 * header loses nothing while an index object still lists the pack; with both gone the
 * walk still names the files; a dry run writes nothing; an abort stops it cleanly; an
 * unreliable read is an error, never taken for damage.
 */
import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { createLocalBackend } from "../../backends/local/index.ts";
import { check } from "../../check/check.ts";
import { faultyBackend, type FaultyBackend } from "../../testing/faultyBackend.ts";
import { openRepository } from "../open.ts";
import { flipAt, listing, packFile, packOfFile, withDamageable } from "./_testkit.ts";
import { repairPacks } from "./packs.ts";
import { repairSnapshots } from "./snapshots.ts";

test("a healthy repository: nothing lost, nothing written", async () => {
  await withDamageable(async (f) => {
    const before = await listing(f);
    const r = await repairPacks(await f.open());
    assert.equal(r.lost, false);
    assert.deepEqual([r.damagedPacks, r.lostBlobs, r.snapshots, r.index.rewritten], [[], [], [], false]);
    assert.deepEqual(await listing(f), before);
  });
});

test("a damaged blob is lost and named per snapshot; the rest of the pack is kept; check is clean after repair snapshots", async () => {
  await withDamageable(async (f) => {
    await flipAt(packFile(f, f.pack), f.offset + 10); // inside b.bin's blob
    const r = await repairPacks(await f.open());
    assert.equal(r.lost, true);
    assert.deepEqual(r.damagedPacks.map((d) => [d.id, d.listFrom, d.lost]), [[f.pack, "header", 1]]);
    assert.deepEqual(r.lostBlobs.map((b) => [b.id, b.type, b.pack]), [[f.blob, "data", f.pack]]);
    assert.deepEqual(r.snapshots.map((s) => [s.id, s.lost.map((l) => l.path)]), f.snaps.map((id) => [id, [`${f.src}/b.bin`]]));
    assert.equal(r.packsRemoved, 1);
    assert.ok(!(await listing(f)).some((p) => p.endsWith(f.pack)), "the damaged pack is gone");
    const rs = await repairSnapshots(await f.open(), { forget: true });
    assert.deepEqual(rs.rewritten.map((s) => s.id).sort(), [...f.snaps].sort());
    assert.deepEqual((await check(await f.open(), { readData: true })).errors, []);
  });
});

test("a damaged header loses nothing while the index lists the pack", async () => {
  await withDamageable(async (f) => {
    await flipAt(packFile(f, f.pack), -10);
    const r = await repairPacks(await f.open());
    const [d] = r.damagedPacks;
    assert.deepEqual([d?.listFrom, d?.lost], ["index", 0]);
    assert.ok(d!.salvaged >= 2 && r.blobsSalvaged === d!.salvaged, "every blob of the pack is copied");
    assert.equal(r.lost, false);
    assert.deepEqual((await check(await f.open(), { readData: true })).errors, []);
  });
});

test("header and index both damaged: the pack's blobs are unknown, the walk still names the file", async () => {
  await withDamageable(async (f) => {
    // Every file with a blob in that pack will be lost (b.bin among them), and no other.
    const inPack = new Set<string>();
    for (const name of ["a.bin", "b.bin", "note.md", "d.bin"]) if (await packOfFile(f, name) === f.pack) inPack.add(`${f.src}/${name}`);
    await flipAt(packFile(f, f.pack), -10);
    for (const name of await readdir(join(f.path, "index"))) await flipAt(join(f.path, "index", name), 20);
    const r = await repairPacks(await f.open());
    assert.deepEqual(r.damagedPacks.map((d) => [d.listFrom, d.blobs]), [["none", null]]);
    assert.equal(r.lost, true);
    assert.ok(r.index.damaged.length >= 1);
    assert.equal(r.snapshots.length, 2);
    for (const s of r.snapshots) {
      assert.ok(s.lost.some((l) => l.path === `${f.src}/b.bin`), "b.bin is lost");
      assert.ok(s.lost.every((l) => inPack.has(l.path)), `only files of the pack: ${s.lost.map((l) => l.path).join(" ")}`);
    }
  });
});

test("a dry run reports the same and writes nothing", async () => {
  await withDamageable(async (f) => {
    await flipAt(packFile(f, f.pack), f.offset + 10);
    const before = await listing(f);
    const r = await repairPacks(await f.open(), { dryRun: true });
    assert.deepEqual([r.dryRun, r.packsRemoved, r.packsWritten, r.index.rewritten], [true, 0, 0, false]);
    assert.deepEqual(r.lostBlobs.map((b) => b.id), [f.blob]);
    assert.equal(r.snapshots.length, 2);
    assert.deepEqual(await listing(f), before);
  });
});

test("an abort while reading stops repair with the abort and changes nothing", async () => {
  await withDamageable(async (f) => {
    await flipAt(packFile(f, f.pack), f.offset + 10);
    const before = await listing(f);
    const ac = new AbortController();
    await assert.rejects(repairPacks(await f.open(), { signal: ac.signal, onPack: () => ac.abort() }), (e: Error) => e.name === "AbortError" || /abort/i.test(String(e.cause)));
    assert.deepEqual(await listing(f), before);
  });
});

test("a short read or a pack that reads differently twice is an error, never damage: nothing is removed", async () => {
  await withDamageable(async (f) => {
    const before = await listing(f);
    for (const arm of [(be: FaultyBackend) => be.addFault("load").truncate(7), (be: FaultyBackend) => be.addFault("load").corrupt()]) {
      const be = faultyBackend(createLocalBackend(f.path));
      const repo = await openRepository(be, f.password, { cacheDir: null });
      arm(be).onlyFor((h) => h.type === "pack" && h.name === f.pack);
      try {
        await assert.rejects(repairPacks(repo), /got \d+ of its \d+ bytes|read differently twice/);
      } finally {
        await repo.close();
      }
      assert.deepEqual(await listing(f), before);
    }
  });
});
