/**
 * @module restore/packplan.test
 * The read plan of a restore: each pack read once in ranges that cover its needed blobs,
 * every blob sent to every offset of every file holding it, a missing blob named.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { IndexEntry } from "../repository/index/indexfile.ts";
import { planPacks } from "./packplan.ts";

function index(layout: Record<string, [pack: string, offset: number, length: number]>): (id: string) => IndexEntry | undefined {
  return (id) => {
    const l = layout[id];
    return l && { packId: l[0], type: "data", offset: l[1], length: l[2], rawLength: l[2] * 2, compressed: true };
  };
}

test("a blob used by two files and twice in one lands at all four places; blobs are read pack by pack", () => {
  const lookup = index({ a: ["p1", 0, 100], b: ["p2", 0, 50], c: ["p1", 100, 30], z: ["p2", 50, 10] });
  const plan = planPacks([["a", "b", "a"], ["z", "a", "c"]], lookup);
  assert.deepEqual(plan.missing, []);
  assert.deepEqual(plan.writes, [3, 3]);
  assert.deepEqual(plan.ranges.map((r) => [r.packId, r.offset, r.length, r.blobs.map((b) => b.id)]), [
    ["p1", 0, 130, ["a", "c"]],
    ["p2", 0, 60, ["b", "z"]],
  ]);
  const a = plan.ranges[0]!.blobs[0]!;
  assert.deepEqual(a.targets, [{ file: 0, offset: 0 }, { file: 0, offset: 300 }, { file: 1, offset: 20 }], "offsets add the raw lengths before");
});

test("a gap wider than maxGap or a range past maxRange starts a new read", () => {
  const lookup = index({ a: ["p", 0, 10], b: ["p", 15, 10], c: ["p", 100, 10], d: ["p", 110, 50] });
  const plan = planPacks([["a", "b", "c", "d"]], lookup, { maxGap: 5, maxRange: 40 });
  assert.deepEqual(plan.ranges.map((r) => [r.offset, r.length]), [[0, 25], [100, 10], [110, 50]]);
});

test("a file with a blob the index lacks is reported, the others are planned", () => {
  const plan = planPacks([["a", "gone"], ["a"]], index({ a: ["p", 0, 10] }));
  assert.deepEqual(plan.missing, [{ file: 0, id: "gone" }]);
  assert.deepEqual(plan.ranges[0]!.blobs[0]!.targets.map((t) => t.file), [0, 1]);
});
