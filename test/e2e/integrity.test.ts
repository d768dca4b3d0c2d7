/**
 * @module test/e2e/integrity.test
 * Damage is found and named, never passed on. One flipped byte anywhere in a pack (first
 * byte, middle, sealed header, length trailer), an index object or a snapshot object makes
 * `check --read-data` fail and print the damaged object's id. A restore from a repository
 * with one damaged pack writes every other file identical, names each damaged file, and
 * exits 3. Each flip is undone afterwards and check must pass again, which shows the
 * failure came from that byte and nothing else.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { access, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { hashTree, writeTree, type HashedEntry } from "../../src/testing/index.ts";
import {
  assertNoStackTrace, assertSameEntries, createWorkspace, filePacks, flipByte, objectNames, packPath, summaryOf,
  withRepo, writeRandomFile, type CliResult, type Workspace,
} from "./helpers.ts";
import { setOldMtimes } from "./trees.ts";

interface RestoreSummary { files: number; errors: { path: string; message: string }[] }

describe("integrity: damage is detected and named", { timeout: 300_000 }, () => {
  let ws: Workspace;
  let src: string;
  let source: Map<string, HashedEntry>;

  const check = () => ws.cli(["check", "--read-data"]);
  const assertNames = (res: CliResult, id: string, what: string) => {
    assert.notEqual(res.code, 0, `${what}: check must fail`);
    assert.ok(res.stderr.includes(id), `${what}: stderr names ${id.slice(0, 8)}…:\n${res.stderr}`);
    assertNoStackTrace(res.stderr);
  };
  /** damaged flips one byte, runs check, and always flips it back (so one failure cannot leak into later tests). */
  const damaged = async (path: string, offset: number): Promise<CliResult> => {
    await flipByte(path, offset);
    try {
      return await check();
    } finally {
      await flipByte(path, offset);
    }
  };
  const assertHealthy = async (what: string) => {
    const res = await check();
    assert.equal(res.code, 0, `${what}: check must pass once the byte is restored:\n${res.stderr}`);
  };

  before(async () => {
    // 64 KiB packs: most packs hold one or two files' data, so a damaged pack hurts only some files.
    ws = await createWorkspace({ packSize: "64KiB" });
    src = join(ws.dir, "src");
    const notes: Record<string, string> = {};
    for (let i = 0; i < 40; i++) notes[`note-${String(i).padStart(2, "0")}.md`] = `note ${i} ${randomBytes(600).toString("base64")}\n`;
    await writeTree(src, { notes, blobs: {}, "empty.txt": "" });
    for (let i = 0; i < 6; i++) await writeRandomFile(join(src, "blobs", `blob-${i}.bin`), 40_000 + i * 1000);
    await writeRandomFile(join(src, "large.bin"), 1_300_000); // several FastCDC chunks, so several packs
    await setOldMtimes(src);
    source = await hashTree(src);
    const res = await ws.cli(["backup", src]);
    assert.equal(res.code, 0, res.stderr);
    assert.ok((await objectNames(ws.repo, "data")).length >= 4, "the data is spread over several packs");
  });

  after(() => ws?.cleanup());

  it("check --read-data passes on the undamaged repository", async () => {
    const res = await check();
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /no errors found/);
  });

  it("a flipped byte at the start, middle, header or last byte of a pack fails check and names the pack", async () => {
    const packs = await withRepo(ws, async (repo) => filePacks(repo));
    const packId = [...packs.get(join(src, "large.bin"))!][0]!;
    const path = packPath(ws.repo, packId);
    const bytes = await readFile(path);
    const size = bytes.length;
    // Layout: blobs, then the sealed header, then its length as a 4-byte trailer.
    const headerLength = bytes.readUInt32LE(size - 4);
    assert.ok(headerLength > 0 && headerLength < size - 4, `header length ${headerLength}`);
    const positions: [string, number][] = [
      ["first byte", 0], ["middle", Math.floor(size / 2)], ["header", size - 4 - Math.floor(headerLength / 2)], ["last byte", size - 1],
    ];
    for (const [what, offset] of positions) {
      assertNames(await damaged(path, offset), packId, `pack ${what}`);
    }
    await assertHealthy("pack");
  });

  it("a flipped byte in an index object fails check and names the index object", async () => {
    const [indexId] = await objectNames(ws.repo, "index");
    assert.ok(indexId);
    const path = join(ws.repo, "index", indexId);
    const size = (await stat(path)).size;
    for (const offset of [0, Math.floor(size / 2), size - 1]) {
      assertNames(await damaged(path, offset), indexId, `index byte ${offset}`);
    }
    await assertHealthy("index");
  });

  it("a flipped byte in a snapshot object fails check and names the snapshot", async () => {
    const [snapId] = await objectNames(ws.repo, "snapshots");
    assert.ok(snapId);
    const path = join(ws.repo, "snapshots", snapId);
    const size = (await stat(path)).size;
    for (const offset of [0, Math.floor(size / 2), size - 1]) {
      assertNames(await damaged(path, offset), snapId, `snapshot byte ${offset}`);
    }
    await assertHealthy("snapshot");
  });

  it("restore with one damaged pack writes every other file identical, names each damaged file, and exits 3", async () => {
    const { packId, blobs, damagedFiles, allFiles } = await withRepo(ws, async (repo) => {
      const byFile = await filePacks(repo);
      // The data pack shared by the most files, as long as some files stay intact.
      const count = new Map<string, number>();
      for (const set of byFile.values()) for (const p of set) count.set(p, (count.get(p) ?? 0) + 1);
      const [packId] = [...count].filter(([, n]) => n < byFile.size).sort((a, b) => b[1] - a[1])[0]!;
      const blobs = [...repo.index.blobs.values()].filter((e) => e.packId === packId);
      const damagedFiles = [...byFile].filter(([, set]) => set.has(packId)).map(([p]) => p).sort();
      return { packId, blobs, damagedFiles, allFiles: [...byFile.keys()] };
    });
    assert.ok(damagedFiles.length >= 1 && damagedFiles.length < allFiles.length, `damaging ${damagedFiles.length} of ${allFiles.length} files`);
    // One byte inside every blob of the pack: each file with data there is damaged.
    for (const b of blobs) await flipByte(packPath(ws.repo, packId), b.offset + Math.floor(b.length / 2));

    const target = join(ws.dir, "restore-damaged");
    const res = await ws.cli(["restore", "latest", "--target", target]);
    assert.equal(res.code, 3, res.stderr);
    assertNoStackTrace(res.stderr);
    const named = res.stderr.split("\n").filter((l) => l.startsWith("  ")).map((l) => l.slice(2, l.indexOf(": ", 2))).sort();
    assert.deepEqual(named, damagedFiles, "stderr names exactly the damaged files");
    const rel = (p: string) => p.slice(src.length + 1);
    for (const f of damagedFiles) {
      await assert.rejects(access(join(target, f)), `no damaged content written for ${rel(f)}`);
    }
    const intact = new Map([...source].filter(([r, e]) => e.type !== "dir" && !damagedFiles.includes(join(src, r))));
    const restored = new Map([...(await hashTree(join(target, src)))].filter(([, e]) => e.type !== "dir"));
    assertSameEntries(restored, intact);

    const json = await ws.cli(["restore", "latest", "--target", join(ws.dir, "restore-damaged-json"), "--json"]);
    assert.equal(json.code, 3);
    const s = summaryOf<RestoreSummary>(json);
    assert.deepEqual(s.errors.map((e) => e.path).sort(), damagedFiles);
    assert.equal(s.files, allFiles.length - damagedFiles.length);

    const checked = await check();
    assertNames(checked, packId, "damaged pack after restore");
  });
});
