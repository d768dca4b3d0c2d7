/**
 * @module test/e2e/crash
 * Crash safety of `lifeboat backup`: the process is SIGKILLed (no handler runs, no lock is
 * released, no index is flushed) at 22 points spread over a backup's run time. After each
 * kill the repository must pass `check`, every snapshot committed so far must restore
 * byte-identical, and the next backup must succeed and reuse the packs the killed run left.
 *
 * The repository uses the smallest pack size init allows and files slightly larger than
 * it, so one backup writes dozens of packs and several index objects. Kill points are
 * triggered by what the backup has written so far (see KILL_POINTS): start-up, mid-upload,
 * between index writes, and after the snapshot write.
 */
import assert from "node:assert/strict";
import { rm, writeFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { hashTree, writeTree } from "../../src/testing/tree.ts";
import {
  backupJson, lb, lbOk, listPacks, makeEnv, openRepo, restoreHashes, snapshotIds, start, watchRepo, writeRandomFiles,
  type Env, type Hashed, type RepoFolder,
} from "./_spawn.ts";

// One file per pack: each file is a single blob just above the 64 KiB pack size, so a
// round writes FILES_PER_ROUND data packs, one tree pack, and an index object every 8 packs.
const FILES_PER_ROUND = 24;
const FILE_SIZE = 70 * 1024;

/** Seen is what a killed backup had written when the kill condition was checked. */
interface Seen {
  ms: number;
  locks: number;
  packs: number;
  indexes: number;
  snapshots: number;
}

/**
 * Kill points, in the order a backup reaches them. They are defined by what the backup has
 * written (not by wall-clock time), so they stay spread across the run on a slow or busy
 * machine; polling latency then adds a little jitter past each point.
 */
const KILL_POINTS: { name: string; when: (s: Seen) => boolean }[] = [
  { name: "at spawn", when: () => true },
  { name: "during start-up (50 ms)", when: (s) => s.ms >= 50 },
  { name: "during start-up (200 ms)", when: (s) => s.ms >= 200 },
  { name: "once its lock exists", when: (s) => s.locks > 0 },
  ...[1, 2, 4, 6, 7, 8, 9, 11, 14, 16, 17, 19, 22, 24].map((n) => ({ name: `after ${n} new pack(s)`, when: (s: Seen) => s.packs >= n })),
  { name: "after the last periodic index", when: (s) => s.indexes >= Math.floor(FILES_PER_ROUND / 8) },
  { name: "after the tree pack", when: (s) => s.packs > FILES_PER_ROUND },
  { name: "after the final index", when: (s) => s.indexes > Math.floor(FILES_PER_ROUND / 8) },
  { name: "after the snapshot", when: (s) => s.snapshots > 0 },
];

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

test(`backup killed with SIGKILL at ${KILL_POINTS.length} points leaves a consistent, reusable repository`, async (t) => {
  const env = await makeEnv("crash");
  let stopWatching = () => {};
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

    let onObject: ((folder: RepoFolder, name: string) => void) | undefined;
    stopWatching = await watchRepo(env.repo, (folder, name) => onObject?.(folder, name));
    let prev = "first";
    await nextRound(src, undefined, prev, -1);
    const first = await backupJson(env, [src]);
    expected.set(first.snapshot_id, await hashTree(src));
    assert.ok((await listPacks(env.repo)).size > FILES_PER_ROUND, "a backup writes one pack per file");

    let roundsWithLeftovers = 0;
    for (const [i, point] of KILL_POINTS.entries()) {
      const name = `round-${i}`;
      const newBytes = await nextRound(src, prev, name, i);
      prev = name;
      const state = await hashTree(src);
      const packsBefore = await listPacks(env.repo);
      const snapsBefore = new Set(await snapshotIds(env.repo));

      const objects: Record<RepoFolder, Set<string>> = { data: new Set(), index: new Set(), snapshots: new Set(), locks: new Set() };
      const t0 = performance.now();
      const run = start(env, ["backup", src]);
      let killedAt: Seen | undefined;
      const poke = () => {
        const s: Seen = { ms: performance.now() - t0, packs: objects.data.size, indexes: objects.index.size, snapshots: objects.snapshots.size, locks: objects.locks.size };
        if (!killedAt && point.when(s)) {
          killedAt = s;
          run.child.kill("SIGKILL");
        }
      };
      onObject = (folder, name) => { objects[folder].add(name); poke(); };
      const timer = setInterval(poke, 5);
      poke();
      const killed = await run.done;
      clearInterval(timer);
      onObject = undefined;
      const when = `kill ${i} ${point.name}`;
      if (killed.signal === null) assert.equal(killed.code, 0, `${when}: a backup that finished before the kill succeeded: ${killed.stderr}`);
      // A kill after the snapshot write leaves a snapshot of exactly this tree state.
      let committed = false;
      for (const id of await snapshotIds(env.repo)) {
        if (!snapsBefore.has(id)) {
          expected.set(id, state);
          committed = true;
        }
      }
      const present = await listPacks(env.repo);
      const leftover = [...present].filter((p) => !packsBefore.has(p));
      t.diagnostic(`${when}: ${killed.signal ?? `exit ${killed.code}`} at ${Math.round(killedAt?.ms ?? 0)} ms, ` +
        `${leftover.length} pack(s) left, snapshot ${committed ? "committed" : "not committed"}`);

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
        assert.ok(done.bytes_stored < newBytes,
          `${when}: the next backup reuses the ${leftover.length} pack(s) the killed run wrote (stored ${done.bytes_stored} of ${newBytes} new bytes)`);
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
    stopWatching();
    await env.cleanup();
  }
});
