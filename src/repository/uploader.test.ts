/**
 * @module repository/uploader.test
 * The write order that makes a crash harmless: a pack is durable before any index object
 * lists it, and the index is durable before withUploader resolves (so before a snapshot can
 * reference the blobs). Also: a failed pack or index save fails the backup and leaves no
 * snapshot; the same blob saved twice, even concurrently, is stored once; and a session
 * that throws still indexes the packs it already uploaded, so they can be reused.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Backend, Handle } from "../backends/backend.ts";
import { createMemBackend } from "../backends/mem/index.ts";
import { backup } from "../backup/backup.ts";
import { check } from "../check/check.ts";
import { TEST_SCRYPT } from "../crypto/kdf.ts";
import { faultyBackend } from "../testing/faultyBackend.ts";
import { writeTree } from "../testing/tree.ts";
import { validateIndexFile, type IndexFile } from "./index/indexfile.ts";
import { decodeObject } from "./objects.ts";
import { initRepository, openRepository } from "./open.ts";
import type { Repository } from "./repository.ts";
import type { CodecPool } from "./codec/pool.ts";
import { sealBlob } from "./pack/format.ts";
import { Uploader } from "./uploader.ts";
import { blobId } from "../crypto/keys.ts";

const blobIdOf = (repo: Repository, data: Uint8Array) => blobId(repo.key, data);

const PACK_SIZE = 64 * 1024;
const PASSWORD = "pw";

interface Event {
  op: "start" | "done";
  h: Handle;
  body: Uint8Array;
}

/**
 * recording wraps a backend to log when each save starts and when it is durable. Pack
 * saves take a random few milliseconds, so uploads finish out of order as on a network.
 */
function recording(base: Backend): { be: Backend; events: Event[] } {
  const events: Event[] = [];
  const be: Backend = {
    ...base,
    async save(h, body, o) {
      events.push({ op: "start", h, body });
      if (h.type === "pack") await sleep(Math.floor(Math.random() * 8));
      await base.save(h, body, o);
      events.push({ op: "done", h, body });
    },
  };
  return { be, events };
}

async function newRepo(be: Backend): Promise<Repository> {
  return initRepository(be, PASSWORD, { kdf: TEST_SCRYPT, cacheDir: null, packSize: PACK_SIZE });
}

async function names(be: Backend, type: "pack" | "index" | "snapshot"): Promise<string[]> {
  const out: string[] = [];
  for await (const fi of be.list(type)) out.push(fi.name);
  return out.sort();
}

/** indexedBlobs maps each pack listed by any stored index object to the blob ids listed for it. */
async function indexedBlobs(repo: Repository): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const name of await names(repo.backend, "index")) {
    const f = validateIndexFile(decodeObject<IndexFile>(repo.key.data, "index", await repo.backend.load({ type: "index", name })));
    for (const p of f.packs) out.set(p.id, [...(out.get(p.id) ?? []), ...p.blobs.map((b) => b[0])]);
  }
  return out;
}

test("every pack is durable before an index object lists it, and the index before withUploader resolves", async () => {
  const { be, events } = recording(createMemBackend());
  const repo = await newRepo(be);
  await repo.withUploader(async (saver) => {
    // ~10 packs: an index object is written after 8 and the rest at the end.
    for (let i = 0; i < 40; i++) await saver.saveBlob("data", randomBytes(20_000));
    await saver.saveBlob("tree", Buffer.from('{"nodes":[]}\n'));
  });
  const doneAt = (h: Handle) => events.findIndex((e) => e.op === "done" && e.h.type === h.type && e.h.name === h.name);
  const indexStarts = events.map((e, i) => [e, i] as const).filter(([e]) => e.op === "start" && e.h.type === "index");
  assert.ok(indexStarts.length >= 2, "index objects are written during the session, not only at its end");
  const listed = new Set<string>();
  for (const [e, at] of indexStarts) {
    const f = validateIndexFile(decodeObject<IndexFile>(repo.key.data, "index", e.body));
    for (const p of f.packs) {
      listed.add(p.id);
      const d = doneAt({ type: "pack", name: p.id });
      assert.ok(d >= 0 && d < at, `pack ${p.id.slice(0, 8)} was durable before the index object listing it was saved`);
    }
    assert.ok(doneAt(e.h) >= 0, "every index save completed before withUploader resolved");
  }
  assert.deepEqual([...listed].sort(), await names(be, "pack"), "every pack of the session is indexed");
});

test("a failed pack or index save fails the backup, and no snapshot is written", async () => {
  const dir = await mkdtemp(join(tmpdir(), "lifeboat-uploader-"));
  try {
    const src = join(dir, "src");
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 12; i++) files[`f${i}`] = randomBytes(70 * 1024);
    await writeTree(src, files);
    for (const type of ["pack", "index"] as const) {
      const be = faultyBackend(createMemBackend());
      const repo = await newRepo(be);
      be.addFault("save").onlyFor((h) => h.type === type).after(type === "pack" ? 3 : 0).errorInstead(new Error("simulated ENOSPC"));
      const err = await backup(repo, { paths: [src] }).then(() => assert.fail("backup succeeded"), (e: unknown) => e as Error);
      const chain: string[] = [];
      for (let e: unknown = err; e instanceof Error; e = e.cause) chain.push(e.message);
      assert.match(chain.join(" / "), new RegExp(`save ${type}.*simulated ENOSPC`), `${type}: the error names the failed save`);
      assert.deepEqual(await names(be, "snapshot"), [], `${type}: no snapshot after a failed ${type} save`);
      be.clearFaults();
      const res = await check(await openRepository(be, PASSWORD, { cacheDir: null }));
      assert.deepEqual(res.errors, [], `${type}: the repository is consistent afterwards`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a blob saved twice, concurrently or in a later session, is stored once", async () => {
  const be = createMemBackend();
  const repo = await newRepo(be);
  const data = randomBytes(30_000);
  let stats = { blobsNew: 0, bytesStored: 0 };
  const first = await repo.withUploader(async (saver) => {
    const both = await Promise.all([saver.saveBlob("data", data), saver.saveBlob("data", data)]);
    const again = await saver.saveBlob("data", data);
    stats = saver.stats;
    return [...both, again];
  });
  const id = first[0]!.id;
  assert.ok(first.every((r) => r.id === id));
  assert.deepEqual(first.map((r) => r.known).sort(), [false, true, true], "only one of the three saves stores the blob");
  assert.equal(stats.blobsNew, 1);
  assert.ok(stats.bytesStored > 0 && stats.bytesStored < data.length + 100, "one sealed copy of the blob");
  const packs = await names(be, "pack");
  const r2 = await openRepository(be, PASSWORD, { cacheDir: null });
  await r2.loadIndex();
  const later = await r2.withUploader((saver) => saver.saveBlob("data", data));
  assert.deepEqual(later, { id, known: true });
  assert.deepEqual(await names(be, "pack"), packs, "no pack is written for a known blob");
  const entries = [...(await indexedBlobs(repo)).values()].flat().filter((b) => b === id);
  assert.equal(entries.length, 1, "the index lists the blob once");
});

test("lookup: null until the index is loaded; then known for stored and pending blobs, and a new blob's id carries to saveBlob", async () => {
  const be = createMemBackend();
  const repo = await newRepo(be);
  const stored = randomBytes(8192);
  await repo.withUploader((saver) => saver.saveBlob("data", stored));
  const r2 = await openRepository(be, PASSWORD, { cacheDir: null });
  let loaded!: () => void;
  const ready = new Promise<void>((r) => { loaded = r; });
  const up = new Uploader({ backend: be, key: r2.key, index: r2.index, packSize: PACK_SIZE, ready, writeIndex: (p) => r2.writeIndex(p).then(() => undefined) });
  assert.equal(up.lookup(stored), null, "before the index is loaded nothing is known");
  await r2.loadIndex();
  loaded();
  await ready;
  const hit = up.lookup(stored);
  assert.deepEqual(hit, { id: blobIdOf(r2, stored), known: true });
  const fresh = randomBytes(8192);
  const miss = up.lookup(fresh)!;
  assert.equal(miss.known, false);
  assert.equal(miss.id, blobIdOf(r2, fresh));
  const saved = await up.saveBlob("data", fresh, { id: miss.id });
  assert.deepEqual(saved, { id: miss.id, known: false });
  assert.equal(up.lookup(fresh)!.known, true, "a blob being saved counts as known: it is not stored twice");
  await up.finish();
  assert.equal(up.stats.blobsNew, 1);
  assert.equal((await r2.loadBlob(miss.id)).equals(fresh), true);
});

test("withUploader whose callback throws still indexes the packs already uploaded (including in-flight ones)", async () => {
  const { be } = recording(createMemBackend());
  const repo = await newRepo(be);
  const saved: string[] = [];
  const boom = new Error("archiver failed");
  await assert.rejects(repo.withUploader(async (saver) => {
    // Two 40 KB blobs fill a pack: 5 packs go out, the 11th blob stays in the packer.
    for (let i = 0; i < 11; i++) saved.push((await saver.saveBlob("data", randomBytes(40_000))).id);
    throw boom;
  }), (e) => e === boom);
  const packs = await names(be, "pack");
  assert.equal(packs.length, 5);
  const indexed = await indexedBlobs(repo);
  assert.deepEqual([...indexed.keys()].sort(), packs, "every uploaded pack is indexed, none is left orphaned");
  const fresh = await openRepository(be, PASSWORD, { cacheDir: null });
  await fresh.loadIndex();
  for (const id of saved.slice(0, 10)) assert.equal((await fresh.loadBlob(id)).length, 40_000, "an uploaded blob is reusable");
  assert.equal(fresh.index.has(saved[10]!), false, "the blob never uploaded is not indexed");
});

/** stalledCodec seals nothing until release(); sealing then fails or succeeds as asked. */
function stalledCodec(repo: Repository, fail: boolean) {
  const waiting: (() => void)[] = [];
  const codec = {
    sealSmall: (id: string, data: Uint8Array) => {
      const copy = new Uint8Array(data);
      return new Promise<{ sealed: Uint8Array; compressed: boolean }>((resolve, reject) => waiting.push(() =>
        fail ? reject(new Error("worker died")) : resolve({ sealed: sealBlob(repo.key.data, id, copy), compressed: false })));
    },
  };
  return { codec: codec as unknown as CodecPool, waiting, release: () => { for (const w of waiting.splice(0)) w(); } };
}

function uploaderFor(repo: Repository, codec: CodecPool): Uploader {
  return new Uploader({ backend: repo.backend, key: repo.key, index: repo.index, packSize: 4 << 20, codec, writeIndex: (p) => repo.writeIndex(p).then(() => undefined) });
}

test("saveBlob returns once the id is known; past 16 MiB of unsealed blobs the caller waits", async () => {
  const repo = await newRepo(createMemBackend());
  const { codec, waiting, release } = stalledCodec(repo, false);
  const up = uploaderFor(repo, codec);
  const blob = 60 * 1024; // under the size that goes to a worker alone: sealed in batches
  let accepted = 0;
  const saves: Promise<unknown>[] = [];
  for (let i = 0; i < 300; i++) saves.push(up.saveBlob("data", randomBytes(blob)).then(() => accepted++));
  await sleep(50);
  assert.equal(waiting.length, 300, "every blob was handed to the codec");
  assert.ok(accepted >= Math.floor((16 << 20) / blob) && accepted < 300, `callers past the budget wait (${accepted} accepted)`);
  release();
  await Promise.all(saves);
  await up.finish();
  assert.equal(up.stats.blobsNew, 300);
  assert.equal(repo.index.blobs.size, 300, "every blob is indexed by finish()");
});

test("a blob whose sealing fails fails finish(), and nothing indexes it", async () => {
  const repo = await newRepo(createMemBackend());
  const { codec, release } = stalledCodec(repo, true);
  const up = uploaderFor(repo, codec);
  const r = await up.saveBlob("data", randomBytes(1000));
  assert.equal(r.known, false);
  release();
  await assert.rejects(up.finish(), (e: Error) => /^seal blob /.test(e.message) && (e.cause as Error).message === "worker died");
  assert.equal(repo.index.has(r.id), false);
  assert.deepEqual(await names(repo.backend, "index"), []);
});
