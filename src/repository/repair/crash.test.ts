/**
 * @module repository/repair/crash.test
 * The write order of `repair packs` and `repair snapshots` (docs/design.md §10.1) under a
 * crash at each of their writes and removals: the failed run leaves a repository whose
 * `check --read-data` finds nothing that was not already wrong before the repair or is not
 * what the finished repair reports as lost, and running repair again finishes the job:
 * the same loss reported, and a clean check after `repair snapshots --forget`.
 */
import assert from "node:assert/strict";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { createLocalBackend } from "../../backends/local/index.ts";
import { check } from "../../check/check.ts";
import type { Backend } from "../../backends/backend.ts";
import { faultyBackend, type FaultOp } from "../../testing/faultyBackend.ts";
import { openRepository } from "../open.ts";
import type { Repository } from "../repository.ts";
import { repairPacks } from "./packs.ts";
import { flipAt, packFile, withDamageable, type Fixture } from "./_testkit.ts";
import { repairSnapshots } from "./snapshots.ts";

const crash = new Error("simulated crash");

/** withOpen opens a repository on `be` for one step (each step of repair opens its own). */
async function withOpen<T>(be: Backend, password: string, fn: (repo: Repository) => Promise<T>): Promise<T> {
  const repo = await openRepository(be, password, { cacheDir: null });
  try {
    return await fn(repo);
  } finally {
    await repo.close();
  }
}

/** pipeline is what a user runs: `repair`, then `repair snapshots --forget`. */
async function pipeline(be: Backend, password: string): Promise<void> {
  await withOpen(be, password, (repo) => repairPacks(repo));
  await withOpen(be, password, (repo) => repairSnapshots(repo, { forget: true }));
}

/** objects are the objects a check --read-data complains about. */
async function objects(path: string, password: string): Promise<Set<string>> {
  return withOpen(createLocalBackend(path), password, async (repo) => new Set((await check(repo, { readData: true })).errors.map((e) => e.object)));
}

test("a crash at any write of repair leaves a valid repository, and repair run again finishes", { timeout: 300_000 }, async () => {
  await withDamageable(async (f: Fixture) => {
    await flipAt(packFile(f, f.pack), f.offset + 10);
    const scratch = await mkdtemp(join(tmpdir(), "lifeboat-repair-crash-"));
    const copy = async (name: string) => {
      const path = join(scratch, name);
      await cp(f.path, path, { recursive: true });
      return path;
    };
    try {
      const before = await objects(f.path, f.password);
      // A run without faults: how many writes and removals there are, and what each stage leaves.
      const half = await copy("half");
      await withOpen(createLocalBackend(half), f.password, (repo) => repairPacks(repo));
      const allowed = new Set([...before, ...(await objects(half, f.password))]);
      const clean = faultyBackend(createLocalBackend(await copy("clean")));
      await pipeline(clean, f.password);
      const calls = { save: clean.calls("save"), remove: clean.calls("remove") };
      assert.ok(calls.save >= 3 && calls.remove >= 2, `repair writes and removes: ${JSON.stringify(calls)}`);
      for (const op of ["save", "remove"] as const) {
        for (let k = 0; k < calls[op]; k++) await crashAt(await copy(`crash-${op}-${k}`), f.password, op, k, allowed);
      }
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});

/** crashAt fails the k-th `op` of the pipeline, checks what is left, then runs the pipeline again. */
async function crashAt(path: string, password: string, op: FaultOp, k: number, allowed: Set<string>): Promise<void> {
  const be = faultyBackend(createLocalBackend(path));
  be.addFault(op).errorInstead(crash).after(k);
  await assert.rejects(pipeline(be, password), (err: unknown) => causedBy(err, crash), `${op} #${k} crashes the run`);
  const worse = [...(await objects(path, password))].filter((o) => !allowed.has(o));
  assert.deepEqual(worse, [], `after a crash at ${op} #${k}: damage beyond what the start or the finished repair shows`);
  await pipeline(createLocalBackend(path), password);
  assert.deepEqual([...(await objects(path, password))], [], `repair run again after a crash at ${op} #${k} checks clean`);
}

function causedBy(err: unknown, cause: Error): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) if (e === cause) return true;
  return false;
}
