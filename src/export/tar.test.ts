/**
 * @module export/tar.test
 * TarWriter: entries stream into a gzip or zstd archive that tar-stream reads back and GNU
 * tar lists and extracts (modes, mtimes, symlinks, long names), with the archive's sha256
 * equal to the file's; a content shorter than its stated size fails the archive.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, open, readFile, readlink, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { createGunzip, createZstdDecompress } from "node:zlib";
import tar from "tar-stream";
import { TarWriter, type ArchiveFormat } from "./tar.ts";

const run = promisify(execFile);
const BIG = randomBytes(3 * 1024 * 1024 + 17);
const LONG = `deep/${"a-rather-long-folder-name/".repeat(6)}note.md`;
const MTIME = new Date("2026-03-01T12:00:00Z");

async function* chunks(data: Buffer, size = 65_536): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

async function writeArchive(path: string, format: ArchiveFormat): Promise<{ sha256: string; bytes: number }> {
  const fh = await open(path, "wx", 0o600);
  try {
    const w = new TarWriter(fh, format);
    await w.dir({ name: "top", mode: 0o700, mtime: MTIME });
    await w.buffer({ name: "top/manifest.json", mode: 0o600, mtime: MTIME }, Buffer.from('{"ok":true}\n'));
    await w.file({ name: "top/big.bin", mode: 0o640, mtime: MTIME }, BIG.length, chunks(BIG));
    await w.file({ name: `top/${LONG}`, mtime: MTIME }, 5, chunks(Buffer.from("hello")));
    await w.symlink({ name: "top/link", mtime: MTIME }, "big.bin");
    return await w.finish();
  } finally {
    await fh.close();
  }
}

async function readEntries(path: string, format: ArchiveFormat): Promise<Map<string, { type: string; mode: number; data: Buffer; linkname?: string }>> {
  const out = new Map<string, { type: string; mode: number; data: Buffer; linkname?: string }>();
  const ex = tar.extract();
  ex.on("entry", (h, stream, next) => {
    const parts: Buffer[] = [];
    stream.on("data", (c: unknown) => parts.push(c as Buffer));
    stream.on("end", () => { out.set(h.name, { type: h.type, mode: h.mode, data: Buffer.concat(parts), linkname: h.linkname }); next(); });
  });
  const done = new Promise<void>((resolve, reject) => { ex.on("finish", () => resolve()); ex.on("error", reject); });
  const raw = Readable.from(await readFile(path));
  await pipeline(raw, format === "tar.zst" ? createZstdDecompress() : createGunzip(), async function* (src) {
    for await (const c of src) if (!ex.write(c)) await new Promise((r) => ex.once("drain", () => r(undefined)));
    ex.end(undefined);
  });
  await done;
  return out;
}

describe("TarWriter", () => {
  let dir: string;
  before(async () => { dir = await mkdtemp(join(tmpdir(), "lifeboat-tar-")); });
  after(() => rm(dir, { recursive: true, force: true }));

  for (const format of ["tar.gz", "tar.zst"] as const) {
    it(`${format}: round trip through tar-stream and GNU tar`, async () => {
      const path = join(dir, `a.${format}`);
      const res = await writeArchive(path, format);
      const bytes = await readFile(path);
      assert.equal(res.bytes, bytes.length);
      assert.equal(res.sha256, createHash("sha256").update(bytes).digest("hex"));

      const got = await readEntries(path, format);
      assert.ok(got.get("top/big.bin")?.data.equals(BIG), "big file intact");
      assert.equal(got.get("top/big.bin")?.mode, 0o640);
      assert.equal(got.get(`top/${LONG}`)?.data.toString(), "hello", "long name kept");
      assert.equal(got.get("top/link")?.linkname, "big.bin");
      assert.equal(got.get("top/")?.type, "directory");

      const flag = format === "tar.zst" ? "--zstd" : "-z";
      const listed = (await run("tar", [flag, "-tf", path])).stdout.split("\n");
      assert.ok(listed.includes("top/manifest.json") && listed.includes(`top/${LONG}`), listed.join(","));
      const x = join(dir, `x-${format}`);
      await run("mkdir", [x]);
      await run("tar", [flag, "-xf", path, "-C", x]);
      assert.ok((await readFile(join(x, "top/big.bin"))).equals(BIG));
      assert.equal((await stat(join(x, "top/big.bin"))).mtime.getTime(), MTIME.getTime());
      assert.equal(await readlink(join(x, "top/link")), "big.bin");
    });
  }

  it("fails when a file's content is shorter than its stated size", async () => {
    const fh = await open(join(dir, "short.tar.gz"), "wx");
    try {
      const w = new TarWriter(fh, "tar.gz");
      await assert.rejects(w.file({ name: "x" }, 10, chunks(Buffer.from("abc"))));
      await w.abort(new Error("test"));
    } finally {
      await fh.close();
    }
  });
});
