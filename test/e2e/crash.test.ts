/**
 * @module test/e2e/crash
 * Crash safety of `lifeboat backup`: the process is SIGKILLed (no handler runs, no lock is
 * released, no index is flushed) at 22 points spread over a backup's run time. After each
 * kill the repository must pass `check`, every snapshot committed so far must restore
 * byte-identical, and the next backup must succeed and reuse the packs the killed run left.
 *
 * The repository uses the smallest pack size init allows and files slightly larger than
 * it, so one backup writes dozens of packs and several index objects: kill points land in
 * start-up, mid-upload, between index writes, and around the snapshot write.
 */
import assert from "node:assert/strict";
import { rm, writeFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { hashTree, writeTree } from "../../src/testing/tree.ts";
import {
  backupJson, lb, lbOk, listPacks, makeEnv, openRepo, restoreHashes, snapshotIds, start, writeRandomFiles,
  type Env, type Hashed,
} from "./_spawn.ts";

const KILL_POINTS = 22;
// One file per pack: each file is a single blob just above the 64 KiB pack size.
const FILES_PER_ROUND = 40;
const FILE_SIZE = 70 * 1024;

/** assertAllRestore restores every snapshot in the repository and compares it with what was backed up. */
async function assertAllRestore(env: Env, expected: Map<string, Hashed>, src: string, when: string): Promise<void> {
  const ids = await snapshotIds(env.repo);
  assert.deepEqual([...ids].sort(), [...expected.keys()].sort(), `${when}: the repository holds exactly the committed snapshots`);
  const got = await restoreHashes(env.repo, ids, src, join(env.dir, "restore"));
  for (const id of ids) assert.deepEqual(got.get(id), expected.get(id), `${when}: snapshot ${id.slice(0, 8)} restores identical`);
}

/** nextRound replaces the previous round's fresh files with new ones and edits a file; returns new bytes. */
async function nextRound(src: string, prev: string | undefined, name: string, i: number): Promise<number> {
  if (prev) await rm(join(src, prev), { recursive: true, force: true });
  const bytes = await writeRandomFiles(join(src, name), FILES_PER_ROUND, FILE_SIZE);
  await writeFile(join(src, "memory", "notes.md"), `round ${i}\n`.repeat(50 + i));
  return bytes;
}

test(`backup killed with SIGKILL at ${KILL_POINTS} points leaves a consistent, reusable repository`, async () => {
  const env = await makeEnv("crash");
  try {
    const src = join(env.dir, "agent");
    await writeTree(src, {
      "AGENTS.md": "# agent\n",
      memory: { "notes.md": "start\n", "empty.txt": "" },
      state: { "session.json": JSON.stringify({ turn: 0 }), nested: { deep: { "x.txt": "x" } } },
      link: { link: "AGENTS.md" },
    });
    await mkdir(join(src, "empty-dir"));
    await lbOk(env, ["init", "--pack-size", "64KiB"]);
    const expected = new Map<string, Hashed>();

    // Calibration: one uninterrupted backup with as much new content as each round adds.
    let prev = "calibration";
    await nextRound(src, undefined, prev, -1);
    const t0 = performance.now();
    const first = await backupJson(env, [src]);
    const duration = performance.now() - t0;
    expected.set(first.snapshot_id, await hashTree(src));
    assert.ok((await listPacks(env.repo)).size >= FILES_PER_ROUND, "a backup writes one pack per file");

    let roundsWithLeftovers = 0;
    for (let i = 0; i < KILL_POINTS; i++) {
      const name = `round-${i}`;
      const newBytes = await nextRound(src, prev, name, i);
      prev = name;
      const state = await hashTree(src);
      const packsBefore = await listPacks(env.repo);
      const snapsBefore = new Set(await snapshotIds(env.repo));

      const run = start(env, ["backup", src]);
      await sleep((i / (KILL_POINTS - 1)) * duration);
      run.child.kill("SIGKILL");
      const killed = await run.done;
      const when = `kill ${i} at ${Math.round((i / (KILL_POINTS - 1)) * duration)} ms (${killed.signal ?? `exit ${killed.code}`})`;
      if (killed.signal === null) assert.equal(killed.code, 0, `${when}: a backup that finished before the kill succeeded: ${killed.stderr}`);
      // A kill after the snapshot write leaves a snapshot of exactly this tree state.
      for (const id of await snapshotIds(env.repo)) if (!snapsBefore.has(id)) expected.set(id, state);
      const present = await listPacks(env.repo);
      const leftover = [...present].filter((p) => !packsBefore.has(p));

      const c = await lb(env, ["check"]);
      assert.equal(c.code, 0, `${when}: check passes\n${c.stderr}`);
      await assertAllRestore(env, expected, src, when);

      const done = await backupJson(env, [src]);
      expected.set(done.snapshot_id, state);
      const after = await listPacks(env.repo);
      const repo = await openRepo(env.repo);
      try {
        for (const p of present) {
          assert.ok(after.has(p), `${when}: pack ${p.slice(0, 8)} is still present after the next backup`);
          assert.ok(repo.index.packs.has(p), `${when}: pack ${p.slice(0, 8)} is indexed after the next backup`);
        }
      } finally {
        await repo.close();
      }
      if (leftover.length > 0) {
        roundsWithLeftovers++;
        assert.ok(done.bytesStored < newBytes,
          `${when}: the next backup reuses the ${leftover.length} pack(s) the killed run wrote (stored ${done.bytesStored} of ${newBytes} new bytes)`);
      }
    }
    // Without this the loop could pass having only ever killed during start-up.
    assert.ok(roundsWithLeftovers > 0, "at least one kill landed after packs were written");

    await lbOk(env, ["prune", "--grace", "0s"]);
    const full = await lb(env, ["check", "--read-data"]);
    assert.equal(full.code, 0, `check --read-data after prune\n${full.stderr}`);
    assert.doesNotMatch(full.stderr, /warning|error/, "no unindexed or damaged packs remain after prune");
    await assertAllRestore(env, expected, src, "after prune");
    // One restore through the CLI too, of the newest snapshot.
    const target = join(env.dir, "cli-restore");
    await lbOk(env, ["restore", "latest", "--target", target]);
    assert.deepEqual(await hashTree(join(target, src)), await hashTree(src), "CLI restore of latest matches the tree");
  } finally {
    await env.cleanup();
  }
});
