/**
 * @module test/e2e/interrupt.test
 * Ctrl-C during a backup: the CLI stops with exit 130, writes no snapshot and releases its
 * lock, and the repository stays healthy. The signal is sent once the backup has provably
 * started writing (a lock and at least one pack exist), not after a fixed delay.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { mkdir } from "node:fs/promises";
import { MiB, assertCleanFailure, collect, createWorkspace, objectNames, spawnCli, writeRandomFile, type Workspace } from "./helpers.ts";

const FILES = 12;
const FILE_SIZE = 25 * MiB; // 300 MiB in all: far more than can be stored before the signal lands

describe("interrupting a backup", { timeout: 300_000 }, () => {
  let ws: Workspace;
  let src: string;

  before(async () => {
    ws = await createWorkspace();
    src = join(ws.dir, "src");
    await mkdir(src);
    for (let i = 0; i < FILES; i++) await writeRandomFile(join(src, `part-${String(i).padStart(2, "0")}.bin`), FILE_SIZE);
  });

  after(() => ws?.cleanup());

  it("SIGINT mid-backup exits 130, writes no snapshot, removes its lock, and leaves a healthy repository", async () => {
    const child = spawnCli(["backup", src], { env: ws.env });
    const done = collect(child);
    let exited = false;
    void done.then(() => { exited = true; });

    // Wait until the backup holds its lock and has written at least one pack.
    let sawLock = false;
    for (let waited = 0; !exited && waited < 60_000; waited += 20) {
      sawLock ||= (await objectNames(ws.repo, "locks")).length > 0;
      if (sawLock && (await objectNames(ws.repo, "data")).length > 0) break;
      await sleep(20);
    }
    assert.ok(!exited, "the backup finished before it could be interrupted; make the tree larger");
    assert.ok(sawLock, "the running backup holds a lock");
    child.kill("SIGINT");

    const res = await done;
    assertCleanFailure(res, 130, /interrupted/);
    assert.deepEqual(await objectNames(ws.repo, "snapshots"), [], "no snapshot written");
    assert.deepEqual(await objectNames(ws.repo, "locks"), [], "lock released");

    const snapshots = await ws.cli(["--json", "snapshots"]);
    assert.equal(snapshots.code, 0, snapshots.stderr);
    assert.deepEqual(JSON.parse(snapshots.stdout), []);
    // Packs left behind are at most a warning; the repository itself is consistent.
    const check = await ws.cli(["check"]);
    assert.equal(check.code, 0, check.stderr);
  });
});
