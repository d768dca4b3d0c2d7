/**
 * @module backup/contentlist.test
 * Files with many blobs on a real repository: the stored tree holds content list blob ids
 * instead of the content, restore gives the same bytes, and a backup after a small change
 * in the middle of the file stores only a few new list blobs (docs/design.md §6).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, sep } from "node:path";
import { CONTENT_LIST_MIN } from "../model/contentlist.ts";
import { decodeTree, type Node, type Snapshot } from "../model/index.ts";
import type { Repository } from "../repository/repository.ts";
import { restore } from "../restore/restore.ts";
import { createTestRepo, type TestRepo } from "../testing/repo.ts";
import { backup } from "./backup.ts";

/** Small FastCDC chunks, so a 400 KiB file has several hundred blobs. */
const SMALL_CHUNKS = { chunker: { min: 256, avg: 512, max: 2048 } };

/** fileNode returns the node of the file at absolute `path` as loadTree gives it, and as stored. */
async function fileNode(repo: Repository, sn: Snapshot, path: string): Promise<{ loaded: Node; stored: Node }> {
  const parts = path.split(sep).filter((p) => p !== "");
  let tree = sn.tree;
  for (const part of parts.slice(0, -1)) tree = (await repo.loadTree(tree)).nodes.find((n) => n.name === part)!.subtree!;
  const name = parts.at(-1);
  const loaded = (await repo.loadTree(tree)).nodes.find((n) => n.name === name)!;
  const stored = decodeTree(await repo.loadBlob(tree)).nodes.find((n) => n.name === name)!;
  return { loaded, stored };
}

async function restoredBytes(t: TestRepo, sn: Snapshot, file: string): Promise<Buffer> {
  const target = join(t.dir, `restore-${randomBytes(4).toString("hex")}`);
  const r = await restore(t.repo, sn, { target });
  assert.deepEqual(r.errors, []);
  return readFile(join(target, file));
}

const treeBlobs = (repo: Repository) => new Set([...repo.index.blobs].filter(([, e]) => e.type === "tree").map(([id]) => id));

test("a file with many blobs is stored with content lists, restores identical, and a small change stores few new lists", async () => {
  const t = await createTestRepo(SMALL_CHUNKS);
  try {
    const file = join(t.dir, "src", "big.db");
    const small = join(t.dir, "src", "small.txt");
    const data = randomBytes(400 * 1024);
    await mkdir(join(t.dir, "src"));
    await writeFile(file, data);
    await writeFile(small, "hello\n");

    const first = (await backup(t.repo, { paths: [join(t.dir, "src")] })).snapshot;
    const one = await fileNode(t.repo, first, file);
    assert.ok(one.loaded.content!.length >= CONTENT_LIST_MIN + 100, `${one.loaded.content!.length} blobs`);
    assert.equal(one.stored.content, undefined, "the stored node has no inline content");
    assert.ok(one.stored.contentLists!.length >= 10);
    assert.deepEqual(one.loaded.contentLists, one.stored.contentLists, "loadTree keeps the list ids");
    const smallNode = await fileNode(t.repo, first, small);
    assert.equal(smallNode.stored.contentLists, undefined, "a file with few blobs keeps inline content");
    assert.equal(smallNode.stored.content!.length, 1);
    assert.deepEqual(await restoredBytes(t, first, file), data);

    // Unchanged: the parent's node is read back (content and lists) and re-split to the same blobs.
    const same = (await backup(t.repo, { paths: [join(t.dir, "src")] })).snapshot;
    const srcTree = async (sn: Snapshot) => (await fileNode(t.repo, sn, join(t.dir, "src"))).stored.subtree;
    assert.equal(await srcTree(same), await srcTree(first), "an unchanged folder stores the same tree blob");
    assert.deepEqual((await fileNode(t.repo, same, file)).stored.contentLists, one.stored.contentLists);
    const before = treeBlobs(t.repo);

    const changed = Buffer.from(data);
    for (let i = 0; i < 8; i++) changed[200 * 1024 + i]! ^= 0xff;
    await writeFile(file, changed);
    const second = (await backup(t.repo, { paths: [join(t.dir, "src")] })).snapshot;
    const two = await fileNode(t.repo, second, file);
    const newLists = two.stored.contentLists!.filter((id) => !one.stored.contentLists!.includes(id));
    assert.ok(newLists.length >= 1 && newLists.length <= 3, `${newLists.length} new list blobs`);
    const newTrees = [...treeBlobs(t.repo)].filter((id) => !before.has(id));
    const depth = join(t.dir, "src").split(sep).length; // the folders from / down to src change too
    assert.ok(newTrees.length <= depth + 3, `${newTrees.length} new tree blobs for ${depth} folders`);
    // Inline, the ~680 ids alone would be ~24 KiB compressed in the changed tree.
    assert.ok(second.summary.bytesStored < 16 * 1024, `${second.summary.bytesStored} bytes stored`);
    assert.deepEqual(await restoredBytes(t, second, file), changed);
    assert.deepEqual(await restoredBytes(t, first, file), data);
  } finally {
    await t.cleanup();
  }
});
