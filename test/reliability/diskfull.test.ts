/**
 * @module test/reliability/diskfull.test
 * Issue 9, full disks and I/O errors.
 *
 * (a) A repository on a real tmpfs of random size (2-11 MiB) that a CLI backup fills: one
 * line, exit 1, no snapshot appears, no temporary or partial object is left, and check with
 * read-data finds nothing; after `mount -o remount,size=…` the next backup succeeds. Then a
 * CLI restore onto a full tmpfs target: exit 3 naming the files, every file under its final
 * name whole; grown, the target restores identical. Only the runs that must fail cleanly go
 * through the CLI (1.6 s a start); setup and verification run in-process. Needs root.
 *
 * (b) Random I/O faults under the CLI's wrapper stack through src/testing/faultyBackend.ts
 * (errors, bits flipped on save or load, short reads; and saves that store a body cut short
 * without an error) during a backup and then a restore: a clean failure or a correct result,
 * never a restored byte that differs, never a snapshot that cannot be restored while check
 * calls the repository clean.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import type { Handle } from "../../src/backends/backend.ts";
import { NotFoundError } from "../../src/backends/errors.ts";
import { createLocalBackend } from "../../src/backends/local/index.ts";
import { wrapBackend } from "../../src/backends/wrappers/index.ts";
import { backup } from "../../src/backup/backup.ts";
import { check } from "../../src/check/check.ts";
import { TEST_SCRYPT } from "../../src/crypto/kdf.ts";
import { initRepository, openRepository } from "../../src/repository/open.ts";
import { findSnapshot, loadSnapshots } from "../../src/repository/snapshots.ts";
import { restore } from "../../src/restore/restore.ts";
import { faultyBackend, type Fault, type FaultOp, type FaultyBackend } from "../../src/testing/faultyBackend.ts";
import { hashTree, writeTree, type HashedEntry } from "../../src/testing/tree.ts";
import { assertSameEntries, IS_ROOT, listFiles } from "../e2e/helpers.ts";
import { lb, makeEnv, PASSWORD as SPAWN_PASSWORD, snapshotIds, writeRandomFiles, type Env, type RunResult } from "../e2e/_spawn.ts";
import { LONG, pick, recordResult, rng, SEED, trials } from "./record.ts";

/** The long run (npm run reliability) takes as long as its trial counts need. */
const LONG_TIMEOUT = 6 * 3_600_000;

const sh = promisify(execFile);
const MiB = 1024 * 1024;
const mounts = new Set<string>();

async function mountTmpfs(dir: string, mib: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  await sh("mount", ["-t", "tmpfs", "-o", `size=${mib}m,mode=0700`, "tmpfs", dir]);
  mounts.add(dir);
}
const resize = (dir: string, mib: number) => sh("mount", ["-o", `remount,size=${mib}m`, dir]);
async function unmount(dir: string): Promise<void> {
  await sh("umount", [dir]).catch(() => sh("umount", ["-l", dir]));
  mounts.delete(dir);
}

/** mountSkip says why tmpfs trials cannot run here, or false. */
async function mountSkip(base: string): Promise<string | false> {
  if (!IS_ROOT) return "needs root to mount a tmpfs (run the reliability suite as root, as CI does)";
  try {
    await mountTmpfs(join(base, "probe"), 1);
    await unmount(join(base, "probe"));
    return false;
  } catch (err) {
    return `cannot mount a tmpfs here: ${(err as Error).message.split("\n")[0]}`;
  }
}

/** fill adds random files to `src` until it holds more than `bytes`: big files, many small ones, or both. */
async function fill(r: () => number, src: string, bytes: number): Promise<string> {
  const shape = ["big", "many", "mixed"][pick(r, 3)]!;
  let total = 0;
  for (let i = 0; total < bytes; i++) {
    const small = shape === "many" || (shape === "mixed" && r() < 0.7);
    total += await writeRandomFiles(join(src, `${shape}${i}`), small ? 20 : 1, small ? 2048 + pick(r, 40_000) : MiB + pick(r, 3 * MiB));
  }
  return `${shape} ${Math.round(total / 1024)} KiB`;
}

/** damage lists stored objects whose bytes do not match their name, and temporary files left behind. */
async function damage(repo: string): Promise<string[]> {
  const out: string[] = [];
  for (const f of await listFiles(repo)) {
    const name = f.slice(f.lastIndexOf("/") + 1);
    if (name.startsWith(".tmp-")) out.push(`temporary file left: ${f.slice(repo.length)}`);
    else if (/^[0-9a-f]{64}$/.test(name) && createHash("sha256").update(await readFile(f)).digest("hex") !== name) out.push(`partial object: ${f.slice(repo.length)}`);
  }
  return out;
}

/** oneLine checks what a user sees: `code`, one `lifeboat: ` line matching `what`, no stack trace. */
function oneLine(res: RunResult, code: number, what: RegExp): string | null {
  const lines = res.stderr.trimEnd().split("\n");
  if (res.code !== code) return `exit ${res.code ?? res.signal}, expected ${code}: ${res.stderr.slice(0, 300)}`;
  if (/^\s+at .*[:(]/m.test(res.stderr)) return `stack trace: ${res.stderr.slice(0, 300)}`;
  if (lines.length !== 1 || !lines[0]!.startsWith("lifeboat: ") || !what.test(lines[0]!)) return `stderr: ${res.stderr.slice(0, 300)}`;
  return null;
}

/** Tallies across tmpfs trials, for the result's details. */
const tally = { hitWhileSaving: new Map<string, number>(), whole: 0, named: 0, sizes: [] as number[] };

/** partialRestore checks a restore onto a full target: exit 3, and every file present is whole. */
async function partialRestore(env: Env, src: string, target: string): Promise<string[]> {
  const res = await lb(env, ["restore", "latest", "--target", target]);
  tally.named += (res.stderr.match(/^ {2}\//gm) ?? []).length;
  const out: string[] = [];
  if (res.code !== 3 || /^\s+at .*[:(]/m.test(res.stderr) || !/ENOSPC|no space/i.test(res.stderr + res.stdout)) out.push(`restore onto a full disk: exit ${res.code}: ${res.stderr.slice(0, 300)}`);
  const want = await hashTree(src);
  for (const [rel, e] of await hashTree(join(target, src)).catch(() => new Map())) {
    if (rel.includes(".lifeboat-restore-")) out.push(`temporary file left: ${rel}`);
    else if (e.type === "file" && (e.sha256 !== want.get(rel)?.sha256 || e.size !== want.get(rel)?.size)) out.push(`half-written under its final name: ${rel} (${e.size} of ${want.get(rel)?.size} bytes)`);
    else if (e.type === "file") tally.whole++;
  }
  return out;
}

/** libraryRepo opens a repository in-process (the CLI is what is under test only where it must fail cleanly). */
async function libraryRepo(path: string) {
  const repo = await openRepository(createLocalBackend(path), SPAWN_PASSWORD, { cacheDir: null });
  await repo.loadIndex();
  return repo;
}

/** tmpfsTrial runs one fill-the-disk round; it returns what went wrong. */
async function tmpfsTrial(base: string, env: Env, r: () => number, i: number): Promise<string[]> {
  const mib = 2 + pick(r, 10);
  const [mnt, tgt, src] = [join(base, `repo${i}`), join(base, `target${i}`), join(base, `src${i}`)];
  await mountTmpfs(mnt, mib);
  const repo = join(mnt, "repo");
  const e: Env = { ...env, repo, vars: { ...env.vars, LIFEBOAT_REPOSITORY: repo } };
  const out: string[] = [];
  const label = (s: string) => `trial ${i} (${mib} MiB tmpfs): ${s}`;
  try {
    const packSize = [64 * 1024, 256 * 1024, MiB, 16 * MiB][pick(r, 4)]!;
    await (await initRepository(createLocalBackend(repo), SPAWN_PASSWORD, { kdf: TEST_SCRYPT, cacheDir: null, packSize })).close();
    await writeRandomFiles(join(src, "first"), 3, 5000);
    const first = await withRepo(repo, async (rp) => (await backup(rp, { paths: [src] })).snapshotId);
    const what = await fill(r, src, mib * MiB * (1.2 + r()));
    const failed = await lb(e, ["backup", src]);
    const full = oneLine(failed, 1, /ENOSPC|no space/i);
    const hit = /save (\w+)/.exec(failed.stderr)?.[1] ?? "other";
    tally.hitWhileSaving.set(hit, (tally.hitWhileSaving.get(hit) ?? 0) + 1);
    tally.sizes.push(mib);
    if (full) out.push(label(`${what}: backup on a full disk: ${full}`));
    const snaps = await snapshotIds(repo);
    if (snaps.length !== 1 || snaps[0] !== first) out.push(label(`${snaps.length} snapshots after the failed backup`));
    out.push(...(await damage(repo)).map(label));
    const checked = await withRepo(repo, (rp) => check(rp, { readData: true }));
    if (checked.errors.length > 0) out.push(label(`check --read-data on the full disk: ${JSON.stringify(checked.errors.slice(0, 2))}`));
    await resize(mnt, mib * 4 + 40);
    const id = await withRepo(repo, async (rp) => (await backup(rp, { paths: [src] })).snapshotId);
    await mountTmpfs(tgt, 1 + pick(r, mib));
    out.push(...(await partialRestore(e, src, tgt)).map(label));
    await resize(tgt, mib * 4 + 40);
    const res = await withRepo(repo, async (rp) => restore(rp, (await loadSnapshots(rp)).snapshots.find((sn) => sn.id === id)!, { target: tgt }));
    if (res.errors.length > 0) out.push(label(`restore once the target grew: ${JSON.stringify(res.errors.slice(0, 2))}`));
    assertSameEntries(await hashTree(join(tgt, src)), await hashTree(src));
  } catch (err) {
    out.push(label(`${(err as Error).message.split("\n").slice(0, 3).join(" ")}`));
  } finally {
    for (const m of [tgt, mnt]) if (mounts.has(m)) await unmount(m);
    await rm(src, { recursive: true, force: true });
  }
  return out;
}

async function withRepo<T>(path: string, fn: (repo: Awaited<ReturnType<typeof libraryRepo>>) => Promise<T>): Promise<T> {
  const repo = await libraryRepo(path);
  try {
    return await fn(repo);
  } finally {
    await repo.close();
  }
}

// (b) faults -----------------------------------------------------------------------------

const PASSWORD = "faulty backend";
const coded = (code: string, msg: string) => () => Object.assign(new Error(`${code}: ${msg}`), { code });
const ERRORS: Record<string, () => unknown> = {
  reset: coded("ECONNRESET", "connection reset"), eio: coded("EIO", "i/o error"), enospc: coded("ENOSPC", "no space left on device"),
  eacces: coded("EACCES", "permission denied"),
};
const TYPES = ["any", "pack", "index", "snapshot", "lock", "key"] as const;

interface Planned { fault: Fault; what: string; repeat: number; corruptsSave: boolean }

/** addFaults plans one to three faults; the restore phase only disturbs reads. */
function addFaults(r: () => number, f: FaultyBackend, phase: "backup" | "restore"): Planned[] {
  const out: Planned[] = [];
  for (let k = 1 + pick(r, 3); k > 0; k--) {
    const op: FaultOp = phase === "restore" ? (["load", "load", "load", "list", "stat"] as const)[pick(r, 5)]! : (["save", "load", "list", "stat", "remove"] as const)[pick(r, 5)]!;
    const type = TYPES[pick(r, TYPES.length)]!;
    const kinds = op === "save" ? ["reset", "eio", "enospc", "corrupt"] : op === "load" ? ["reset", "eio", "gone", "corrupt", "truncate"] : ["reset", "eio", "eacces", "gone"];
    const kind = kinds[pick(r, kinds.length)]!;
    const repeat = kind === "corrupt" || kind === "truncate" ? 1 + pick(r, 3) : [1, 2, 3, Infinity][pick(r, 4)]!;
    const skip = pick(r, 6);
    const fault = f.addFault(op).after(skip).repeat(repeat).onlyFor((h: Handle) => type === "any" || h.type === type);
    if (kind === "corrupt") fault.corrupt();
    else if (kind === "truncate") fault.truncate(1 + pick(r, 100));
    else if (kind === "gone") fault.errorInstead(new NotFoundError({ type: "pack", name: "0".repeat(64) }));
    else fault.errorInstead(ERRORS[kind]!());
    out.push({ fault, repeat, what: `${op}/${type}/${kind} after ${skip} x${repeat}`, corruptsSave: op === "save" && kind === "corrupt" });
  }
  return out;
}

/** content writes a few random files (one compressible) into `src`, replacing what was there. */
async function content(r: () => number, src: string): Promise<Map<string, HashedEntry>> {
  await rm(src, { recursive: true, force: true });
  const files: Record<string, Buffer> = { "notes.md": Buffer.from(`# notes\n${"memory line\n".repeat(pick(r, 5000))}`) };
  for (let i = pick(r, 5); i >= 0; i--) files[`f${i}.bin`] = randomBytes(pick(r, 700_000));
  await writeTree(src, { agent: files, empty: {} });
  return hashTree(src);
}

/** verify restores every snapshot without faults; it returns the failures and whether one was incomplete. */
async function verify(dir: string, expected: (id: string) => Map<string, HashedEntry>, src: string): Promise<{ failures: string[]; incomplete: string[]; clean: boolean; errors: string[] }> {
  const raw = createLocalBackend(join(dir, "repo"));
  const checked = await check(await openRepository(raw, PASSWORD, { cacheDir: null }), { readData: true });
  const repo = await openRepository(raw, PASSWORD, { cacheDir: null });
  await repo.loadIndex({ tolerateDamage: true });
  const out = { failures: [] as string[], incomplete: [] as string[], clean: checked.errors.length === 0, errors: checked.errors.map((e) => `${e.object}: ${e.message}`) };
  for (const sn of (await loadSnapshots(repo)).snapshots) {
    const target = join(dir, `verify-${sn.id!.slice(0, 8)}`);
    const res = await restore(repo, sn, { target });
    const got = await hashTree(join(target, src)).catch(() => new Map<string, HashedEntry>());
    out.failures.push(...wrongBytes(got, expected(sn.id!), res.errors.map((e) => e.path)).map((w) => `snapshot ${sn.id!.slice(0, 8)}: ${w}`));
    if (res.errors.length > 0 || got.size !== expected(sn.id!).size) out.incomplete.push(sn.id!);
  }
  await repo.close();
  return out;
}

/** wrongBytes lists restored files that differ from what was backed up (files reported as failed excepted). */
function wrongBytes(got: Map<string, HashedEntry>, want: Map<string, HashedEntry>, failed: string[]): string[] {
  const out: string[] = [];
  for (const [rel, e] of got) {
    if (e.type !== "file" || failed.some((p) => p.endsWith(`/${rel}`))) continue;
    if (e.sha256 !== want.get(rel)?.sha256) out.push(`restored ${rel} with bytes that differ from the backup`);
  }
  return out;
}

/** ShortSaves: which saves store a body cut short without an error (faultyBackend has no such fault). */
interface ShortSaves { type: string; skip: number; times: number; cut: number; fired: number }

/** truncating stores only the start of the bodies `plan` picks: a short write nobody reported. */
function truncating(be: FaultyBackend, plan: ShortSaves): FaultyBackend {
  return {
    ...be,
    save(h, body, o) {
      if (plan.times <= 0 || (plan.type !== "any" && h.type !== plan.type) || plan.skip-- > 0) return be.save(h, body, o);
      plan.times--;
      plan.fired++;
      return be.save(h, body.subarray(0, Math.max(0, body.length - plan.cut)), o);
    },
  };
}

/** faultTrial: a clean baseline snapshot, then a backup and a restore under random faults. */
async function faultTrial(dir: string, r: () => number, counts: { committed: number; failed: number; detected: number }): Promise<string[]> {
  const raw = createLocalBackend(join(dir, "repo"));
  await initRepository(raw, PASSWORD, { kdf: TEST_SCRYPT, cacheDir: null, packSize: [64 * 1024, 256 * 1024, MiB][pick(r, 3)]! });
  const faulty = faultyBackend(raw);
  const short: ShortSaves = { type: TYPES[pick(r, TYPES.length)]!, skip: pick(r, 6), times: 0, cut: 1 + pick(r, 5000), fired: 0 };
  const shortTimes = r() < 0.2 ? 1 + pick(r, 2) : 0;
  const be = wrapBackend(raw, { retry: { baseDelayMs: 1 }, innerTestHook: () => truncating(faulty, short) });
  const src = join(dir, "src");
  const baseline = await content(r, src);
  const first = (await backup(await openRepository(be, PASSWORD, { cacheDir: null }), { paths: [src] })).snapshotId;
  const later = await content(r, src);
  const planned = addFaults(r, faulty, "backup");
  short.times = shortTimes; // armed only now: the baseline must be stored whole
  const faults = [...planned.map((p) => p.what), ...(short.times > 0 ? [`save/${short.type}/short by ${short.cut} after ${short.skip} x${short.times}`] : [])].join(", ");
  const out: string[] = [];
  await withFaults(be, async (repo) => { await backup(repo, { paths: [src] }); counts.committed++; }, () => { counts.failed++; }, out, faults);
  faulty.clearFaults();
  short.times = 0;
  const damaged = short.fired > 0 || planned.some((p) => p.corruptsSave && p.fault.remaining < p.repeat);
  const v = await verify(dir, (id) => (id === first ? baseline : later), src);
  out.push(...v.failures.map((f) => `${faults}: ${f}`));
  if (v.incomplete.includes(first)) out.push(`${faults}: the earlier snapshot no longer restores`);
  if (v.incomplete.length > 0 && v.clean) out.push(`${faults}: snapshot ${v.incomplete[0]!.slice(0, 8)} cannot be restored, yet check reports no error`);
  if (!damaged && !v.clean) out.push(`${faults}: check reports errors though no fault damaged stored data: ${v.errors.slice(0, 2).join("; ")}`);
  if (damaged && !v.clean) counts.detected++;
  const reads = addFaults(r, faulty, "restore").map((p) => p.what).join(", ");
  await withFaults(be, async (repo) => {
    await repo.loadIndex();
    const sn = await findSnapshot(repo, first);
    const res = await restore(repo, sn, { target: join(dir, "faulty-restore") });
    const got = await hashTree(join(dir, "faulty-restore", src)).catch(() => new Map<string, HashedEntry>());
    out.push(...wrongBytes(got, baseline, res.errors.map((e) => e.path)).map((w) => `restore under ${reads}: ${w}`));
  }, () => undefined, out, reads);
  await rm(dir, { recursive: true, force: true });
  return out;
}

/** withFaults opens the repository through the faulty stack and runs fn; a failure must be a clean Error. */
async function withFaults(be: ReturnType<typeof wrapBackend>, fn: (repo: Awaited<ReturnType<typeof openRepository>>) => Promise<void>, onFail: () => void, out: string[], faults: string): Promise<void> {
  let repo: Awaited<ReturnType<typeof openRepository>> | undefined;
  try {
    repo = await openRepository(be, PASSWORD, { cacheDir: null });
    await fn(repo);
  } catch (err) {
    onFail();
    if (!(err instanceof Error) || err.message === "" || err instanceof TypeError || err instanceof RangeError) out.push(`${faults}: not a clean failure: ${String(err)}`);
  } finally {
    await repo?.close().catch(() => undefined);
  }
}

describe("a full disk", { timeout: LONG ? LONG_TIMEOUT : 1_800_000 }, () => {
  let base: string;
  let env: Env;
  let skip: string | false = false;
  before(async () => {
    env = await makeEnv("diskfull");
    base = env.dir;
    skip = await mountSkip(base);
  });
  after(async () => {
    for (const m of [...mounts]) await unmount(m);
    await env?.cleanup();
  });

  const n = trials(6, 60);
  it(`tmpfs: ${n} backups fill the repository's disk, then restores fill the target's`, async (t) => {
    if (skip) return t.skip(skip);
    const r = rng(SEED);
    const failures: string[] = [];
    const started = Date.now();
    for (let i = 0; i < n; i++) failures.push(...(await tmpfsTrial(base, env, r, i)));
    await recordResult({
      suite: "diskfull-tmpfs", what: "backup onto a tmpfs that fills (2-11 MiB): one line, exit 1, no snapshot, no partial object, check clean; grown: backup and restore identical; restore onto a full tmpfs: exit 3, nothing half-written",
      trials: n, failures: failures.length, seed: SEED, ms: Date.now() - started,
      details: [
        `tmpfs sizes ${Math.min(...tally.sizes)}-${Math.max(...tally.sizes)} MiB; the disk filled while saving: ${[...tally.hitWhileSaving].map(([k, v]) => `${k} ${v}`).join(", ")}`,
        `restores onto a full target: ${tally.whole} files whole under their names, ${tally.named} named as not restored`, ...failures.slice(0, 5),
      ],
    });
    assert.deepEqual(failures, [], `seed ${SEED}`);
  });
});

describe("I/O errors from a faulty backend", { timeout: LONG ? LONG_TIMEOUT : 1_800_000 }, () => {
  let dir: string;
  before(async () => { dir = await mkdtemp(join(tmpdir(), "lifeboat-faulty-")); });
  after(() => rm(dir, { recursive: true, force: true }));

  const n = trials(20, 200);
  it(`${n} backups and restores under random faults: a clean failure or a correct result`, async () => {
    const r = rng(SEED ^ 0x5eed);
    const failures: string[] = [];
    const counts = { committed: 0, failed: 0, detected: 0 };
    const started = Date.now();
    for (let i = 0; i < n; i++) failures.push(...(await faultTrial(join(dir, `t${i}`), r, counts)).map((f) => `trial ${i}: ${f}`));
    await recordResult({
      suite: "diskfull-faults", what: "backup then restore through faultyBackend (errors, bit flips on save and load, short reads; save/load/list/stat/remove): clean failure or correct result, never a wrong byte restored, never a broken snapshot check calls clean",
      trials: n, failures: failures.length, seed: SEED, ms: Date.now() - started,
      details: [`${counts.committed} backups committed, ${counts.failed} failed cleanly; ${counts.detected} trials with stored damage that check reported`, ...failures.slice(0, 5)],
    });
    assert.deepEqual(failures, [], `seed ${SEED}`);
  });
});
