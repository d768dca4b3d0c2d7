/**
 * @module test/faults/faults.test
 * The repository survives a misbehaving backend, through the same wrapper stack the CLI uses
 * (wrapBackend with retry; faults injected inside retry, like a flaky network or server):
 * transient failures end in a valid, restorable snapshot; a permanent failure, or transient
 * ones that never stop, end with an error, no snapshot, and a repository that checks clean;
 * a pack read that comes back corrupted or short is caught by check and by restore.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Backend } from "../../src/backends/backend.ts";
import { createLocalBackend } from "../../src/backends/local/index.ts";
import { wrapBackend, type RetryInfo } from "../../src/backends/wrappers/index.ts";
import { backup } from "../../src/backup/backup.ts";
import { check } from "../../src/check/check.ts";
import { TEST_SCRYPT } from "../../src/crypto/kdf.ts";
import { initRepository, openRepository } from "../../src/repository/open.ts";
import { restore } from "../../src/restore/restore.ts";
import { listNames } from "../../src/testing/backendContract.ts";
import { faultyBackend, type FaultyBackend } from "../../src/testing/faultyBackend.ts";
import { hashTree, writeTree } from "../../src/testing/tree.ts";

const PASSWORD = "faults";
const reset = () => Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
const enospc = () => Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" });

describe("a backup and restore through a faulty backend", { timeout: 120_000 }, () => {
  let dir: string;
  let src: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "lifeboat-faults-"));
    src = join(dir, "src");
    const files: Record<string, Buffer> = {};
    // Incompressible files larger than a pack, so several packs and index saves happen.
    for (let i = 0; i < 5; i++) files[`big${i}.bin`] = randomBytes(5 << 20);
    for (let i = 0; i < 30; i++) files[`note${i}.md`] = Buffer.from(`# note ${i}\n${randomBytes(2000).toString("hex")}\n`);
    await writeTree(src, files);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  /** open builds a fresh local repository behind `faulty` and the CLI's wrapper stack. */
  async function open(name: string): Promise<{ faulty: FaultyBackend; be: Backend; raw: Backend; retries: RetryInfo[] }> {
    const raw = createLocalBackend(join(dir, name));
    await initRepository(raw, PASSWORD, { kdf: TEST_SCRYPT, cacheDir: null });
    const faulty = faultyBackend(raw);
    const retries: RetryInfo[] = [];
    const be = wrapBackend(raw, { retry: { baseDelayMs: 1, onRetry: (i) => retries.push(i) }, innerTestHook: () => faulty });
    return { faulty, be, raw, retries };
  }
  /** reopen opens the repository behind `be` with its index loaded, as the restore command does. */
  const reopen = async (be: Backend) => {
    const repo = await openRepository(be, PASSWORD, { cacheDir: null });
    await repo.loadIndex();
    return repo;
  };
  const cleanCheck = async (raw: Backend) => {
    const res = await check(await openRepository(raw, PASSWORD, { cacheDir: null }), { readData: true });
    assert.deepEqual(res.errors, [], "the repository checks clean, data included");
    return res;
  };

  it("rides out transient failures of every kind and leaves a valid, restorable snapshot", async () => {
    const { faulty, be, raw, retries } = await open("transient");
    faulty.addFault("save").onlyFor((h) => h.type === "pack").after(1).errorInstead(reset()).repeat(2);
    faulty.addFault("save").onlyFor((h) => h.type === "index").errorInstead(reset());
    faulty.addFault("save").onlyFor((h) => h.type === "snapshot").errorInstead(reset());
    faulty.addFault("list").errorInstead(reset());
    faulty.addFault("load").sleepFor(20).repeat(3); // slow, not failing
    const repo = await openRepository(be, PASSWORD, { cacheDir: null });
    const res = await backup(repo, { paths: [src] });
    await repo.close();
    assert.ok(retries.length >= 4, `retried ${retries.length} times`);
    assert.deepEqual(await listNames(raw, "snapshot"), [res.snapshotId]);
    await cleanCheck(raw);
    const target = join(dir, "restored-transient");
    const out = await restore(await reopen(raw), res.snapshot, { target });
    assert.deepEqual(out.errors, []);
    assert.deepEqual(await hashTree(join(target, src)), await hashTree(src), "restored bytes are identical");
  });

  for (const [what, fault] of [
    ["a permanent failure (disk full)", (f: FaultyBackend) => f.addFault("save").onlyFor((h) => h.type === "pack").after(1).errorInstead(enospc())],
    ["transient failures that never stop", (f: FaultyBackend) => f.addFault("save").onlyFor((h) => h.type === "pack").after(1).errorInstead(reset()).repeat(Infinity)],
  ] as const) {
    it(`stops on ${what}: an error, no snapshot, and a repository that checks clean`, async () => {
      const { faulty, be, raw } = await open(what.replace(/\W+/g, "-"));
      fault(faulty);
      const repo = await openRepository(be, PASSWORD, { cacheDir: null });
      const err = await backup(repo, { paths: [src] }).then(() => assert.fail("backup succeeded"), (e: unknown) => e as Error);
      await repo.close().catch(() => undefined);
      const chain: string[] = [];
      for (let e: unknown = err; e instanceof Error; e = e.cause) chain.push(e.message);
      assert.match(chain.join(" / "), /ENOSPC|ECONNRESET/, "the error names the cause");
      const packSaves = faulty.calls("save");
      assert.ok(what.startsWith("a permanent") ? packSaves < 10 : packSaves >= 5, `save calls: ${packSaves}`);
      assert.deepEqual(await listNames(raw, "snapshot"), []);
      await cleanCheck(raw);
    });
  }

  // Only data packs are damaged: with the trees unreadable there would be nothing to restore.
  for (const [what, damage] of [
    ["corrupted", (f: FaultyBackend, treePacks: Set<string>) => f.addFault("load").onlyFor((h) => h.type === "pack" && !treePacks.has(h.name)).corrupt().repeat(Infinity)],
    ["short", (f: FaultyBackend, treePacks: Set<string>) => f.addFault("load").onlyFor((h) => h.type === "pack" && !treePacks.has(h.name)).truncate(7).repeat(Infinity)],
  ] as const) {
    it(`catches a ${what} pack read in check and in restore`, async () => {
      const { faulty, be, raw } = await open(`read-${what}`);
      const res = await backup(await openRepository(be, PASSWORD, { cacheDir: null }), { paths: [src] });
      const blobs = [...(await reopen(raw)).index.blobs.values()];
      damage(faulty, new Set(blobs.filter((b) => b.type === "tree").map((b) => b.packId)));
      const found = await check(await openRepository(be, PASSWORD, { cacheDir: null }), { readData: true });
      assert.ok(found.errors.length > 0, "check reports the damaged reads");
      assert.ok(found.errors.every((e) => /^pack [0-9a-f]{8}/.test(e.object) || /pack/.test(e.message)), JSON.stringify(found.errors.slice(0, 2)));
      const target = join(dir, `restored-${what}`);
      const out = await restore(await reopen(be), res.snapshot, { target });
      assert.ok(out.errors.length > 0, "restore reports the files it could not verify");
      const restored = await hashTree(join(target, src));
      const original = await hashTree(src);
      for (const [path, entry] of restored) {
        if (entry.type === "file") assert.deepEqual(entry, original.get(path), `${path}: a file restore kept is byte-identical`);
      }
      faulty.clearFaults();
      await cleanCheck(raw); // the stored data was never damaged
    });
  }
});
