/**
 * @module test/reliability/crash
 * Issue 9, crash: `backup`, `forget --prune`, `prune` and `restore` are SIGKILLed at random
 * points (seeded: LIFEBOAT_RELIABILITY_SEED replays a run). After each kill `check
 * --read-data` passes, every committed snapshot restores byte-identical, and the same
 * command run again succeeds (a restore run again gives exactly the snapshot's content,
 * with nothing left of the killed run). A trial whose property does not hold is counted and
 * described; the suite records its result and then fails if any trial did.
 */
import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { hashTree } from "../../src/testing/tree.ts";
import { assertSameEntries } from "../e2e/helpers.ts";
import { lbOk, snapshotIds } from "../e2e/_spawn.ts";
import {
  assertCheck, assertRestores, backupRound, commit, createWorld, describePlan, forgetLocally, newSnapshots, nextRound,
  planKill, runCounted, runKilled, TrialLog, type Calibration, type KillPlan, type World,
} from "./crash-helpers.ts";
import { pick, recordResult, rng, SEED, trials } from "./record.ts";

// A fresh repository every EPOCH trials bounds how many snapshots each trial restores.
const EPOCH = 12;

/** Plan draws the trial's kill point (and remembers it for the failure message). */
type Plan = (c: Calibration, how?: typeof planKill) => KillPlan;

interface Suite {
  name: string;
  what: string;
  n: number;
  /** Added to SEED so each suite draws its own sequence. */
  salt: number;
  setup(w: World, r: () => number): Promise<void>;
  /** trial kills one run and throws if the property did not hold afterwards. */
  trial(w: World, r: () => number, log: TrialLog, plan: Plan): Promise<void>;
}

/** runSuite runs the trials on a world made by `setup`, records the result, then asserts no trial failed. */
async function runSuite(t: TestContext, s: Suite): Promise<void> {
  const r = rng(SEED + s.salt);
  const log = new TrialLog(SEED);
  const started = Date.now();
  const fresh = async () => {
    const w = await createWorld(s.name);
    await s.setup(w, r);
    return w;
  };
  let w = await fresh();
  try {
    for (let i = 0; i < s.n; i++) {
      if (i > 0 && i % EPOCH === 0) {
        await w.close();
        w = await fresh();
      }
      let planned = "before the kill";
      const plan: Plan = (c, how = planKill) => {
        const p = how(r, c);
        planned = describePlan(p);
        return p;
      };
      const t0 = Date.now();
      await log.run(i, () => planned, () => s.trial(w, r, log, plan), async () => { await w.close(); w = await fresh(); });
      t.diagnostic(`trial ${i}: ${planned}, ${log.last}, ${Date.now() - t0} ms`);
    }
  } finally {
    await w.close();
  }
  await recordResult({ suite: s.name, what: s.what, trials: s.n, failures: log.failures.length, details: log.details(), seed: SEED, ms: Date.now() - started });
  assert.deepEqual(log.failures, [], `${log.failures.length} of ${s.n} trials failed (seed ${SEED})`);
  // Without this the suite could pass having only ever killed runs that had already finished.
  assert.ok(log.killed > 0 || s.n < 4, `no kill landed mid-run in ${s.n} trials: the kill points miss the command`);
}

// What a whole backup round did, refreshed after each trial (killed run + re-run ≈ one whole run).
let backupCal: Calibration = { objects: 20, ms: 1500, firstMs: 500 };

test("crash: backup SIGKILLed at random points", { timeout: 1_800_000 }, async (t) => {
  await runSuite(t, {
    name: "crash-backup", n: trials(8, 60), salt: 1,
    what: "SIGKILL `backup` at a random point; check --read-data passes, all committed snapshots restore identical, the next backup succeeds",
    setup: async (w, r) => { await backupRound(w, r); },
    trial: async (w, r, log, plan) => {
      await nextRound(w, r);
      const state = await hashTree(w.src);
      const k = await runKilled(w, ["backup", w.src], plan(backupCal));
      log.count(k);
      // The killed run's snapshot is committed once its object exists: it must restore as this state.
      const made = await newSnapshots(w);
      assert.ok(made.length <= 1, `the killed backup left ${made.length} snapshots`);
      assert.ok(k.killed || made.length === 1, "a backup that exited 0 wrote its snapshot");
      if (made[0]) commit(w, made[0], state);
      await assertCheck(w);
      await assertRestores(w);
      const again = await runCounted(w, ["backup", w.src]);
      const next = await newSnapshots(w);
      assert.equal(next.length, 1, "the next backup wrote one snapshot");
      commit(w, next[0]!, state);
      backupCal = { ...again, objects: k.objects + again.objects, ms: Math.max(again.ms, k.killed ? 0 : k.ms) };
    },
  });
});

/** addRounds backs up `n` new rounds and returns a --keep-last count that forgets something. */
async function addRounds(w: World, r: () => number, n: number): Promise<number> {
  for (let a = n; a > 0; a--) await backupRound(w, r);
  return 1 + pick(r, Math.min(3, w.order.length - 1));
}

let forgetCal: Calibration = { objects: 40, ms: 1500, firstMs: 500 };

test("crash: forget --prune SIGKILLed at random points", { timeout: 1_800_000 }, async (t) => {
  await runSuite(t, {
    name: "crash-forget-prune", n: trials(6, 50), salt: 2,
    what: "SIGKILL `forget --keep-last N --prune` at a random point; kept snapshots remain, every remaining snapshot restores identical, check --read-data passes, the re-run succeeds",
    setup: async (w, r) => { await backupRound(w, r); },
    trial: async (w, r, log, plan) => {
      const keepN = await addRounds(w, r, 1 + pick(r, 2));
      const before = new Set(w.order);
      const keep = w.order.slice(-keepN);
      const args = ["forget", "--keep-last", String(keepN), "--prune"];
      const k = await runKilled(w, args, plan(forgetCal));
      log.count(k);
      // A forgotten snapshot may or may not be gone; a kept one must be there, and nothing new.
      const present = await snapshotIds(w.env.repo);
      for (const id of present) assert.ok(before.has(id), `snapshot ${id.slice(0, 8)} appeared`);
      for (const id of keep) assert.ok(present.includes(id), `kept snapshot ${id.slice(0, 8)} is gone`);
      await assertCheck(w);
      await assertRestores(w);
      const again = await runCounted(w, args);
      const after = await snapshotIds(w.env.repo);
      assert.deepEqual([...after].sort(), [...keep].sort(), "the re-run leaves exactly the kept snapshots");
      forgetLocally(w, after);
      forgetCal = { ...again, objects: k.objects + again.objects };
    },
  });
});

let pruneCal: Calibration = { objects: 40, ms: 1500, firstMs: 500 };

test("crash: prune SIGKILLed at random points", { timeout: 1_800_000 }, async (t) => {
  await runSuite(t, {
    name: "crash-prune", n: trials(6, 50), salt: 3,
    what: "SIGKILL `prune --grace 0s` (half of them --max-unused 0) at a random point; every snapshot restores identical, check --read-data passes, the re-run succeeds",
    setup: async (w, r) => { await backupRound(w, r); },
    trial: async (w, r, log, plan) => {
      const keepN = await addRounds(w, r, 1);
      await lbOk(w.env, ["forget", "--keep-last", String(keepN)]);
      forgetLocally(w, await snapshotIds(w.env.repo));
      const args = ["prune", "--grace", "0s", ...(r() < 0.5 ? ["--max-unused", "0"] : [])];
      const k = await runKilled(w, args, plan(pruneCal));
      log.count(k);
      assert.deepEqual((await snapshotIds(w.env.repo)).sort(), [...w.order].sort(), "prune removes no snapshot");
      await assertCheck(w);
      await assertRestores(w);
      const again = await runCounted(w, args);
      pruneCal = { ...again, objects: k.objects + again.objects };
    },
  });
});

let restoreCal: Calibration = { objects: 2, ms: 1500, firstMs: 600 };

/** planRestore kills a restore mostly while it writes (after it took its lock), sometimes during start-up. */
function planRestore(r: () => number, c: Calibration): KillPlan {
  if (r() < 0.15) return { objects: 0, delayMs: pick(r, Math.ceil(c.firstMs) + 1) };
  return { objects: 1, delayMs: pick(r, Math.ceil(c.ms - c.firstMs) + 1) };
}

test("crash: restore SIGKILLed at random points", { timeout: 1_800_000 }, async (t) => {
  let i = 0;
  await runSuite(t, {
    name: "crash-restore", n: trials(7, 60), salt: 4,
    what: "SIGKILL `restore SNAPSHOT --target DIR` at a random point; the repository checks clean, and restore run again into the same folder gives exactly the snapshot's content, with no temporary file of the killed run left",
    // Many small files: most of a restore's time is spent writing them.
    setup: async (w, r) => { for (let n = 0; n < 3; n++) await backupRound(w, r, 4, 150); },
    trial: async (w, r, log, plan) => {
      const id = w.order[pick(r, w.order.length)]!;
      const target = join(w.env.dir, `target-${i++}`);
      const args = ["restore", id, "--target", target];
      const k = await runKilled(w, args, plan(restoreCal, planRestore));
      log.count(k);
      await assertCheck(w);
      await assertRestores(w);
      const again = await runCounted(w, args);
      assertSameEntries(await hashTree(join(target, w.src)), w.expected.get(id)!);
      restoreCal = again;
      await rm(target, { recursive: true, force: true });
    },
  });
});
