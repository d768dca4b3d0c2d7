/**
 * @module test/e2e/roundtrip.test
 * The promise the whole tool rests on: `lifeboat backup` then `lifeboat restore` gives back
 * the same tree — content, modes, mtimes, links as links — for awkward trees and at size
 * (a file over 100 MB, 10,000 small files), all through the real CLI. Then restoring only a
 * subset with --include / --exclude gives exactly that subset.
 */
import assert from "node:assert/strict";
import { basename, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { hashTree, type HashedEntry } from "../../src/testing/index.ts";
import {
  MiB, assertNoStackTrace, assertSameEntries, assertSameTree, createWorkspace, summaryOf,
  writeRandomFile, type Workspace,
} from "./helpers.ts";
import { setOldMtimes, writeAwkwardTree, writeManySmallFiles } from "./trees.ts";

interface BackupSummary { snapshot_id: string; files: number; dirs: number; bytes: number; errors: unknown[] }
interface RestoreSummary { files: number; links: number; bytes: number; errors: unknown[] }

const BIG = 100 * MiB + 12_345; // over 100 MB, and not a multiple of any chunk size

describe("round trip through the CLI", { timeout: 600_000 }, () => {
  let ws: Workspace;
  let src: string;
  let snapshotId: string;
  let fileCount: number;
  let source: Map<string, HashedEntry>;

  before(async () => {
    ws = await createWorkspace();
    src = join(ws.dir, "src");
    await writeAwkwardTree(src);
    await writeRandomFile(join(src, "big.bin"), BIG);
    await writeManySmallFiles(join(src, "many"), 100, 100);
    await setOldMtimes(src);
    source = await hashTree(src);
    fileCount = [...source.values()].filter((e) => e.type === "file").length;

    const res = await ws.cli(["backup", "--json", src]);
    assert.equal(res.code, 0, res.stderr);
    assertNoStackTrace(res.stderr);
    const s = summaryOf<BackupSummary>(res);
    snapshotId = s.snapshot_id;
    assert.equal(s.files, fileCount, "every file is counted");
    assert.ok(s.bytes > BIG, "bytes processed include the big file");
    assert.deepEqual(s.errors, []);
  });

  after(() => ws?.cleanup());

  it("restores an identical tree: content, modes, mtimes, empty entries, links, unicode names", async () => {
    const target = join(ws.dir, "restore-all");
    const res = await ws.cli(["restore", snapshotId, "--target", target, "--json"]);
    assert.equal(res.code, 0, res.stderr);
    const s = summaryOf<RestoreSummary>(res);
    assert.equal(s.files, fileCount);
    assert.equal(s.links, 4);
    assert.deepEqual(s.errors, []);
    // Absolute snapshot paths are recreated under the target.
    const restored = join(target, src);
    const expected = await assertSameTree(restored, source);
    assert.ok(expected.size > 10_100, `the comparison covered ${expected.size} entries`);
    // Spot checks of what the comparison includes, so a weakened hashTree cannot pass silently.
    assert.equal(expected.get("links/to-dir")?.type, "symlink");
    assert.equal(expected.get("links/dangling")?.link, "../does-not-exist");
    assert.equal(expected.get("modes/readonly.txt")?.mode, 0o444);
    assert.equal(expected.get("private")?.mode, 0o700);
    assert.equal(expected.get("big.bin")?.size, BIG);
    assert.equal(expected.get("café/naïve 日本.md")?.type, "file");
    assert.equal(expected.get("empty-dir")?.type, "dir");
    assert.equal(expected.get("many/d099/f099.txt")?.type, "file");
    assert.notEqual(expected.get("empty-file")?.mtimeMs! % 1000, 0, "mtimes carry milliseconds");
  });

  it("restores `latest` the same way, and a second restore over the first is still identical", async () => {
    const target = join(ws.dir, "restore-twice");
    for (let i = 0; i < 2; i++) {
      // Skip the big parts to keep this quick; the full comparison is the test above.
      const res = await ws.cli(["restore", "latest", "--target", target, "--exclude", "many", "--exclude", "*.bin"]);
      assert.equal(res.code, 0, res.stderr);
      assert.match(res.stdout, /restored snapshot/);
    }
    await assertSameTree(join(target, src), source, (rel) => !rel.startsWith("many") && !rel.endsWith(".bin"));
  });

  it("--include restores exactly the selected folder", async () => {
    const target = join(ws.dir, "restore-include");
    const res = await ws.cli(["restore", snapshotId, "--target", target, "--include", join(src, "café"), "--json"]);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(summaryOf<RestoreSummary>(res).files, 2);
    const expected = await assertSameTree(join(target, src), source, (rel) => rel === "café" || rel.startsWith("café/"));
    assert.equal(expected.size, 4, "café, its two files and one folder");
  });

  it("--include with a relative glob restores only matching files (and the folders above them)", async () => {
    const target = join(ws.dir, "restore-glob");
    const res = await ws.cli(["restore", snapshotId, "--target", target, "--include", "*.md"]);
    assert.equal(res.code, 0, res.stderr);
    const restored = await hashTree(join(target, src));
    const nonDirs = (m: Map<string, HashedEntry>) => new Map([...m].filter(([, e]) => e.type !== "dir"));
    const wanted = new Map([...nonDirs(source)].filter(([rel]) => rel.endsWith(".md")));
    assert.deepEqual([...wanted.keys()].sort(), ["café/naïve 日本.md", "nested/notes.md"]);
    assertSameEntries(nonDirs(restored), wanted);
  });

  it("--exclude leaves out the matching paths and restores everything else identical", async () => {
    const target = join(ws.dir, "restore-exclude");
    const res = await ws.cli(["restore", snapshotId, "--target", target, "--exclude", "many", "--exclude", "*.bin", "--exclude", join(src, "links")]);
    assert.equal(res.code, 0, res.stderr);
    const expected = await assertSameTree(join(target, src), source,
      (rel) => !/^(many|links)(\/|$)/.test(rel) && !basename(rel).endsWith(".bin"));
    assert.ok(expected.has("café/naïve 日本.md") && !expected.has("big.bin") && !expected.has("many"));
  });
});
