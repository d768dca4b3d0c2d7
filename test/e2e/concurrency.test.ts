/**
 * @module test/e2e/concurrency
 * Several lifeboat processes on one repository: concurrent backups (shared locks), prune
 * against a running backup (exclusive lock: refused, or waited for with --lock-wait), and
 * locks left by a killed process (stale: ignored by new runs, removed by `unlock`).
 *
 * Overlap is made deterministic with SIGSTOP: a backup is frozen while it holds its lock
 * (and, where it matters, after it has written packs no index lists yet), the other process
 * runs, then the backup is resumed with SIGCONT.
 */
import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { hashTree } from "../../src/testing/tree.ts";
import {
  backupJson, lb, lbOk, listPacks, makeEnv, restoreHashes, start, waitFor, watchRepo, writeRandomFiles,
  type Env, type RepoFolder, type Running,
} from "./_spawn.ts";

let env: Env;
let running: Running[] = [];
let seen: Record<RepoFolder, Set<string>>;
let stopWatching = () => {};

beforeEach(async () => {
  env = await makeEnv("concurrency");
  await lbOk(env, ["init", "--pack-size", "64KiB"]);
  seen = { data: new Set(), index: new Set(), snapshots: new Set(), locks: new Set() };
  stopWatching = await watchRepo(env.repo, (folder, name) => seen[folder].add(name));
});

afterEach(async () => {
  stopWatching();
  // A failed assertion must not leave a frozen child behind.
  for (const r of running) {
    if (r.child.exitCode === null && r.child.signalCode === null) {
      r.child.kill("SIGCONT");
      r.child.kill("SIGKILL");
      await r.done;
    }
  }
  running = [];
  await env.cleanup();
});

function spawnLb(args: string[], extra: NodeJS.ProcessEnv = {}): Running {
  const r = start(env, args, extra);
  running.push(r);
  return r;
}

const locks = async () => (await readdir(join(env.repo, "locks"))).filter((n) => /^[0-9a-f]{64}$/.test(n));

/** makeTree writes a folder of fresh random files (one pack each) and returns its path. */
async function makeTree(name: string, files: number): Promise<string> {
  const dir = join(env.dir, name);
  await writeRandomFiles(join(dir, "data"), files, 70 * 1024);
  return dir;
}

/** frozenBackup starts a backup of `src` and SIGSTOPs it once it has written `packs` packs (0: once it holds its lock). */
async function frozenBackup(src: string, packs: number): Promise<Running> {
  const before = seen.data.size;
  const lockCount = seen.locks.size;
  const b = spawnLb(["--json", "backup", src]);
  await waitFor(() => (packs === 0 ? seen.locks.size > lockCount : seen.data.size - before >= packs) || b.child.exitCode !== null, 60_000, "the backup to get going");
  assert.ok(b.child.kill("SIGSTOP"), "the backup is still running when frozen");
  return b;
}

function snapshotId(stdout: string): string {
  const line = stdout.trim().split("\n").find((l) => l.includes('"summary"'));
  assert.ok(line, `backup printed a summary: ${stdout}`);
  return (JSON.parse(line) as { snapshot_id: string }).snapshot_id;
}

async function assertRestores(expected: Map<string, { src: string; hash: Awaited<ReturnType<typeof hashTree>> }>): Promise<void> {
  for (const [id, { src, hash }] of expected) {
    const got = await restoreHashes(env.repo, [id], src, join(env.dir, "restore"));
    assert.deepEqual(got.get(id), hash, `snapshot ${id.slice(0, 8)} of ${src} restores identical`);
  }
}

test("two backups into one repository at the same time both succeed and both restore", async () => {
  const a = await makeTree("a", 30);
  const b = await makeTree("b", 30);
  const [ra, rb] = await Promise.all([spawnLb(["--json", "backup", a]).done, spawnLb(["--json", "backup", b]).done]);
  assert.equal(ra.code, 0, ra.stderr);
  assert.equal(rb.code, 0, rb.stderr);
  await assertRestores(new Map([
    [snapshotId(ra.stdout), { src: a, hash: await hashTree(a) }],
    [snapshotId(rb.stdout), { src: b, hash: await hashTree(b) }],
  ]));
  const c = await lb(env, ["check", "--read-data"]);
  assert.equal(c.code, 0, c.stderr);
  assert.deepEqual(await locks(), [], "both released their locks");
});

test("a backup runs to completion while another one is frozen mid-upload, and the frozen one then finishes", async () => {
  const a = await makeTree("a", 20);
  const b = await makeTree("b", 12);
  // A is frozen holding a shared lock and packs that no index lists yet.
  const ra = await frozenBackup(a, 3);
  // B takes its own shared lock without waiting, and indexes A's unindexed packs as leftovers.
  const rb = await lb(env, ["--json", "backup", b]);
  assert.equal(rb.code, 0, `a shared lock does not block another backup\n${rb.stderr}`);
  ra.child.kill("SIGCONT");
  const doneA = await ra.done;
  assert.equal(doneA.code, 0, doneA.stderr);
  const expected = new Map([
    [snapshotId(doneA.stdout), { src: a, hash: await hashTree(a) }],
    [snapshotId(rb.stdout), { src: b, hash: await hashTree(b) }],
  ]);
  await assertRestores(expected);
  assert.equal((await lb(env, ["check", "--read-data"])).code, 0, "check passes with packs indexed twice");
  // Prune cleans up the double indexing without losing anything either snapshot needs.
  await lbOk(env, ["prune", "--grace", "0s"]);
  const c = await lb(env, ["check", "--read-data"]);
  assert.equal(c.code, 0, c.stderr);
  await assertRestores(expected);
});

test("prune refuses a repository a backup holds (exit 11), and with --lock-wait waits for it without deleting its data", async () => {
  const src = await makeTree("big", 40);
  const packsBefore = await listPacks(env.repo);
  // Frozen after writing packs that no index lists yet: a prune that ran now with
  // --grace 0s would delete them as leftovers and break the snapshot the backup is making.
  const backup = await frozenBackup(src, 3);
  assert.ok((await listPacks(env.repo)).size > packsBefore.size, "the backup has written packs");

  const refused = await lb(env, ["prune", "--grace", "0s"]);
  assert.equal(refused.code, 11, `prune without --lock-wait fails with exit 11\n${refused.stderr}`);
  assert.match(refused.stderr, /repository is locked/);
  assert.match(refused.stderr, new RegExp(`pid ${backup.child.pid}`), "the message names the process holding the lock");

  const waiting = spawnLb(["prune", "--grace", "0s", "--lock-wait", "2m"]);
  const order: string[] = [];
  void waiting.done.then(() => order.push("prune"));
  void backup.done.then(() => order.push("backup"));
  // Give prune time to find the lock and start retrying; if it is slower, it simply
  // starts after the backup, and the assertions below still hold.
  await sleep(1500);
  assert.equal(waiting.child.exitCode, null, "prune with --lock-wait is still waiting while the backup holds its lock");
  backup.child.kill("SIGCONT");
  const [b, p] = await Promise.all([backup.done, waiting.done]);
  assert.equal(b.code, 0, b.stderr);
  assert.equal(p.code, 0, `prune succeeded after waiting\n${p.stderr}`);
  assert.deepEqual(order, ["backup", "prune"], "prune ran only after the backup released its lock");

  await assertRestores(new Map([[snapshotId(b.stdout), { src, hash: await hashTree(src) }]]));
  const c = await lb(env, ["check", "--read-data"]);
  assert.equal(c.code, 0, c.stderr);
});

test("a lock left by a killed backup is stale: it blocks nothing, and unlock removes it", async () => {
  const src = await makeTree("s", 4);
  const killed = await frozenBackup(src, 0);
  killed.child.kill("SIGKILL");
  await killed.done;
  const stale = await locks();
  assert.equal(stale.length, 1, "SIGKILL leaves the lock object behind");

  const next = await backupJson(env, [src]);
  assert.ok(next.snapshot_id, "a new backup succeeds without --lock-wait");
  const exclusive = await lb(env, ["prune"]);
  assert.equal(exclusive.code, 0, `an exclusive lock ignores the stale lock too\n${exclusive.stderr}`);

  const u = await lbOk(env, ["unlock"]);
  assert.match(u.stdout, /removed 1 lock/);
  assert.deepEqual(await locks(), [], "unlock removed the stale lock");
});

test("unlock keeps a live lock unless --remove-all is given", async () => {
  const src = await makeTree("s", 4);
  const live = await frozenBackup(src, 0);
  const held = await locks();
  assert.equal(held.length, 1);

  const u = await lbOk(env, ["unlock"]);
  assert.match(u.stdout, /removed 0 lock/);
  assert.match(u.stdout, new RegExp(`kept live lock .*pid ${live.child.pid}`));
  assert.deepEqual(await locks(), held, "the live lock is still there");

  const all = await lbOk(env, ["unlock", "--remove-all"]);
  assert.match(all.stdout, /removed 1 lock/);
  assert.deepEqual(await locks(), []);
  // The backup whose lock was taken away still finishes (releasing a missing lock is not an error).
  live.child.kill("SIGCONT");
  const r = await live.done;
  assert.equal(r.code, 0, r.stderr);
});
