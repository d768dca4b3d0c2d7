/**
 * @module repository/index/masterindex.test
 * The in-memory index: merging index objects and pack headers, first-wins duplicates, the
 * compact on-disk tuple form, and shape validation of decoded index objects.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type { LocatedBlob } from "../pack/format.ts";
import { validateIndexFile, type IndexFile } from "./indexfile.ts";
import { MasterIndex, packsToIndexFile } from "./masterindex.ts";

const hex = () => randomBytes(32).toString("hex");

function located(type: "data" | "tree", offset: number, length: number, compressed = false): LocatedBlob {
  return { id: hex(), type, offset, length, rawLength: length * 2, compressed };
}

test("addPack records every blob's location and a per-pack summary", () => {
  const idx = new MasterIndex();
  const pack = hex();
  const blobs = [located("data", 0, 100, true), located("tree", 100, 40)];
  idx.addPack(pack, blobs);
  assert.deepEqual(idx.get(blobs[0]!.id), { packId: pack, type: "data", offset: 0, length: 100, rawLength: 200, compressed: true });
  assert.deepEqual(idx.get(blobs[1]!.id), { packId: pack, type: "tree", offset: 100, length: 40, rawLength: 80, compressed: false });
  assert.ok(idx.has(blobs[0]!.id));
  assert.ok(!idx.has(hex()));
  assert.equal(idx.get(hex()), undefined);
  assert.deepEqual(idx.packs.get(pack), { blobs: 2, bytes: 140 });
  assert.equal(idx.countType("data"), 1);
  assert.equal(idx.countType("tree"), 1);
});

test("an empty pack is still known as a pack", () => {
  const idx = new MasterIndex();
  const pack = hex();
  idx.addPack(pack, []);
  assert.deepEqual(idx.packs.get(pack), { blobs: 0, bytes: 0 });
  assert.equal(idx.blobs.size, 0);
});

test("a blob in two packs: the first location wins, both packs count it", () => {
  const idx = new MasterIndex();
  const [p1, p2] = [hex(), hex()];
  const blob = located("data", 0, 10);
  idx.addPack(p1, [blob]);
  idx.addPack(p2, [located("data", 0, 5), { ...blob, offset: 5 }]);
  assert.equal(idx.get(blob.id)!.packId, p1);
  assert.equal(idx.get(blob.id)!.offset, 0);
  assert.equal(idx.blobs.size, 2);
  assert.deepEqual(idx.packs.get(p2), { blobs: 2, bytes: 15 });
});

test("packsToIndexFile then addIndexFile reproduces what addPack records", () => {
  const packs: [string, LocatedBlob[]][] = [
    [hex(), [located("data", 0, 100, true), located("data", 100, 30)]],
    [hex(), [located("tree", 0, 60, true)]],
  ];
  const file = packsToIndexFile(packs);
  assert.equal(file.version, 1);
  assert.equal(file.supersedes, undefined);
  // Survives JSON (the stored form) and validation.
  const stored = validateIndexFile(JSON.parse(JSON.stringify(file)) as IndexFile);
  const fromFile = new MasterIndex();
  const indexId = hex();
  fromFile.addIndexFile(indexId, stored);
  const direct = new MasterIndex();
  for (const [id, blobs] of packs) direct.addPack(id, blobs);
  assert.deepEqual([...fromFile.blobs], [...direct.blobs]);
  assert.deepEqual([...fromFile.packs], [...direct.packs]);
  assert.deepEqual([...fromFile.indexIds], [indexId]);
});

test("packsToIndexFile records supersedes only when non-empty", () => {
  const old = [hex(), hex()];
  assert.deepEqual(packsToIndexFile([], old), { version: 1, supersedes: old, packs: [] });
  assert.deepEqual(packsToIndexFile([], []), { version: 1, packs: [] });
});

test("two index objects listing the same pack: first wins, every contributor recorded", () => {
  const pack = hex();
  const blob = located("data", 0, 10);
  const a = packsToIndexFile([[pack, [blob]]]);
  const b = packsToIndexFile([[hex(), [{ ...blob, offset: 99 }]]]);
  const idx = new MasterIndex();
  const [ia, ib] = [hex(), hex()];
  idx.addIndexFile(ia, a);
  idx.addIndexFile(ib, b);
  assert.equal(idx.get(blob.id)!.packId, pack);
  assert.equal(idx.get(blob.id)!.offset, 0);
  assert.deepEqual([...idx.indexIds].sort(), [ia, ib].sort());
});

test("validateIndexFile accepts a well-formed object and rejects malformed shapes", () => {
  const ok: IndexFile = { version: 1, packs: [{ id: hex(), blobs: [[hex(), "d", 0, 1, 1, 0]] }] };
  assert.equal(validateIndexFile(ok), ok);
  const bad: [string, unknown][] = [
    ["null", null],
    ["a string", "index"],
    ["version 2", { version: 2, packs: [] }],
    ["no version", { packs: [] }],
    ["packs not an array", { version: 1, packs: {} }],
    ["packs missing", { version: 1 }],
    ["pack id not a string", { version: 1, packs: [{ id: 7, blobs: [] }] }],
    ["pack blobs missing", { version: 1, packs: [{ id: hex() }] }],
  ];
  for (const [label, value] of bad) {
    assert.throws(() => validateIndexFile(value as IndexFile), /malformed/, label);
  }
});
