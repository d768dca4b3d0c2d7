/**
 * @module repository/repository.test
 * A repository on a real local folder: blobs saved through withUploader load back verified,
 * dedup holds within and across sessions, damaged index objects are reported, orphan packs
 * are re-indexed, the index can be rebuilt from packs, opening distinguishes the failures a
 * user must tell apart, and key files can be added and removed.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFile, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createLocalBackend } from "../backends/local/index.ts";
import { TEST_SCRYPT } from "../crypto/kdf.ts";
import { ExitCode, IntegrityError, LifeboatError, RepositoryNotFoundError, WrongPasswordError } from "../errors/index.ts";
import { createTestRepo, type TestRepo } from "../testing/repo.ts";
import { addKey, listKeys, removeKey } from "./keys.ts";
import { initRepository, openRepository } from "./open.ts";
import { rebuildIndex } from "./rebuild.ts";
import { indexOrphanPacks } from "./recover.ts";
import type { Repository } from "./repository.ts";

async function withRepo(fn: (t: TestRepo) => Promise<void>, opts: { packSize?: number } = {}): Promise<void> {
  const t = await createTestRepo(opts);
  try { await fn(t); } finally { await t.cleanup(); }
}

async function files(t: TestRepo, dir: "index" | "data" | "keys"): Promise<string[]> {
  const root = join(t.path, dir);
  if (dir !== "data") return (await readdir(root)).map((n) => join(root, n));
  const out: string[] = [];
  for (const sub of await readdir(root)) out.push(...(await readdir(join(root, sub))).map((n) => join(root, sub, n)));
  return out;
}

async function flipByte(file: string, at?: number): Promise<void> {
  const b = await readFile(file);
  const i = at ?? Math.floor(b.length / 2);
  b[i]! ^= 0x01;
  await writeFile(file, b);
}

/** saveSample stores three blobs (one compressible, one random, one tree) and returns their ids and bytes. */
async function saveSample(repo: Repository): Promise<Map<string, Buffer>> {
  const blobs = new Map<string, Buffer>();
  await repo.withUploader(async (saver) => {
    const items: ["data" | "tree", Buffer][] = [
      ["data", Buffer.from("agent memory line\n".repeat(5000))],
      ["data", randomBytes(20_000)],
      ["tree", Buffer.from(JSON.stringify({ nodes: [] }) + "\n")],
    ];
    for (const [type, data] of items) {
      const r = await saver.saveBlob(type, data);
      assert.equal(r.known, false);
      blobs.set(r.id, data);
    }
    return saver;
  }).then((saver) => assert.deepEqual([saver.stats.blobsNew, saver.stats.bytesStored > 0], [3, true]));
  return blobs;
}

async function assertLoads(repo: Repository, blobs: Map<string, Buffer>): Promise<void> {
  for (const [id, data] of blobs) assert.deepEqual(await repo.loadBlob(id), data);
}

test("withUploader stores blobs that load back verified, here and after reopening", async () => {
  await withRepo(async (t) => {
    const blobs = await saveSample(t.repo);
    await assertLoads(t.repo, blobs);
    assert.ok((await files(t, "index")).length >= 1, "an index object is written before withUploader resolves");
    const again = await t.reopen();
    await again.loadIndex();
    await assertLoads(again, blobs);
    assert.equal(again.blobType([...blobs.keys()][2]!), "tree");
  });
});

test("dedup: a blob saved twice in one session, or again in a later session, is stored once", async () => {
  await withRepo(async (t) => {
    const data = randomBytes(5000);
    const first = await t.repo.withUploader(async (saver) => {
      const a = await saver.saveBlob("data", data);
      const b = await saver.saveBlob("data", Buffer.from(data));
      assert.equal(b.id, a.id);
      assert.equal(b.known, true);
      return saver;
    });
    assert.equal(first.stats.blobsNew, 1);
    const packsBefore = await files(t, "data");
    assert.equal(packsBefore.length, 1);
    const again = await t.reopen();
    await again.loadIndex();
    const second = await again.withUploader(async (saver) => {
      const r = await saver.saveBlob("data", data);
      assert.equal(r.known, true);
      return saver;
    });
    assert.deepEqual(second.stats, { blobsNew: 0, bytesStored: 0 });
    assert.deepEqual(await files(t, "data"), packsBefore);
  });
});

test("a small pack size spreads blobs over several packs, all loadable", async () => {
  await withRepo(async (t) => {
    const blobs = new Map<string, Buffer>();
    await t.repo.withUploader(async (saver) => {
      for (let i = 0; i < 6; i++) {
        const data = randomBytes(3000);
        blobs.set((await saver.saveBlob("data", data)).id, data);
      }
    });
    assert.ok((await files(t, "data")).length >= 3);
    const again = await t.reopen();
    await again.loadIndex();
    await assertLoads(again, blobs);
  }, { packSize: 4096 });
});

test("loadBlob refuses a blob whose pack bytes were altered, naming the pack", async () => {
  await withRepo(async (t) => {
    const data = randomBytes(4000);
    const id = await t.repo.withUploader(async (s) => (await s.saveBlob("data", data)).id);
    const [pack] = await files(t, "data");
    await flipByte(pack!, 100);
    const packId = t.repo.index.get(id)!.packId;
    await assert.rejects(t.repo.loadBlob(id), (e: unknown) => e instanceof IntegrityError && e.object === `pack ${packId}`);
    await assert.rejects(t.repo.loadBlob("00".repeat(32)), IntegrityError);
  });
});

test("loadIndex throws IntegrityError on a damaged index object; tolerateDamage reports it", async () => {
  await withRepo(async (t) => {
    await saveSample(t.repo);
    const [indexFile] = await files(t, "index");
    await flipByte(indexFile!);
    const name = indexFile!.split("/").at(-1)!;
    const strict = await t.reopen();
    await assert.rejects(strict.loadIndex(), (e: unknown) => e instanceof IntegrityError && e.object === `index ${name}`);
    const tolerant = await t.reopen();
    const { damaged } = await tolerant.loadIndex({ tolerateDamage: true });
    assert.deepEqual(damaged.map((d) => d.object), [`index ${name}`]);
    assert.equal(tolerant.index.blobs.size, 0);
  });
});

test("indexOrphanPacks re-indexes a pack whose index object was deleted", async () => {
  await withRepo(async (t) => {
    const blobs = await saveSample(t.repo);
    for (const f of await files(t, "index")) await rm(f);
    const repo = await t.reopen();
    await repo.loadIndex();
    assert.equal(repo.index.blobs.size, 0);
    const r = await indexOrphanPacks(repo);
    assert.deepEqual([r.packs, r.blobs, r.damaged.length], [(await files(t, "data")).length, blobs.size, 0]);
    await assertLoads(repo, blobs);
    // It wrote an index object, so the next session sees the blobs without recovering.
    const next = await t.reopen();
    await next.loadIndex();
    await assertLoads(next, blobs);
    assert.equal((await indexOrphanPacks(next)).packs, 0);
  });
});

test("indexOrphanPacks reports a pack with a damaged header instead of indexing it", async () => {
  await withRepo(async (t) => {
    await saveSample(t.repo);
    for (const f of await files(t, "index")) await rm(f);
    const [pack] = await files(t, "data");
    const size = (await readFile(pack!)).length;
    await flipByte(pack!, size - 10); // inside the sealed header
    const repo = await t.reopen();
    await repo.loadIndex();
    const r = await indexOrphanPacks(repo, undefined, false);
    assert.equal(r.damaged.length, 1);
    assert.equal(r.damaged[0]!.object, `pack ${pack!.split("/").at(-1)}`);
    assert.equal((await files(t, "index")).length, 0, "write=false stores nothing");
  });
});

test("rebuildIndex rebuilds the index from packs and removes the old index objects", async () => {
  await withRepo(async (t) => {
    const blobs = await saveSample(t.repo);
    const oldIndex = await files(t, "index");
    await flipByte(oldIndex[0]!);
    const repo = await t.reopen();
    const r = await rebuildIndex(repo);
    assert.deepEqual([r.packs, r.blobs, r.removedIndex, r.damaged.length], [(await files(t, "data")).length, blobs.size, oldIndex.length, 0]);
    const now = await files(t, "index");
    assert.equal(now.length, 1);
    assert.ok(!oldIndex.includes(now[0]!));
    const next = await t.reopen();
    await next.loadIndex();
    await assertLoads(next, blobs);
  });
});

test("openRepository: wrong password exits 12, no repository exits 10, damaged config exits 1", async () => {
  await withRepo(async (t) => {
    await assert.rejects(openRepository(createLocalBackend(t.path), "nope", { cacheDir: null }),
      (e: unknown) => e instanceof WrongPasswordError && e.exitCode === ExitCode.wrongPassword && e.exitCode === 12);
    await assert.rejects(openRepository(createLocalBackend(join(t.dir, "nothing-here")), t.password, { cacheDir: null }),
      (e: unknown) => e instanceof RepositoryNotFoundError && e.exitCode === 10);
    await flipByte(join(t.path, "config"));
    await assert.rejects(t.reopen(), (e: unknown) =>
      e instanceof LifeboatError && !(e instanceof RepositoryNotFoundError) && !(e instanceof WrongPasswordError)
      && e.exitCode === ExitCode.fatal && e.message.includes("config"));
  });
});

test("initRepository refuses a folder that already holds a repository, and leaves it openable", async () => {
  await withRepo(async (t) => {
    await assert.rejects(initRepository(createLocalBackend(t.path), "other", { kdf: TEST_SCRYPT, cacheDir: null }),
      (e: unknown) => e instanceof LifeboatError && /already exists/.test(e.message));
    const again = await t.reopen();
    assert.equal(again.config.id, t.repo.config.id);
    await assert.rejects(openRepository(createLocalBackend(t.path), "other", { cacheDir: null }), WrongPasswordError);
  });
});

test("keys: add a second password, open with either, remove the other, never the current one", async () => {
  await withRepo(async (t) => {
    const first = await t.reopen();
    const second = await addKey(first, "second password", TEST_SCRYPT);
    const viaSecond = await openRepository(createLocalBackend(t.path), "second password", { cacheDir: null });
    assert.equal(viaSecond.keyName, second);
    assert.equal(viaSecond.config.id, first.config.id);
    assert.deepEqual(Buffer.from(viaSecond.key.data), Buffer.from(first.key.data));
    const keys = await listKeys(viaSecond);
    assert.equal(keys.length, 2);
    assert.deepEqual(keys.filter((k) => k.current).map((k) => k.id), [second]);

    await assert.rejects(removeKey(viaSecond, second), (e: unknown) => e instanceof LifeboatError && /refusing/.test(e.message));
    assert.equal((await files(t, "keys")).length, 2);

    await removeKey(viaSecond, first.keyName!);
    assert.deepEqual((await listKeys(viaSecond)).map((k) => k.id), [second]);
    await assert.rejects(t.reopen(), WrongPasswordError);
    assert.equal((await openRepository(createLocalBackend(t.path), "second password", { cacheDir: null })).keyName, second);
  });
});

test("the repository returned by init knows its key, so it cannot remove it", async () => {
  await withRepo(async (t) => {
    const [key] = await files(t, "keys");
    const name = key!.split("/").at(-1)!;
    assert.equal(t.repo.keyName, name);
    await assert.rejects(removeKey(t.repo, name), LifeboatError);
  });
});
