/**
 * @module testing/backendContract
 * The behaviour every backend must show, as one node:test suite. A backend's test file
 * calls describeBackendContract with a factory for a fresh, empty location; each test gets
 * its own backend with create() already done, and cleanup() afterwards.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, it } from "node:test";
import { isAbortError } from "../errors/index.ts";
import type { Backend, FileType, Handle } from "../backends/backend.ts";

/** ContractEnv is one fresh backend and the way to dispose of its storage. */
export interface ContractEnv {
  backend: Backend;
  cleanup(): Promise<void>;
}

const TYPES: readonly FileType[] = ["config", "key", "pack", "index", "snapshot", "lock"];

/** hexName returns a random 64-hex object name, optionally starting with `prefix`. */
export function hexName(prefix = ""): string {
  return prefix + randomBytes(32).toString("hex").slice(prefix.length);
}

/** assertBytes compares bytes regardless of Buffer vs Uint8Array, without a huge diff. */
export function assertBytes(actual: Uint8Array, expected: Uint8Array, msg = "bytes differ"): void {
  assert.equal(actual.byteLength, expected.byteLength, `${msg}: length`);
  assert.ok(Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength).equals(expected), msg);
}

/** listNames collects the names list() yields for `type`, sorted. */
export async function listNames(be: Backend, type: FileType): Promise<string[]> {
  const names: string[] = [];
  for await (const fi of be.list(type)) names.push(fi.name);
  return names.sort();
}

const handle = (type: FileType): Handle => ({ type, name: type === "config" ? "" : hexName() });

/** describeBackendContract registers the contract suite for the backend `name`. */
export function describeBackendContract(name: string, create: () => Promise<ContractEnv>): void {
  describe(`backend contract: ${name}`, () => {
    let env: ContractEnv;
    let be: Backend;
    beforeEach(async () => {
      env = await create();
      be = env.backend;
      await be.create();
    });
    afterEach(async () => {
      await be.close();
      await env.cleanup();
    });

    it("creates an empty layout, and create() is repeatable until a config exists", async () => {
      for (const t of TYPES) assert.deepEqual(await listNames(be, t), [], t);
      await be.create();
      await be.save({ type: "config", name: "" }, Buffer.from("cfg"));
      const err = await be.create().then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof Error, "create() over an existing repository must fail");
      assert.ok(be.isPermanent(err), "an existing repository is a permanent error");
      assertBytes(await be.load({ type: "config", name: "" }), Buffer.from("cfg"));
    });

    it("round-trips every file type, with stat and list agreeing", async () => {
      for (const t of TYPES) {
        const h = handle(t);
        const body = randomBytes(100 + t.length);
        await be.save(h, body);
        assertBytes(await be.load(h), body, t);
        assert.equal((await be.stat(h)).size, body.length, t);
        const listed = [];
        for await (const fi of be.list(t)) listed.push(fi);
        assert.deepEqual(listed.map((fi) => [fi.name, fi.size]), [[h.name, body.length]], t);
      }
    });

    it("stores empty objects and copies the caller's buffer", async () => {
      const empty = handle("index");
      await be.save(empty, new Uint8Array(0));
      assert.equal((await be.stat(empty)).size, 0);
      assert.equal((await be.load(empty)).byteLength, 0);
      const h = handle("key");
      const body = Buffer.from("original");
      await be.save(h, body);
      body.fill(0);
      assertBytes(await be.load(h), Buffer.from("original"));
    });

    it("never replaces a config with different bytes", async () => {
      const cfg: Handle = { type: "config", name: "" };
      await be.save(cfg, Buffer.from("one"));
      await be.save(cfg, Buffer.from("one"));
      const err = await be.save(cfg, Buffer.from("two")).then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof Error && be.isPermanent(err));
      assertBytes(await be.load(cfg), Buffer.from("one"));
    });

    it("loads ranges: offset, length, negative offset, short and impossible reads", async () => {
      const h = handle("pack");
      const body = randomBytes(1000);
      await be.save(h, body);
      const cases: Array<[number | undefined, number | undefined, number, number]> = [
        [10, 20, 10, 30],
        [990, undefined, 990, 1000],
        [-16, undefined, 984, 1000],
        [-16, 4, 984, 988],
        [995, 100, 995, 1000], // past the end: short read
        [0, 0, 0, 0],
        [-5000, undefined, 0, 1000], // before the start: clamped
        [1000, undefined, 1000, 1000],
      ];
      for (const [offset, length, start, end] of cases) {
        assertBytes(await be.load(h, { offset, length }), body.subarray(start, end), `offset ${offset} length ${length}`);
      }
      for (const range of [{ offset: 1000, length: 1 }, { offset: 2000 }, { offset: 0, length: -1 }]) {
        const err = await be.load(h, range).then(() => undefined, (e: unknown) => e);
        assert.ok(err instanceof Error, `range ${JSON.stringify(range)} must fail`);
        assert.ok(be.isPermanent(err) && !be.isNotFound(err), `range ${JSON.stringify(range)}: permanent`);
      }
    });

    it("lists packs across fan-out folders and keeps types apart", async () => {
      const packs = ["00", "ab", "ab", "ff", "7c"].map((p) => hexName(p));
      const indexes = [hexName(), hexName()];
      await Promise.all(packs.map((n) => be.save({ type: "pack", name: n }, randomBytes(10))));
      await Promise.all(indexes.map((n) => be.save({ type: "index", name: n }, randomBytes(10))));
      assert.deepEqual(await listNames(be, "pack"), [...packs].sort());
      assert.deepEqual(await listNames(be, "index"), [...indexes].sort());
      assert.deepEqual(await listNames(be, "snapshot"), []);
      assert.deepEqual(await listNames(be, "config"), []);
    });

    it("removes idempotently", async () => {
      const h = handle("lock");
      await be.save(h, Buffer.from("x"));
      await be.remove(h);
      await be.remove(h);
      await assert.rejects(be.stat(h), (e) => be.isNotFound(e));
      assert.deepEqual(await listNames(be, "lock"), []);
    });

    it("reports a missing object as not found (and not permanent)", async () => {
      for (const t of TYPES) {
        const h = handle(t);
        for (const call of [() => be.load(h), () => be.load(h, { offset: -4 }), () => be.stat(h)]) {
          const err = await call().then(() => undefined, (e: unknown) => e);
          assert.ok(err !== undefined && be.isNotFound(err) && !be.isPermanent(err), `${t}: ${String(err)}`);
        }
      }
    });

    it("rejects invalid handles permanently", async () => {
      for (const h of [{ type: "pack", name: "../../etc" }, { type: "key", name: "" }, { type: "config", name: "x" }] as Handle[]) {
        const err = await be.save(h, Buffer.from("x")).then(() => undefined, (e: unknown) => e);
        assert.ok(err instanceof Error && be.isPermanent(err), `${JSON.stringify(h)} must be rejected`);
      }
    });

    it("honours an aborted signal and leaves no object", async () => {
      const signal = AbortSignal.abort();
      const h = handle("pack");
      await assert.rejects(be.save(h, randomBytes(100), { signal }), isAbortError);
      await assert.rejects(be.stat(h), (e) => be.isNotFound(e));
      await be.save(h, Buffer.from("y"));
      await assert.rejects(be.load(h, undefined, { signal }), isAbortError);
      await assert.rejects(be.load(h, { offset: 0, length: 1 }, { signal }), isAbortError);
      await assert.rejects(be.stat(h, { signal }), isAbortError);
      await assert.rejects(be.remove(h, { signal }), isAbortError);
      await assert.rejects(be.create({ signal }), isAbortError);
      await assert.rejects(async () => {
        for await (const _ of be.list("pack", { signal })) assert.fail("listed despite abort");
      }, isAbortError);
      assert.deepEqual(await listNames(be, "pack"), [h.name]);
    });

    it("saves 50 objects concurrently", async () => {
      const objs = Array.from({ length: 50 }, () => ({ h: handle("pack"), body: randomBytes(1 + Math.floor(Math.random() * 5000)) }));
      await Promise.all(objs.map(({ h, body }) => be.save(h, body)));
      assert.deepEqual(await listNames(be, "pack"), objs.map((o) => o.h.name).sort());
      for (const { h, body } of objs) assertBytes(await be.load(h), body);
    });

    it("round-trips a 20 MiB object, whole and by range", async () => {
      const h = handle("pack");
      const body = randomBytes(20 << 20);
      await be.save(h, body);
      assert.equal((await be.stat(h)).size, body.length);
      assertBytes(await be.load(h), body);
      assertBytes(await be.load(h, { offset: -1024 }), body.subarray(body.length - 1024));
      assertBytes(await be.load(h, { offset: 7 << 20, length: 3 << 20 }), body.subarray(7 << 20, 10 << 20));
    });
  });
}
