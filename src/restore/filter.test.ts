/**
 * @module restore/filter.test
 * Include/exclude selection for restore (restic's semantics, see filter.ts): an exclude
 * drops a path and everything under it; with includes, a path is restored if it matches,
 * lies under a match, or is a directory needed to reach a match. Relative globs match at
 * any depth; absolute globs are anchored at the snapshot root.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createFilter } from "./filter.ts";

/** picked lists the entries of `tree` the filter selects (a trailing "/" marks a directory). */
function picked(include: string[], exclude: string[], tree: string[]): string[] {
  const f = createFilter(include, exclude);
  return tree.filter((p) => f.selected(p.replace(/\/$/, ""), p.endsWith("/")));
}

const TREE = [
  "/home/", "/home/a/", "/home/a/notes.md", "/home/a/cache/", "/home/a/cache/blob.bin",
  "/home/a/src/", "/home/a/src/main.ts", "/home/a/src/deep/", "/home/a/src/deep/x.md",
  "/etc/", "/etc/hosts",
];

test("no include and no exclude selects everything", () => {
  assert.deepEqual(picked([], [], TREE), TREE);
  assert.ok(createFilter().selected("/anything", false));
});

test("an exclude drops the matching path and everything under it", () => {
  assert.deepEqual(picked([], ["/home/a/cache"], TREE), TREE.filter((p) => !p.startsWith("/home/a/cache")));
  assert.deepEqual(picked([], ["/home"], TREE), ["/etc/", "/etc/hosts"]);
});

test("a relative exclude glob matches at any depth", () => {
  assert.deepEqual(picked([], ["*.md"], TREE), TREE.filter((p) => !p.endsWith(".md")));
  assert.deepEqual(picked([], ["cache"], TREE), TREE.filter((p) => !p.includes("/cache")));
  // A relative glob matches whole names, not substrings of a name.
  assert.deepEqual(picked([], ["ache"], TREE), TREE);
});

test("an absolute exclude glob is anchored at the root", () => {
  assert.deepEqual(picked([], ["/etc/*"], TREE), TREE.filter((p) => p !== "/etc/hosts"));
  // "/a" is not "/home/a".
  assert.deepEqual(picked([], ["/a"], TREE), TREE);
});

test("an include selects the match, its children, and the parents needed to reach it", () => {
  assert.deepEqual(picked(["/home/a/src"], [], TREE), [
    "/home/", "/home/a/", "/home/a/src/", "/home/a/src/main.ts", "/home/a/src/deep/", "/home/a/src/deep/x.md",
  ]);
});

test("an absolute include does not select siblings or unrelated directories", () => {
  const f = createFilter(["/home/a/src/main.ts"]);
  assert.ok(f.selected("/home/a/src/main.ts", false));
  assert.ok(f.selected("/home/a/src", true));
  assert.ok(!f.selected("/home/a/notes.md", false));
  assert.ok(!f.selected("/home/a/cache", true));
  assert.ok(!f.selected("/etc", true));
  assert.ok(!f.selected("/etc/hosts", false));
});

test("an absolute include with wildcards reaches matching directories only", () => {
  const f = createFilter(["/home/*/src"]);
  assert.ok(f.selected("/home", true));
  assert.ok(f.selected("/home/b", true));
  assert.ok(f.selected("/home/b/src/file", false));
  assert.ok(!f.selected("/home/b/other", true));
  assert.ok(!f.selected("/home/b/notes.md", false));
  const deep = createFilter(["/home/**/x.md"]);
  assert.ok(deep.selected("/home/a/src/deep", true));
  assert.ok(deep.selected("/home/a/src/deep/x.md", false));
  assert.ok(!deep.selected("/etc", true));
});

test("a relative include matches at any depth; every directory may lead to a match", () => {
  assert.deepEqual(picked(["*.md"], [], TREE), [
    "/home/", "/home/a/", "/home/a/notes.md", "/home/a/cache/", "/home/a/src/", "/home/a/src/deep/", "/home/a/src/deep/x.md", "/etc/",
  ]);
});

test("exclude wins over include", () => {
  assert.deepEqual(picked(["/home/a/src"], ["deep"], TREE), [
    "/home/", "/home/a/", "/home/a/src/", "/home/a/src/main.ts",
  ]);
  assert.deepEqual(picked(["*.md"], ["/home/a/src"], TREE), [
    "/home/", "/home/a/", "/home/a/notes.md", "/home/a/cache/", "/etc/",
  ]);
});

test("several includes combine as a union", () => {
  assert.deepEqual(picked(["/etc/hosts", "/home/a/notes.md"], [], TREE), ["/home/", "/home/a/", "/home/a/notes.md", "/etc/", "/etc/hosts"]);
});
