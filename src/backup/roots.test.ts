/**
 * @module backup/roots.test
 * Backup paths become the top of the snapshot tree: nested and duplicate paths are dropped,
 * and sibling paths share their parent directories once (restic's layout), so restore puts
 * each file back at its absolute path.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { lstat } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import type { Node } from "../model/index.ts";
import { createTestRepo } from "../testing/repo.ts";
import { writeTree } from "../testing/tree.ts";
import { backup } from "./backup.ts";
import { normalizePaths } from "./roots.ts";

test("normalizePaths drops duplicates and paths inside another path, and sorts", () => {
  assert.deepEqual(normalizePaths(["/b/x", "/a", "/a/inner", "/b/x", "/a/inner/deeper", "/b/x/"]), ["/a", "/b/x"]);
});

test("normalizePaths keeps siblings that merely share a name prefix", () => {
  assert.deepEqual(normalizePaths(["/data/ab", "/data/a", "/data/a-b"]), ["/data/a", "/data/a-b", "/data/ab"]);
});

test("normalizePaths resolves relative paths and dot segments", () => {
  assert.deepEqual(normalizePaths(["rel/dir", "./rel/dir/sub", "/x/../y"]), [resolve("rel/dir"), "/y"].sort());
});

test("backing up / swallows every other path", () => {
  assert.deepEqual(normalizePaths(["/home/a", "/", "/etc"]), ["/"]);
});

test("two sibling paths: the tree holds each ancestor once, with both siblings under their shared parent", async () => {
  const t = await createTestRepo();
  try {
    const base = join(t.dir, "src", "agents");
    await writeTree(base, { alpha: { "state.json": "{\"a\":1}" }, beta: { "log.txt": "hello" }, gamma: { "skip.txt": "not backed up" } });
    const { snapshot } = await backup(t.repo, { paths: [join(base, "beta"), join(base, "alpha"), join(base, "alpha", "state.json")] });
    assert.deepEqual(snapshot.paths, [join(base, "alpha"), join(base, "beta")]);

    // Walk down from the root: one node per ancestor level, each a directory.
    let tree = await t.repo.loadTree(snapshot.tree);
    let parentNode: Node | undefined;
    for (const part of base.split(sep).filter(Boolean)) {
      assert.deepEqual(tree.nodes.map((n) => n.name), [part]);
      parentNode = tree.nodes[0]!;
      assert.equal(parentNode.type, "dir");
      assert.ok(parentNode.subtree);
      tree = await t.repo.loadTree(parentNode.subtree);
    }
    // The shared parent lists exactly the two archived siblings, once each.
    assert.deepEqual(tree.nodes.map((n) => n.name), ["alpha", "beta"]);
    const byName = new Map<string, Node>(tree.nodes.map((n) => [n.name, n]));
    const alpha = await t.repo.loadTree(byName.get("alpha")!.subtree!);
    assert.deepEqual(alpha.nodes.map((n) => n.name), ["state.json"]);
    const file = alpha.nodes[0]!;
    assert.equal(file.type, "file");
    assert.equal(Buffer.concat(await Promise.all(file.content!.map((id) => t.repo.loadBlob(id)))).toString(), "{\"a\":1}");
    const beta = await t.repo.loadTree(byName.get("beta")!.subtree!);
    assert.deepEqual(beta.nodes.map((n) => n.name), ["log.txt"]);

    // Intermediate levels carry the real directory's metadata (here: the shared parent).
    const st = await lstat(base, { bigint: true });
    assert.equal(parentNode!.mode, Number(st.mode & 0o7777n));
    assert.equal(parentNode!.mtimeNs, st.mtimeNs.toString());
  } finally {
    await t.cleanup();
  }
});
