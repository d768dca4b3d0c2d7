/**
 * @module restore/restore.test
 * Pack-ordered restore: files spread over many packs, blobs repeated within and across
 * files, more files than open handles, come back byte-identical; a damaged blob fails only
 * the files that hold it, and leaves no partial or temporary file behind.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { open, readdir } from "node:fs/promises";
import { join } from "node:path";
import { backup } from "../backup/backup.ts";
import { createTestRepo } from "../testing/repo.ts";
import { hashTree, writeTree, type TreeSpec } from "../testing/tree.ts";
import { restore } from "./restore.ts";

const small = { packSize: 64 * 1024, chunker: { min: 4096, avg: 8192, max: 16384 } };

function files(): TreeSpec {
  const many: TreeSpec = {};
  for (let i = 0; i < 100; i++) many[`f${String(i).padStart(3, "0")}.txt`] = `file ${i}\n${randomBytes(300 + i * 37).toString("hex")}\n`;
  const pattern = randomBytes(16 * 1024);
  return {
    "big.bin": Buffer.concat([randomBytes(300_000), ...Array<Buffer>(12).fill(pattern), randomBytes(200_000)]),
    "empty.txt": "",
    many,
    "solo.txt": randomBytes(5000).toString("hex"),
  };
}

test("files spread over many packs, with repeated blobs, restore byte-identical; more files than open handles", async () => {
  const t = await createTestRepo(small);
  try {
    const src = join(t.dir, "src");
    await writeTree(src, files());
    await backup(t.repo, { paths: [src] });
    // Change the middle of the big file: the next snapshot mixes old and new packs.
    const fh = await open(join(src, "big.bin"), "r+");
    await fh.write(randomBytes(40_000), 0, 40_000, 400_000);
    await fh.close();
    const { snapshot } = await backup(t.repo, { paths: [src] });
    const target = join(t.dir, "target");
    const res = await restore(t.repo, snapshot, { target });
    assert.deepEqual(res.errors, []);
    assert.equal(res.files, 103);
    assert.deepEqual(await hashTree(join(target, src)), await hashTree(src));
  } finally {
    await t.repo.close();
    await t.cleanup();
  }
});

test("a damaged blob fails only the files holding it; nothing partial or temporary is left", async () => {
  const t = await createTestRepo(small);
  try {
    const src = join(t.dir, "src");
    await writeTree(src, files());
    const { snapshot } = await backup(t.repo, { paths: [src] });
    await t.repo.loadIndex();
    const solo = (await t.repo.loadTree((await findDir(t.repo, snapshot.tree, src))!)).nodes.find((n) => n.name === "solo.txt")!;
    const e = t.repo.index.get(solo.content![0]!)!;
    const pack = join(t.path, "data", e.packId.slice(0, 2), e.packId);
    const fh = await open(pack, "r+");
    await fh.write(Buffer.from([0xff]), 0, 1, e.offset + 20);
    await fh.close();
    const target = join(t.dir, "target");
    const res = await restore(t.repo, snapshot, { target });
    const failed = new Set(res.errors.map((x) => x.path.slice(src.length + 1)));
    assert.ok(failed.has("solo.txt"), "the damaged file is named");
    const want = await hashTree(src);
    const got = await hashTree(join(target, src));
    for (const [path, entry] of want) {
      if (failed.has(path)) assert.equal(got.has(path), false, `${path} is not left half-written`);
      else assert.deepEqual(got.get(path), entry, `${path} is restored intact`);
    }
    const leftovers = (await readdir(join(target, src), { recursive: true })).filter((n) => n.includes(".lifeboat-restore-"));
    assert.deepEqual(leftovers, []);
  } finally {
    await t.repo.close();
    await t.cleanup();
  }
});

async function findDir(repo: import("../repository/repository.ts").Repository, tree: string, path: string): Promise<string | undefined> {
  let id: string | undefined = tree;
  for (const part of path.split("/").filter(Boolean)) id = (await repo.loadTree(id!)).nodes.find((n) => n.name === part)?.subtree;
  return id;
}
