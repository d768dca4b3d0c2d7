import assert from "node:assert/strict";
import * as fs from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { isAbortError } from "../../errors/index.ts";
import { assertBytes, describeBackendContract, hexName, listNames } from "../../testing/backendContract.ts";
import type { Backend } from "../backend.ts";
import { createLocalBackend, fsOps } from "./index.ts";

const newTempDir = () => fs.mkdtemp(path.join(tmpdir(), "lifeboat-local-"));

describeBackendContract("local", async () => {
  const dir = await newTempDir();
  return { backend: createLocalBackend(path.join(dir, "repo")), cleanup: () => fs.rm(dir, { recursive: true, force: true }) };
});

describe("local backend", () => {
  let dir: string;
  let root: string;
  let be: Backend;
  const saved = { ...fsOps };
  beforeEach(async () => {
    dir = await newTempDir();
    root = path.join(dir, "repo");
    be = createLocalBackend(root);
    await be.create();
  });
  afterEach(async () => {
    Object.assign(fsOps, saved);
    await fs.rm(dir, { recursive: true, force: true });
  });

  /** leftovers lists every file below `root`, relative to it. */
  const leftovers = async () => (await fs.readdir(root, { recursive: true })).sort();

  it("lays out the restic folders, private, and fans packs out lazily", async () => {
    assert.deepEqual(await leftovers(), ["data", "index", "keys", "locks", "records", "snapshots"]);
    const name = hexName("ab");
    await be.save({ type: "pack", name }, Buffer.from("p"));
    await be.save({ type: "key", name: hexName() }, Buffer.from("k"));
    assert.ok((await leftovers()).includes(path.join("data", "ab", name)));
    if (process.platform !== "win32") {
      assert.equal((await fs.stat(root)).mode & 0o777, 0o700);
      assert.equal((await fs.stat(path.join(root, "data", "ab"))).mode & 0o777, 0o700);
      assert.equal((await fs.stat(path.join(root, "data", "ab", name))).mode & 0o777, 0o600);
    }
  });

  it("lists no temp files, unknown entries or misplaced packs", async () => {
    const pack = hexName("ab");
    await be.save({ type: "pack", name: pack }, Buffer.from("p"));
    await fs.writeFile(path.join(root, "data", "ab", ".tmp-0123"), "partial");
    await fs.writeFile(path.join(root, "data", "ab", hexName("cd")), "misplaced");
    await fs.mkdir(path.join(root, "data", "zz"));
    await fs.writeFile(path.join(root, "data", "zz", hexName()), "odd folder");
    await fs.writeFile(path.join(root, "keys", ".tmp-4567"), "partial");
    await fs.writeFile(path.join(root, "index", "README"), "notes");
    await fs.mkdir(path.join(root, "index", "abcd"));
    assert.deepEqual(await listNames(be, "pack"), [pack]);
    assert.deepEqual(await listNames(be, "key"), []);
    assert.deepEqual(await listNames(be, "index"), []);
  });

  it("refuses to create a repository over a file", async () => {
    const file = path.join(dir, "file");
    await fs.writeFile(file, "x");
    const fileBe = createLocalBackend(file);
    await assert.rejects(fileBe.create(), /not a directory/);
    await assert.rejects(fileBe.stat({ type: "config", name: "" }), (e: NodeJS.ErrnoException) => e.code === "ENOTDIR");
  });

  it("does not create a missing repository on save", async () => {
    const gone = createLocalBackend(path.join(dir, "nowhere"));
    await assert.rejects(gone.save({ type: "pack", name: hexName() }, Buffer.from("x")), (e) => gone.isNotFound(e));
    await assert.rejects(fs.stat(path.join(dir, "nowhere")), { code: "ENOENT" });
  });

  it("turns ENOSPC into a permanent error and leaves neither temp file nor object", async () => {
    fsOps.write = async () => {
      throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    };
    const h = { type: "pack", name: hexName("ab") } as const;
    const err = await be.save(h, Buffer.from("data")).then(() => undefined, (e: unknown) => e);
    assert.ok(be.isPermanent(err) && !be.isNotFound(err), String(err));
    assert.deepEqual(await fs.readdir(path.join(root, "data", "ab")), []);
    await assert.rejects(be.stat(h), (e) => be.isNotFound(e));
  });

  it("cleans up when the rename fails or the signal aborts mid-write", async () => {
    const h = { type: "index", name: hexName() } as const;
    fsOps.rename = async () => {
      throw Object.assign(new Error("EIO: i/o error, rename"), { code: "EIO" });
    };
    const err = await be.save(h, Buffer.from("data")).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof Error && !be.isPermanent(err), "EIO is worth a retry");
    fsOps.rename = saved.rename;
    const ac = new AbortController();
    fsOps.write = (fh, data) => {
      ac.abort();
      return saved.write(fh, data, ac.signal);
    };
    await assert.rejects(be.save(h, Buffer.alloc(1 << 20), { signal: ac.signal }), isAbortError);
    assert.deepEqual(await fs.readdir(path.join(root, "index")), []);
  });

  it("reads ranges through a file handle, not the whole file", async () => {
    const h = { type: "pack", name: hexName() } as const;
    await be.save(h, Buffer.from("0123456789"));
    fsOps.readFile = async () => assert.fail("ranged load read the whole file");
    assertBytes(await be.load(h, { offset: -3 }), Buffer.from("789"));
    assertBytes(await be.load(h, { offset: 2, length: 3 }), Buffer.from("234"));
  });

  it("keeps a config without hard links and still refuses to replace it", async () => {
    fsOps.link = async () => {
      throw Object.assign(new Error("EPERM: operation not permitted, link"), { code: "EPERM" });
    };
    const cfg = { type: "config", name: "" } as const;
    await be.save(cfg, Buffer.from("one"));
    await be.save(cfg, Buffer.from("one"));
    await assert.rejects(be.save(cfg, Buffer.from("two")), /already exists/);
    assertBytes(await be.load(cfg), Buffer.from("one"));
    assert.deepEqual((await fs.readdir(root)).filter((n) => n.startsWith(".tmp-")), []);
  });
});
