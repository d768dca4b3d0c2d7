/**
 * @module check/contentlist.test
 * Content list blobs are reachable (docs/design.md §6): prune keeps those a remaining
 * snapshot uses, check passes afterwards, and a list blob that is missing from the index or
 * damaged is a check finding naming the file, and stops prune.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { backup } from "../backup/backup.ts";
import { decodeTree, type Snapshot } from "../model/index.ts";
import { prune } from "../prune/prune.ts";
import type { IndexFile } from "../repository/index/indexfile.ts";
import type { Repository } from "../repository/repository.ts";
import { loadSnapshots } from "../repository/snapshots.ts";
import { restore } from "../restore/restore.ts";
import { createTestRepo, type TestRepo } from "../testing/repo.ts";
import { check } from "./check.ts";

interface Fixture extends TestRepo {
  file: string;
  first: Snapshot;
  second: Snapshot;
  /** The file's bytes in the second snapshot. */
  changed: Buffer;
  /** Content list blob ids of the file in each snapshot. */
  firstLists: string[];
  lists: string[];
}

/** listsOf returns the content list ids stored for the file `name` in folder `dir` of a snapshot. */
async function listsOf(repo: Repository, sn: Snapshot, dir: string, name: string): Promise<string[]> {
  let tree = sn.tree;
  for (const part of dir.split("/").filter((p) => p !== "")) tree = (await repo.loadTree(tree)).nodes.find((n) => n.name === part)!.subtree!;
  return decodeTree(await repo.loadBlob(tree)).nodes.find((n) => n.name === name)!.contentLists!;
}

/** withTwoBackups backs up a ~700-blob file, changes 8 bytes in its middle, and backs it up again. */
async function withTwoBackups(fn: (f: Fixture) => Promise<void>): Promise<void> {
  const t = await createTestRepo({ chunker: { min: 256, avg: 512, max: 2048 } });
  try {
    const src = join(t.dir, "src");
    const file = join(src, "big.db");
    await mkdir(src);
    const data = randomBytes(400 * 1024);
    await writeFile(file, data);
    const first = (await backup(await t.reopen(), { paths: [src] })).snapshot;
    const changed = Buffer.from(data);
    for (let i = 0; i < 8; i++) changed[200 * 1024 + i]! ^= 0xff;
    await writeFile(file, changed);
    const repo = await t.reopen();
    const second = (await backup(repo, { paths: [src] })).snapshot;
    const firstLists = await listsOf(repo, first, src, "big.db");
    const lists = await listsOf(repo, second, src, "big.db");
    assert.ok(lists.length > 10);
    await fn({ ...t, file, first, second, changed, firstLists, lists });
  } finally {
    await t.cleanup();
  }
}

/** dropFromIndex rewrites the index objects without blob `id`, as a lost index entry would leave them. */
async function dropFromIndex(t: TestRepo, id: string): Promise<void> {
  const repo = await t.reopen();
  for (const name of await repo.listNames("index")) {
    const f = await repo.loadObject<IndexFile>("index", name);
    if (!f.packs.some((p) => p.blobs.some((b) => b[0] === id))) continue;
    await repo.saveObject("index", { ...f, packs: f.packs.map((p) => ({ ...p, blobs: p.blobs.filter((b) => b[0] !== id) })) });
    await repo.backend.remove({ type: "index", name });
  }
}

test("prune after forgetting the first snapshot keeps the second's content lists", async () => {
  await withTwoBackups(async (f) => {
    await f.repo.backend.remove({ type: "snapshot", name: f.first.id! });
    const r = await prune(await f.reopen(), { maxUnusedPercent: 0 });
    assert.ok(r.packsRepacked >= 1 && r.bytesFreed > 0);
    const repo = await f.reopen();
    const res = await check(repo, { readData: true });
    assert.deepEqual([res.errors, res.warnings], [[], []]);
    await repo.loadIndex();
    for (const id of f.lists) assert.ok(repo.index.has(id), `list ${id.slice(0, 8)} kept`);
    const unique = f.firstLists.filter((id) => !f.lists.includes(id));
    assert.ok(unique.length >= 1 && unique.every((id) => !repo.index.has(id)), "the first snapshot's own lists are removed");
    const [sn] = (await loadSnapshots(repo)).snapshots;
    const target = join(f.dir, "restored");
    assert.deepEqual((await restore(repo, sn!, { target })).errors, []);
    assert.deepEqual(await readFile(join(target, f.file)), f.changed);
  });
});

test("a content list blob missing from the index is a check finding naming the file, and prune refuses", async () => {
  await withTwoBackups(async (f) => {
    const gone = f.lists[3]!;
    await dropFromIndex(f, gone);
    const r = await check(await f.reopen());
    const hits = r.errors.filter((e) => e.object === `blob ${gone.slice(0, 8)}`);
    assert.equal(hits.length, 1, JSON.stringify(r.errors));
    assert.match(hits[0]!.message, /\/big\.db references a content list blob that is not in the index/);
    await assert.rejects(prune(await f.reopen()), /refusing to prune/);
  });
});

test("a damaged content list blob is found by the structural check, naming the file", async () => {
  await withTwoBackups(async (f) => {
    const repo = await f.reopen();
    await repo.loadIndex();
    const e = repo.index.get(f.lists[5]!)!;
    const packPath = join(f.path, "data", e.packId.slice(0, 2), e.packId);
    const bytes = await readFile(packPath);
    bytes[e.offset + Math.floor(e.length / 2)]! ^= 0x01;
    await writeFile(packPath, bytes);
    const r = await check(await f.reopen());
    const hits = r.errors.filter((x) => x.object === `pack ${e.packId}`);
    assert.ok(hits.length >= 1, JSON.stringify(r.errors));
    // The list is shared by both snapshots: the finding names the file in whichever came first.
    assert.ok(hits.some((x) => x.message.includes(`:${f.file}: blob ${f.lists[5]!.slice(0, 8)} is damaged`) && /content list of snapshot [0-9a-f]{8}:\//.test(x.message)), JSON.stringify(hits));
    await assert.rejects(prune(await f.reopen()), /refusing to prune/);
  });
});
