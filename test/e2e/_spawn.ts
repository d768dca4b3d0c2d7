/**
 * @module test/e2e/_spawn
 * Helpers for the crash-safety and concurrency end-to-end tests: run the CLI from source
 * in a child process (so it can be SIGKILLed for real), fill folders with fresh random
 * content, and inspect or restore a repository through the library in-process (much faster
 * than one CLI run per snapshot when a test restores dozens of snapshots).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { watch } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createLocalBackend } from "../../src/backends/local/index.ts";
import { openRepository } from "../../src/repository/open.ts";
import type { Repository } from "../../src/repository/repository.ts";
import { loadSnapshots } from "../../src/repository/snapshots.ts";
import { restore } from "../../src/restore/restore.ts";
import { hashTree, type HashedEntry } from "../../src/testing/tree.ts";

const MAIN = resolve(dirname(fileURLToPath(import.meta.url)), "../../src/cli/main.ts");
export const PASSWORD = "crash test password";

/** Env is one isolated test world: a temp folder with a password file, a cache and a repo path. */
export interface Env {
  dir: string;
  repo: string;
  vars: NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
}

export async function makeEnv(prefix: string): Promise<Env> {
  const dir = await mkdtemp(join(tmpdir(), `lifeboat-${prefix}-`));
  const pw = join(dir, "password");
  await writeFile(pw, PASSWORD + "\n", { mode: 0o600 });
  const repo = join(dir, "repo");
  const vars: NodeJS.ProcessEnv = {
    ...process.env,
    LIFEBOAT_INSECURE_TEST_KDF: "1",
    XDG_CACHE_HOME: join(dir, "cache"),
    LIFEBOAT_PASSWORD_FILE: pw,
    LIFEBOAT_REPOSITORY: repo,
  };
  // A developer's own settings must not leak into the child.
  delete vars.LIFEBOAT_PASSWORD;
  delete vars.LIFEBOAT_LOCK_REFRESH_MS;
  delete vars.LIFEBOAT_DEBUG;
  return { dir, repo, vars, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface RunResult {
  /** Exit code, or null when the process died from a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Running is a started CLI process and the promise of its result. */
export interface Running {
  child: ChildProcess;
  done: Promise<RunResult>;
}

export function start(env: Env, args: string[], extra: NodeJS.ProcessEnv = {}): Running {
  const child = spawn(process.execPath, [MAIN, ...args], { env: { ...env.vars, ...extra }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (s: string) => { stdout += s; });
  child.stderr!.setEncoding("utf8").on("data", (s: string) => { stderr += s; });
  const done = new Promise<RunResult>((res, rej) => {
    child.on("error", rej);
    child.on("close", (code, signal) => res({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

export function lb(env: Env, args: string[], extra: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return start(env, args, extra).done;
}

/** lbOk runs the CLI and throws with its output unless it exits 0. */
export async function lbOk(env: Env, args: string[], extra: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  const r = await lb(env, args, extra);
  if (r.code !== 0) throw new Error(`lifeboat ${args.join(" ")} exited ${r.code ?? r.signal}\n${r.stderr}${r.stdout}`);
  return r;
}

/** backupJson runs `backup --json` to completion and returns the parsed summary line. */
export async function backupJson(env: Env, paths: string[], extra: string[] = []): Promise<{ snapshot_id: string; bytes_stored: number; [k: string]: unknown }> {
  const r = await lbOk(env, ["--json", ...extra, "backup", ...paths]);
  const line = r.stdout.trim().split("\n").find((l) => l.includes('"summary"'));
  if (!line) throw new Error(`no summary in backup output: ${r.stdout}`);
  return JSON.parse(line) as { snapshot_id: string; bytes_stored: number };
}

/** writeRandomFiles writes `count` files of `size` fresh random bytes into `dir`; returns bytes written. */
export async function writeRandomFiles(dir: string, count: number, size: number): Promise<number> {
  await mkdir(dir, { recursive: true });
  for (let i = 0; i < count; i++) await writeFile(join(dir, `f${String(i).padStart(4, "0")}.bin`), randomBytes(size));
  return count * size;
}

/** openRepo opens the repository in-process, without a cache, with its index loaded. */
export async function openRepo(path: string): Promise<Repository> {
  const repo = await openRepository(createLocalBackend(path), PASSWORD, { cacheDir: null });
  await repo.loadIndex();
  return repo;
}

/** listPacks returns the names of every pack object in the repository folder. */
export async function listPacks(repoPath: string): Promise<Set<string>> {
  const out = new Set<string>();
  const data = join(repoPath, "data");
  for (const sub of await readdir(data)) {
    for (const name of await readdir(join(data, sub))) if (/^[0-9a-f]{64}$/.test(name)) out.add(name);
  }
  return out;
}

/** snapshotIds lists the snapshot ids in the repository. */
export async function snapshotIds(repoPath: string): Promise<string[]> {
  const repo = await openRepository(createLocalBackend(repoPath), PASSWORD, { cacheDir: null });
  try {
    return (await loadSnapshots(repo)).snapshots.map((s) => s.id!);
  } finally {
    await repo.close();
  }
}

export type Hashed = Map<string, HashedEntry>;

/**
 * restoreHashes restores each snapshot in `ids` with the library into a scratch folder and
 * returns the hashed tree found at `srcPath` under it (restore recreates absolute paths).
 */
export async function restoreHashes(repoPath: string, ids: string[], srcPath: string, scratch: string): Promise<Map<string, Hashed>> {
  const repo = await openRepo(repoPath);
  const out = new Map<string, Hashed>();
  try {
    const { snapshots } = await loadSnapshots(repo);
    for (const id of ids) {
      const sn = snapshots.find((s) => s.id === id);
      if (!sn) throw new Error(`snapshot ${id.slice(0, 8)} is missing`);
      const target = join(scratch, id.slice(0, 12));
      const res = await restore(repo, sn, { target });
      if (res.errors.length > 0) throw new Error(`restore ${id.slice(0, 8)}: ${JSON.stringify(res.errors)}`);
      out.set(id, await hashTree(join(target, srcPath)));
      await rm(target, { recursive: true, force: true });
    }
  } finally {
    await repo.close();
  }
  return out;
}

/** RepoFolder names the repository folders a test can watch for new objects. */
export type RepoFolder = "data" | "index" | "snapshots" | "locks";

/**
 * watchRepo calls `onObject` as each finished object appears in the repository (inotify,
 * so a test can react within a millisecond or so, far faster than polling listings). It
 * first creates all 256 pack folders (as restic's init does) so no new folder, and no
 * event inside one, can be missed. Temp files are ignored; removals are reported too.
 */
export async function watchRepo(repoPath: string, onObject: (folder: RepoFolder, name: string) => void): Promise<() => void> {
  const dirs: [RepoFolder, string][] = (["index", "snapshots", "locks"] as const).map((f) => [f, join(repoPath, f)]);
  for (let i = 0; i < 256; i++) {
    const sub = join(repoPath, "data", i.toString(16).padStart(2, "0"));
    await mkdir(sub, { recursive: true, mode: 0o700 });
    dirs.push(["data", sub]);
  }
  const watchers = dirs.map(([folder, dir]) => watch(dir, (_ev, name) => {
    if (name && /^[0-9a-f]{64}$/.test(name)) onObject(folder, name);
  }));
  return () => { for (const w of watchers) w.close(); };
}

/** waitFor polls `pred` every 20 ms until it is true or `ms` pass (then throws `what`). */
export async function waitFor(pred: () => Promise<boolean> | boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
