/**
 * @module test/e2e/dedup.test
 * Deduplication as a user sees it through the CLI: backing up an unchanged tree again
 * stores no file data (whether files are skipped by metadata or re-read with --force), and
 * appending 1 KB to a 100 MB file stores about one chunk, not the file.
 */
import assert from "node:assert/strict";
import { appendFile, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  MiB, createWorkspace, dirSize, objectNames, packBlobTypes, summaryOf, withRepo, writeRandomFile, type Workspace,
} from "./helpers.ts";

interface Summary {
  snapshot_id: string;
  parent: string | null;
  files: number;
  files_new: number;
  files_changed: number;
  files_unmodified: number;
  blobs_new: number;
  bytes_new: number;
  bytes_stored: number;
}

const SMALL_FILES = 20;
// FastCDC's largest chunk is 8 MiB: an append rewrites at most the last chunk or two.
const APPEND_BUDGET = 20 * MiB;

/** dataPacks lists packs holding file content (tree packs also live under data/). */
async function dataPacks(ws: Workspace): Promise<string[]> {
  return withRepo(ws, async (repo) => [...packBlobTypes(repo)].filter(([, t]) => t.has("data")).map(([id]) => id).sort());
}

describe("deduplication through the CLI", { timeout: 300_000 }, () => {
  let ws: Workspace;
  let src: string;
  let first: Summary;

  before(async () => {
    ws = await createWorkspace();
    src = join(ws.dir, "src");
    await mkdir(join(src, "notes"), { recursive: true });
    await writeRandomFile(join(src, "model.bin"), 100 * MiB);
    for (let i = 0; i < SMALL_FILES; i++) await writeFile(join(src, "notes", `note-${i}.md`), `note ${i}: ${"memory ".repeat(i + 1)}\n`);
    const res = await ws.cli(["backup", "--json", src]);
    assert.equal(res.code, 0, res.stderr);
    first = summaryOf<Summary>(res);
    assert.equal(first.files, SMALL_FILES + 1);
    assert.equal(first.files_new, SMALL_FILES + 1);
    assert.ok(first.bytes_stored > 100 * MiB, "the first backup stores the random file in full");
  });

  after(() => ws?.cleanup());

  it("backing up an unchanged tree again writes no data pack and reports every file unmodified", async () => {
    const packsBefore = await dataPacks(ws);
    const filesBefore = await objectNames(ws.repo, "data");
    const res = await ws.cli(["backup", "--json", src]);
    assert.equal(res.code, 0, res.stderr);
    const s = summaryOf<Summary>(res);
    assert.equal(s.parent, first.snapshot_id, "the previous snapshot is the parent");
    assert.equal(s.files_unmodified, SMALL_FILES + 1);
    assert.equal(s.files_new + s.files_changed, 0);
    assert.deepEqual(await dataPacks(ws), packsBefore, "no new pack holds file data");
    // The folders above the source (e.g. /tmp) change all the time, so one new tree pack is allowed.
    const added = (await objectNames(ws.repo, "data")).filter((n) => !filesBefore.includes(n));
    assert.ok(added.length <= 1, `at most one (tree) pack added, got ${added.length}`);
    assert.ok(s.bytes_stored < 64 * 1024, `only tree metadata stored, got ${s.bytes_stored} bytes`);
    assert.equal(await objectNames(ws.repo, "snapshots").then((n) => n.length), 2);
  });

  it("--force re-reads every file but finds all content already stored", async () => {
    const packsBefore = await dataPacks(ws);
    const res = await ws.cli(["backup", "--json", "--force", src]);
    assert.equal(res.code, 0, res.stderr);
    const s = summaryOf<Summary>(res);
    assert.equal(s.parent, null, "--force compares against no parent");
    assert.equal(s.files_new, SMALL_FILES + 1, "every file was read again");
    assert.equal(s.files_unmodified, 0);
    assert.ok(s.bytes_new < 64 * 1024, `content is deduplicated by hash, got ${s.bytes_new} new bytes`);
    assert.deepEqual(await dataPacks(ws), packsBefore, "no new pack holds file data");
  });

  it("appending 1 KB to a 100 MB file stores about one chunk, and the other files are unmodified", async () => {
    const sizeBefore = await dirSize(ws.repo);
    await appendFile(join(src, "model.bin"), Buffer.alloc(1024, 7));
    const res = await ws.cli(["backup", "--json", src]);
    assert.equal(res.code, 0, res.stderr);
    const s = summaryOf<Summary>(res);
    assert.equal(s.files_changed, 1, "only the appended file changed");
    assert.equal(s.files_unmodified, SMALL_FILES);
    assert.ok(s.bytes_new > 1024, "the changed tail was stored");
    assert.ok(s.bytes_new < APPEND_BUDGET, `new bytes ${s.bytes_new} ≥ ${APPEND_BUDGET}: the file was not deduplicated`);
    assert.ok(s.bytes_stored < APPEND_BUDGET, `stored bytes ${s.bytes_stored}`);
    const growth = (await dirSize(ws.repo)) - sizeBefore;
    assert.ok(growth < APPEND_BUDGET, `repository grew by ${growth} bytes`);
  });
});
