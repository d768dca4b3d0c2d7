/**
 * @module test/reliability/crash-helpers
 * The machinery of the crash suite: a world (a repository, a folder that changes each round,
 * and the content every committed snapshot must restore to), a CLI run SIGKILLed at a random
 * point, and the log that collects failing trials instead of stopping at the first.
 *
 * Kill points are drawn from what the run has done, not only from the clock: "after k
 * repository objects were written or removed", k uniform up to what a whole run of the same
 * command did last time. A fifth of the kills use a random delay instead, so start-up and the
 * last moments (lock release) are hit too.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { hashTree } from "../../src/testing/tree.ts";
import { assertSameEntries } from "../e2e/helpers.ts";
import {
  backupJson, lb, lbOk, makeEnv, restoreHashes, snapshotIds, start, watchRepo, writeRandomFiles,
  type Env, type Hashed, type RunResult,
} from "../e2e/_spawn.ts";
import { pick } from "./record.ts";

/** World is one repository under test and the content each of its snapshots must restore to. */
export interface World {
  env: Env;
  /** The folder every backup takes. */
  src: string;
  /** Content of every committed snapshot, by id. */
  expected: Map<string, Hashed>;
  /** Committed snapshot ids, oldest first (what `forget --keep-last` sees). */
  order: string[];
  round: number;
  /** Called for each object created or removed in the repository. */
  onEvent: (() => void) | undefined;
  close(): Promise<void>;
}

/** createWorld makes an isolated environment and a repository with 64 KiB packs (one pack per big file). */
export async function createWorld(prefix: string): Promise<World> {
  const env = await makeEnv(prefix);
  // Keep the run log, config lookup and state of the children inside the temp folder.
  Object.assign(env.vars, { HOME: env.dir, XDG_CONFIG_HOME: join(env.dir, "config"), LIFEBOAT_STATE_DIR: join(env.dir, "state") });
  await lbOk(env, ["init", "--pack-size", "64KiB"]).catch(async (err: unknown) => {
    await env.cleanup();
    throw err;
  });
  const src = join(env.dir, "src");
  await mkdir(join(src, "small"), { recursive: true });
  await mkdir(join(src, "empty-dir"));
  await writeFile(join(src, "AGENTS.md"), "# agent\n");
  await symlink("AGENTS.md", join(src, "link"));
  const w: World = { env, src, expected: new Map(), order: [], round: 0, onEvent: undefined, close: async () => {} };
  const stop = await watchRepo(env.repo, () => w.onEvent?.());
  w.close = async () => { stop(); await env.cleanup(); };
  return w;
}

/**
 * nextRound changes the folder as an agent would between backups: the previous round's big
 * files are replaced (their packs become unused once older snapshots go), about half the
 * small files are deleted and new ones added (packs become partly used: prune repacks them),
 * and a note is rewritten.
 */
export async function nextRound(w: World, r: () => number, big = 10, small = 24): Promise<void> {
  const n = w.round++;
  await rm(join(w.src, `big-${n - 1}`), { recursive: true, force: true });
  await writeRandomFiles(join(w.src, `big-${n}`), big, 70 * 1024);
  const dir = join(w.src, "small");
  for (const name of await readdir(dir)) if (r() < 0.5) await rm(join(dir, name));
  for (let i = 0; i < small; i++) await writeFile(join(dir, `r${n}-${i}.bin`), randomBytes(1024 + pick(r, 8 * 1024)));
  await writeFile(join(w.src, "notes.md"), `round ${n}\n`.repeat(20 + n));
}

/** backupRound changes the folder and backs it up to completion; returns the snapshot id. */
export async function backupRound(w: World, r: () => number, big?: number, small?: number): Promise<string> {
  await nextRound(w, r, big, small);
  const id = (await backupJson(w.env, [w.src])).snapshot_id;
  commit(w, id, await hashTree(w.src));
  return id;
}

/** commit records a snapshot the repository now holds and the content it must restore to. */
export function commit(w: World, id: string, content: Hashed): void {
  w.expected.set(id, content);
  w.order.push(id);
}

/** forgetLocally drops snapshots the repository no longer holds from what the world expects. */
export function forgetLocally(w: World, present: string[]): void {
  const keep = new Set(present);
  for (const id of w.order) if (!keep.has(id)) w.expected.delete(id);
  w.order = w.order.filter((id) => keep.has(id));
}

/** assertCheck runs `check --read-data` and throws with its output unless it exits 0. */
export async function assertCheck(w: World): Promise<void> {
  const c = await lb(w.env, ["check", "--read-data"]);
  if (c.code !== 0) throw new Error(`check --read-data exited ${c.code ?? c.signal}\n${c.stderr}`);
}

/** assertRestores restores every snapshot in the repository and compares each with what was backed up. */
export async function assertRestores(w: World): Promise<string[]> {
  const ids = await snapshotIds(w.env.repo);
  const unknown = ids.filter((id) => !w.expected.has(id));
  if (unknown.length > 0) throw new Error(`snapshot(s) nobody committed: ${unknown.map((id) => id.slice(0, 8)).join(", ")}`);
  const got = await restoreHashes(w.env.repo, ids, w.src, join(w.env.dir, "scratch"));
  for (const id of ids) {
    try {
      assertSameEntries(got.get(id)!, w.expected.get(id)!);
    } catch (err) {
      throw new Error(`snapshot ${id.slice(0, 8)} does not restore identical: ${(err as Error).message}`);
    }
  }
  return ids;
}

/** KillPlan: SIGKILL `delayMs` after the run has changed `objects` repository objects (0: after its start). */
export interface KillPlan {
  objects: number;
  delayMs: number;
}

/** Calibration is what the last whole run of a command did: objects changed, duration, and when it first wrote. */
export interface Calibration {
  objects: number;
  ms: number;
  firstMs: number;
}

export interface Killed {
  result: RunResult;
  /** True when the kill landed before the run ended on its own. */
  killed: boolean;
  objects: number;
  ms: number;
}

/** planKill draws a kill point: mostly "after k objects", k uniform up to a whole run; sometimes a random delay. */
export function planKill(r: () => number, last: Calibration): KillPlan {
  if (r() < 0.2 || last.objects === 0) return { objects: 0, delayMs: pick(r, Math.ceil(last.ms) + 1) };
  return { objects: pick(r, last.objects + 1), delayMs: 0 };
}

export const describePlan = (p: KillPlan): string =>
  p.objects === 0 ? `killed ${p.delayMs} ms after start` : `killed ${p.delayMs} ms after ${p.objects} object(s)`;

/** runKilled starts `lifeboat args` and SIGKILLs it at `plan`; a run that ends first must have exited 0. */
export async function runKilled(w: World, args: string[], plan: KillPlan): Promise<Killed> {
  const t0 = performance.now();
  let objects = 0;
  let armedAt = plan.objects === 0 ? t0 : -1;
  let sent = false;
  const run = start(w.env, args);
  const poke = () => {
    if (sent) return;
    if (armedAt < 0 && objects >= plan.objects) armedAt = performance.now();
    if (armedAt >= 0 && performance.now() - armedAt >= plan.delayMs) sent = run.child.kill("SIGKILL");
  };
  w.onEvent = () => { objects++; poke(); };
  const timer = setInterval(poke, 1);
  poke();
  const result = await run.done;
  clearInterval(timer);
  w.onEvent = undefined;
  if (result.signal === null && result.code !== 0) throw new Error(`lifeboat ${args.join(" ")} failed before the kill (exit ${result.code})\n${result.stderr}`);
  return { result, killed: result.signal === "SIGKILL", objects, ms: performance.now() - t0 };
}

/** runCounted runs `lifeboat args` to completion (exit 0, or it throws) and measures it for the next kill. */
export async function runCounted(w: World, args: string[]): Promise<Calibration & { result: RunResult }> {
  const t0 = performance.now();
  let objects = 0;
  let firstMs = -1;
  w.onEvent = () => {
    if (objects++ === 0) firstMs = performance.now() - t0;
  };
  const result = await lb(w.env, args);
  w.onEvent = undefined;
  if (result.code !== 0) throw new Error(`re-run of lifeboat ${args.join(" ")} exited ${result.code ?? result.signal}\n${result.stderr}`);
  const ms = performance.now() - t0;
  return { result, objects, ms, firstMs: firstMs < 0 ? ms : firstMs };
}

/** newSnapshots lists the snapshots in the repository that the world has not committed yet. */
export async function newSnapshots(w: World): Promise<string[]> {
  return (await snapshotIds(w.env.repo)).filter((id) => !w.expected.has(id));
}

/** TrialLog collects what a suite found: failures with their seed and kill point, and how kills landed. */
export class TrialLog {
  failures: string[] = [];
  killed = 0;
  finished = 0;
  readonly seed: number;
  constructor(seed: number) {
    this.seed = seed;
  }

  /** run runs one trial; a thrown error is a failure of the property, recorded with how to replay it. */
  async run(i: number, what: () => string, trial: () => Promise<void>, recover: () => Promise<void>): Promise<void> {
    try {
      await trial();
    } catch (err) {
      this.failures.push(`trial ${i} (seed ${this.seed}, ${what()}): ${(err as Error).message.slice(0, 1500)}`);
      // A broken repository would fail every later trial too: start those on a fresh one.
      await recover();
    }
  }

  /** What the last counted run did, for the test's diagnostics. */
  last = "";

  /** Objects each killed run had changed when the kill landed. */
  private at: number[] = [];

  count(k: Killed): void {
    if (k.killed) {
      this.killed++;
      this.at.push(k.objects);
    } else this.finished++;
    this.last = `${k.killed ? "killed" : "finished"} at ${Math.round(k.ms)} ms after ${k.objects} object(s)`;
  }

  details(): string[] {
    const at = [...this.at].sort((a, b) => a - b);
    const spread = at.length > 0 ? ` after ${at[0]}..${at.at(-1)} repository object changes (median ${at[at.length >> 1]})` : "";
    return [`${this.killed} run(s) killed mid-way${spread}, ${this.finished} finished before the kill point`, ...this.failures.slice(0, 5)];
  }
}
