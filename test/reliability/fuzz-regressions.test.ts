/**
 * @module test/reliability/fuzz-regressions.test
 * One focused test per bug the fuzz suites found, each with the smallest input that showed
 * it: a zstd bomb in a sealed object, snapshots and trees with wrong types (a tree node
 * named `..` restored outside the target), an index naming a pack by a non-hash, key files
 * claiming absurd scrypt costs, and signed records whose body or fields the chain logic
 * could not handle. Each failed before its fix.
 */
import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parseKeyFile } from "../../src/crypto/keyfile.ts";
import { createMemBackend } from "../../src/backends/mem/index.ts";
import { IntegrityError } from "../../src/errors/index.ts";
import { encodeObject } from "../../src/repository/objects.ts";
import { openRepository } from "../../src/repository/open.ts";
import { loadChain } from "../../src/repository/records.ts";
import { findSnapshot, loadSnapshots } from "../../src/repository/snapshots.ts";
import { restore } from "../../src/restore/restore.ts";
import { createWorld, emptyRepo, PASSWORD, putBlob, RECORD_KIND, RECORD_SUBJECT, resign, sha256, type World, zstdBomb } from "./fuzz-world.ts";
import { seal } from "../../src/crypto/aead.ts";
import type { Snapshot } from "../../src/model/index.ts";

describe("bugs the fuzz suites found", { timeout: 120_000 }, () => {
  let w: World;
  before(async () => { w = await createWorld(); });
  after(() => w?.cleanup());

  /** store seals `doc` (or a raw body) as `type` in a fresh repository and returns it. */
  async function store(type: "index" | "snapshot" | "record", body: Buffer | unknown) {
    const repo = await emptyRepo(w);
    const bytes = Buffer.isBuffer(body) ? Buffer.from(seal(w.repo.key.data, body, Buffer.from(type))) : Buffer.from(encodeObject(w.repo.key.data, type, body));
    await repo.backend.save({ type, name: sha256(bytes) }, bytes);
    return repo;
  }

  it("a 4 KiB index object that inflates to 4 GiB is refused without allocating it (objects.ts)", async () => {
    const body = Buffer.concat([Buffer.from([1]), zstdBomb(Buffer.from('{"version":1,"packs":[]}'), 4 * 2 ** 30)]);
    assert.ok(body.length < 200_000);
    const repo = await store("index", body);
    const peak = process.resourceUsage().maxRSS;
    const t0 = Date.now();
    await assert.rejects(repo.loadIndex(), (err: Error) => err instanceof IntegrityError && /does not parse/.test(err.message));
    assert.ok(Date.now() - t0 < 2000, `took ${Date.now() - t0} ms (9 GiB and 34 s before the fix)`);
    assert.ok((process.resourceUsage().maxRSS - peak) * 1024 < 512 * 2 ** 20, "peak memory grew by less than 512 MiB");
  });

  it("a snapshot with tags: null is listed as damaged, and finding snapshots does not crash (snapshots.ts)", async () => {
    const [doc] = w.docs.get("snapshot")! as Snapshot[];
    for (const bad of [{ tags: null }, { time: 5 }, { paths: "relative" }, { tree: "../x" }, { summary: null }, { manifest: { items: [null] } }]) {
      const repo = await store("snapshot", { ...doc, ...bad });
      const res = await loadSnapshots(repo);
      assert.equal(res.snapshots.length, 0, JSON.stringify(bad));
      assert.match(res.damaged[0]!.message, /malformed snapshot/);
      await assert.rejects(findSnapshot(repo, "latest", { tags: ["fuzz"] }), /no snapshot found/);
    }
  });

  it("a tree node named ../../escape is refused, and restore writes nothing outside its target (model/index.ts)", async () => {
    const dataId = [...w.repo.index.blobs].find(([, e]) => e.type === "data")![0];
    const node = { type: "file", mode: 0o644, uid: 0, gid: 0, mtimeNs: "0", ctimeNs: "0", inode: "1", size: 1, content: [dataId] };
    const evil = await putBlob(w, Buffer.from(JSON.stringify({ nodes: [{ name: "../../escape.txt", ...node }] })));
    await assert.rejects(w.repo.loadTree(evil), (err: Error) => /decode tree/.test(err.message) && /no usable name/.test(String((err.cause as Error).message)));
    const root = await putBlob(w, Buffer.from(JSON.stringify({ nodes: [{ name: "in", type: "dir", mode: 0o755, uid: 0, gid: 0, mtimeNs: "0", ctimeNs: "0", inode: "2", size: 0, subtree: evil }] })));
    const [doc] = w.docs.get("snapshot")! as Snapshot[];
    const scratch = join(w.dir, "restore-escape");
    const res = await restore(w.repo, { ...doc!, tree: root }, { target: join(scratch, "target") });
    assert.equal(res.errors.length, 1);
    assert.deepEqual(await readdir(scratch), ["target"], "nothing beside the target");
    for (const bad of [[null], [{ name: "a", type: "file", contentLists: null }], [{ ...node, name: "x", mode: -1 }]]) {
      await assert.rejects(w.repo.loadTree(await putBlob(w, Buffer.from(JSON.stringify({ nodes: bad })))), /decode tree/);
    }
  });

  it("an index naming a pack by anything but a SHA-256 is damaged (index/indexfile.ts)", async () => {
    const repo = await store("index", { version: 1, packs: [{ id: "../../config", blobs: [] }, null] });
    await assert.rejects(repo.loadIndex(), (err: Error) => err instanceof IntegrityError && /malformed pack entry/.test(err.message));
  });

  it("key files claiming absurd scrypt costs are refused at once, and the good key still opens (crypto/keyfile.ts)", async () => {
    const [goodName, good] = [...w.stored.get("key")!][0]!;
    const doc = JSON.parse(good.toString()) as Record<string, unknown>;
    for (const evil of [{ N: 2 ** 22 }, { N: 3 }, { N: 2 ** 40 }, { p: 2 ** 30 }, { created: 5 }]) {
      const bytes = Buffer.from(JSON.stringify({ ...doc, ...evil }));
      assert.throws(() => parseKeyFile(bytes), /malformed key file/);
      const be = createMemBackend();
      await be.create();
      await be.save({ type: "config", name: "" }, await w.be.load({ type: "config", name: "" }));
      await be.save({ type: "key", name: sha256(bytes) }, bytes);
      await be.save({ type: "key", name: goodName }, good);
      const t0 = Date.now();
      const repo = await openRepository(be, PASSWORD, { cacheDir: null });
      assert.ok(Date.now() - t0 < 1000, `${JSON.stringify(evil)}: opened in ${Date.now() - t0} ms (17 s and 4 GiB for N=2^22 before)`);
      assert.ok(Buffer.from(repo.secret).equals(Buffer.from(w.repo.secret)));
    }
    assert.throws(() => parseKeyFile(Buffer.from("{not json")), (err: Error) => err.constructor === Error, "not a bare SyntaxError");
  });

  it("a record with a 100,000-deep body, or a signed one with time: [], is tampering, not a crash (records.ts)", async () => {
    const [first] = w.records;
    const deep = "[".repeat(100_000) + "]".repeat(100_000);
    const text = JSON.stringify({ ...first!.record, body: "DEEP" }).replace('"DEEP"', deep);
    const repo = await store("record", Buffer.concat([Buffer.from([0]), Buffer.from(text)]));
    const chain = await loadChain(repo, RECORD_KIND, RECORD_SUBJECT);
    assert.equal(chain.records.length, 0);
    assert.match(chain.tampered[0]!.problem, /signature that does not match/);
    // Signed with the record key, so the chain logic behind the signature sees the wrong types.
    const odd = await store("record", resign(w, { ...first!.record, time: [], seq: "1" }));
    for (const [name, bytes] of w.stored.get("record")!) await odd.backend.save({ type: "record", name }, bytes);
    const res = await loadChain(odd, RECORD_KIND, RECORD_SUBJECT);
    assert.equal(res.records.length, 3, "the good chain is still read");
    assert.equal(res.tampered.length, 1);
  });
});
