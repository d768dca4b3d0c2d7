/**
 * @module model/contentlist.test
 * Content list splitting and encoding: groups are deterministic and respect the boundary
 * rule; changing one id changes its own group and at most the next; decoding rejects
 * anything but a list of blob ids.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { CONTENT_LIST_MIN, decodeContentList, encodeContentList, splitContent } from "./contentlist.ts";

const fakeId = (seed: string) => createHash("sha256").update(seed).digest("hex");
const ids = (n: number, tag = "") => Array.from({ length: n }, (_, i) => fakeId(`${tag}${i}`));
const isCut = (id: string) => parseInt(id.slice(0, 4), 16) % 16 === 0;

/** newGroups counts the groups of `b` that `a` does not have. */
function newGroups(a: string[][], b: string[][]): number {
  const old = new Set(a.map((g) => g.join()));
  return b.filter((g) => !old.has(g.join())).length;
}

/** idWhere returns an id (from a deterministic sequence) for which `want` holds. */
function idWhere(tag: string, want: (id: string) => boolean): string {
  for (let i = 0; ; i++) if (want(fakeId(`${tag}-${i}`))) return fakeId(`${tag}-${i}`);
}

test("splitContent is deterministic, keeps every id in order and respects the boundary rule", () => {
  const list = ids(20_000);
  const groups = splitContent(list);
  assert.deepEqual(splitContent([...list]), groups);
  assert.deepEqual(groups.flat(), list);
  groups.forEach((g, i) => {
    const last = i === groups.length - 1;
    assert.ok(g.length <= 256);
    if (!last) assert.ok(g.length === 256 || (g.length >= 4 && isCut(g.at(-1)!)), `group ${i} ends off a boundary`);
    // No earlier cut point was skipped once the group was long enough.
    g.slice(3, -1).forEach((id) => assert.ok(!isCut(id)));
  });
  const mean = list.length / groups.length;
  assert.ok(mean > 14 && mean < 24, `mean group size ${mean}`);
  assert.deepEqual(splitContent([]), []);
  assert.deepEqual(splitContent(list.slice(0, 3)), [list.slice(0, 3)]);
});

test("a group without a cut point ends at 256 ids", () => {
  const noCut = Array.from({ length: 600 }, (_, i) => idWhere(`nc${i}`, (id) => !isCut(id)));
  assert.deepEqual(splitContent(noCut).map((g) => g.length), [256, 256, 88]);
});

test("changing one id changes only its group, or its group and the next", () => {
  const list = ids(5_000);
  const before = splitContent(list);
  for (let at = 100; at < 4_900; at += 97) {
    const same = [...list];
    same[at] = idWhere(`same${at}`, (id) => isCut(id) === isCut(list[at]!));
    assert.equal(newGroups(before, splitContent(same)), 1, `same boundary kind at ${at}`);
    if (isCut(list[at]!)) {
      const merged = [...list];
      merged[at] = idWhere(`flip${at}`, (id) => !isCut(id));
      assert.equal(newGroups(before, splitContent(merged)), 1, `boundary removed at ${at}`);
    }
  }
  // The edits an hourly database copy makes: ids replaced in place at scattered offsets.
  const edited = [...list];
  for (const at of [500, 1_700, 3_333]) edited[at] = fakeId(`edit${at}`);
  assert.ok(newGroups(before, splitContent(edited)) <= 6);
});

test("a new cut point splits its group and rejoins the old cuts within the next group", () => {
  const list = ids(5_000);
  const before = splitContent(list);
  let starts = 0;
  for (const g of before.slice(1, -2)) {
    starts += g.length;
    if (g.length < 12) continue;
    const at = starts - g.length + 5; // inside the group, away from its ends
    if (isCut(list[at]!)) continue;
    const split = [...list];
    split[at] = idWhere(`cut${at}`, isCut);
    const after = splitContent(split);
    assert.deepEqual(after.flat(), split);
    // Old groups replaced: the one split and at most the next.
    assert.ok(newGroups(after, before) <= 2, `new cut at ${at}: ${newGroups(after, before)} groups replaced`);
  }
});

test("encodeContentList is deterministic JSON and decodes back", () => {
  const list = ids(CONTENT_LIST_MIN);
  const bytes = encodeContentList(list);
  assert.equal(Buffer.from(bytes).toString("utf8"), JSON.stringify({ content: list }) + "\n");
  assert.deepEqual(Buffer.from(encodeContentList([...list])), Buffer.from(bytes));
  assert.deepEqual(decodeContentList(bytes), list);
});

test("decodeContentList rejects anything but a list of blob ids", () => {
  const bad = [
    "not json", "null", "[]", '{"nodes":[]}', '{"content":"abc"}', '{"content":[1]}',
    `{"content":["${"A".repeat(64)}"]}`, `{"content":["${"a".repeat(63)}"]}`, `{"content":["${fakeId("x")}", null]}`,
  ];
  for (const text of bad) {
    assert.throws(() => decodeContentList(Buffer.from(text)), (err: Error) => err.message === "decode content list" && err.cause instanceof Error, text);
  }
});
