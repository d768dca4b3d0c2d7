/**
 * @module test/e2e/helpers
 * Shared plumbing for the end-to-end tests: spawn the CLI from its TypeScript source (so a
 * stale dist/ can never be what is tested), throwaway workspaces holding a password file,
 * a cache folder and a repository, and small tools to inspect and damage what lands on disk.
 * Library calls appear only where a test must know something the CLI does not print
 * (which pack holds which file), never to perform the behaviour under test.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, open, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createLocalBackend } from "../../src/backends/local/index.ts";
import type { BlobType, Node } from "../../src/model/index.ts";
import { openRepository } from "../../src/repository/open.ts";
import type { Repository } from "../../src/repository/repository.ts";
import { findSnapshot } from "../../src/repository/snapshots.ts";
import { hashTree, type HashedEntry } from "../../src/testing/index.ts";

export const PROJECT_ROOT = resolve(import.meta.dirname, "../..");
export const CLI_ENTRY = join(PROJECT_ROOT, "src/cli/main.ts");
export const IS_ROOT = process.getuid?.() === 0;
/** The unprivileged account used where root would ignore file permissions. */
export const NOBODY = { uid: 65534, gid: 65534 };
export const MiB = 1024 * 1024;

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  uid?: number;
  gid?: number;
}

/**
 * cleanEnv is the parent's environment without anything that would change the CLI's
 * behaviour behind a test's back (a developer's own LIFEBOAT_* settings, the test runner's
 * context), plus `extra` (an undefined value removes a variable).
 */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith("LIFEBOAT_") || k.startsWith("NODE_TEST") || k === "NODE_OPTIONS") continue;
    env[k] = v;
  }
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** spawnCli starts `lifeboat args...` and returns the child (for tests that signal it). */
export function spawnCli(args: string[], opts: RunOptions = {}): ChildProcess {
  return spawn(process.execPath, [CLI_ENTRY, ...args], {
    cwd: opts.cwd ?? PROJECT_ROOT,
    env: cleanEnv(opts.env),
    stdio: ["ignore", "pipe", "pipe"],
    ...(opts.uid !== undefined ? { uid: opts.uid } : {}),
    ...(opts.gid !== undefined ? { gid: opts.gid } : {}),
  });
}

/** collect waits for a child to exit and returns its exit status and output. */
export function collect(child: ChildProcess): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (d: string) => { stdout += d; });
  child.stderr?.setEncoding("utf8").on("data", (d: string) => { stderr += d; });
  return new Promise((resolvePromise, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
  });
}

/** runCli runs `lifeboat args...` to completion. */
export function runCli(args: string[], opts: RunOptions = {}): Promise<CliResult> {
  return collect(spawnCli(args, opts));
}

export interface Workspace {
  /** Temporary folder holding everything below. */
  dir: string;
  repo: string;
  passwordFile: string;
  password: string;
  cacheDir: string;
  /** Environment that points the CLI at this workspace's repository and password. */
  env: Record<string, string>;
  /** cli runs the CLI against this workspace (extra env merges over `env`). */
  cli(args: string[], opts?: RunOptions): Promise<CliResult>;
  cleanup(): Promise<void>;
}

export interface WorkspaceOptions {
  /** Run `lifeboat init` (default true). */
  init?: boolean;
  /** `init --pack-size`, e.g. "64KiB". */
  packSize?: string;
  /** Make the workspace usable by another account (for the `nobody` runs). */
  shared?: boolean;
  /** Run init as this account (the repository then belongs to it). */
  initAs?: { uid?: number; gid?: number };
}

/** createWorkspace makes a temp folder with a password file and (by default) an initialised repository. */
export async function createWorkspace(opts: WorkspaceOptions = {}): Promise<Workspace> {
  const dir = await mkdtemp(join(tmpdir(), "lifeboat-e2e-"));
  const password = `e2e password ${randomBytes(6).toString("hex")}`;
  const passwordFile = join(dir, "password");
  await writeFile(passwordFile, password + "\n", { mode: opts.shared ? 0o644 : 0o600 });
  if (opts.shared) await chmod(dir, 0o777);
  const repo = join(dir, "repo");
  const cacheDir = join(dir, "cache");
  const env = {
    LIFEBOAT_INSECURE_TEST_KDF: "1",
    XDG_CACHE_HOME: cacheDir,
    LIFEBOAT_PASSWORD_FILE: passwordFile,
    LIFEBOAT_REPOSITORY: repo,
  };
  const ws: Workspace = {
    dir, repo, passwordFile, password, cacheDir, env,
    cli: (args, o = {}) => runCli(args, { ...o, env: { ...env, ...o.env } }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
  if (opts.init !== false) {
    const res = await ws.cli(["init", ...(opts.packSize ? ["--pack-size", opts.packSize] : [])], opts.initAs ?? {});
    assert.equal(res.code, 0, `init failed: ${res.stderr}`);
  }
  return ws;
}

/** jsonLines parses every non-empty stdout line as JSON (and fails the test if one is not). */
export function jsonLines(stdout: string): unknown[] {
  return stdout.split("\n").filter((l) => l.trim() !== "").map((l) => {
    try {
      return JSON.parse(l) as unknown;
    } catch {
      assert.fail(`stdout line is not JSON: ${l.slice(0, 200)}`);
    }
  });
}

/** summaryOf returns the `message_type: "summary"` object of a --json run. */
export function summaryOf<T = Record<string, unknown>>(res: CliResult): T {
  const found = jsonLines(res.stdout).find((v) => (v as { message_type?: string }).message_type === "summary");
  assert.ok(found, `no summary in stdout: ${res.stdout.slice(0, 300)}`);
  return found as T;
}

/**
 * assertCleanFailure checks what a user sees when a command fails: the documented exit
 * code, exactly one line on stderr in the `lifeboat: ...` form, no stack trace, and each
 * pattern present in that line.
 */
export function assertCleanFailure(res: CliResult, code: number, ...patterns: RegExp[]): string {
  const line = res.stderr.trimEnd();
  assert.equal(res.code, code, `exit code (stderr: ${res.stderr})`);
  assert.equal(line.split("\n").length, 1, `expected one line on stderr, got:\n${res.stderr}`);
  assert.match(line, /^lifeboat: /);
  assert.doesNotMatch(res.stderr, /^\s+at /m, "stack trace on stderr");
  for (const p of patterns) assert.match(line, p);
  return line;
}

/** assertNoStackTrace fails if stderr looks like an unhandled exception. */
export function assertNoStackTrace(stderr: string): void {
  assert.doesNotMatch(stderr, /^\s+at .*[:(]/m, `stack trace on stderr:\n${stderr}`);
}

/** listFiles returns every regular file below `dir` (absolute paths, sorted). */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  for (const e of entries) if (e.isFile()) out.push(join(e.parentPath, e.name));
  return out.sort();
}

/** objectNames lists the object names of one repository folder ("data", "index", ...). */
export async function objectNames(repo: string, folder: "data" | "index" | "snapshots" | "locks" | "keys"): Promise<string[]> {
  return (await listFiles(join(repo, folder))).map((p) => p.slice(p.lastIndexOf("/") + 1)).sort();
}

/** dirSize sums the sizes of every file below `dir`. */
export async function dirSize(dir: string): Promise<number> {
  let total = 0;
  for (const f of await listFiles(dir)) total += (await stat(f)).size;
  return total;
}

/** packPath is where the local backend stores a pack. */
export function packPath(repo: string, id: string): string {
  return join(repo, "data", id.slice(0, 2), id);
}

/** flipByte XORs one byte of a file in place (negative offsets count from the end); flipping twice undoes it. */
export async function flipByte(path: string, offset: number): Promise<void> {
  const fh = await open(path, "r+");
  try {
    const size = (await fh.stat()).size;
    const at = offset < 0 ? size + offset : offset;
    assert.ok(at >= 0 && at < size, `offset ${offset} outside ${path} (${size} bytes)`);
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, at);
    b[0] = b[0]! ^ 0x5a;
    await fh.write(b, 0, 1, at);
  } finally {
    await fh.close();
  }
}

/** writeRandomFile writes `size` incompressible bytes, 1 MiB at a time to keep memory flat. */
export async function writeRandomFile(path: string, size: number, mode = 0o644): Promise<void> {
  const fh = await open(path, "w", mode);
  try {
    for (let done = 0; done < size;) {
      const n = Math.min(MiB, size - done);
      await fh.write(randomBytes(n), 0, n, done);
      done += n;
    }
  } finally {
    await fh.close();
  }
}

/**
 * assertSameTree compares a folder with an expected tree (a folder, or a hashTree result
 * hashed once and reused) as hashTree sees them: content, mode, mtime in ms, link targets.
 * `keep` narrows the expectation to a subset; it returns that expectation.
 */
export async function assertSameTree(actualRoot: string, expected: string | Map<string, HashedEntry>, keep: (rel: string) => boolean = () => true): Promise<Map<string, HashedEntry>> {
  const all = typeof expected === "string" ? await hashTree(expected) : expected;
  const want = new Map([...all].filter(([rel]) => keep(rel)));
  assertSameEntries(await hashTree(actualRoot), want);
  return want;
}

/** assertSameEntries reports the first few differences instead of a diff of 10,000 entries. */
export function assertSameEntries(actual: Map<string, HashedEntry>, expected: Map<string, HashedEntry>): void {
  const problems: string[] = [];
  for (const [rel, e] of expected) {
    const a = actual.get(rel);
    if (!a) problems.push(`missing: ${rel}`);
    else if (JSON.stringify(a) !== JSON.stringify(e)) problems.push(`differs: ${rel}\n    want ${JSON.stringify(e)}\n    got  ${JSON.stringify(a)}`);
  }
  for (const rel of actual.keys()) if (!expected.has(rel)) problems.push(`unexpected: ${rel}`);
  assert.ok(problems.length === 0, `${problems.length} difference(s):\n  ${problems.slice(0, 10).join("\n  ")}`);
}

/** withRepo opens a workspace's repository in-process (no cache) for inspection. */
export async function withRepo<T>(ws: Workspace, fn: (repo: Repository) => Promise<T>): Promise<T> {
  const repo = await openRepository(createLocalBackend(ws.repo), ws.password, { cacheDir: null });
  try {
    await repo.loadIndex();
    return await fn(repo);
  } finally {
    await repo.close();
  }
}

/** packBlobTypes maps every indexed pack to the blob types it holds. */
export function packBlobTypes(repo: Repository): Map<string, Set<BlobType>> {
  const out = new Map<string, Set<BlobType>>();
  for (const e of repo.index.blobs.values()) {
    const s = out.get(e.packId) ?? new Set<BlobType>();
    s.add(e.type);
    out.set(e.packId, s);
  }
  return out;
}

/** filePacks maps every file of a snapshot (by absolute snapshot path) to the packs holding its content. */
export async function filePacks(repo: Repository, ref = "latest"): Promise<Map<string, Set<string>>> {
  const sn = await findSnapshot(repo, ref);
  const out = new Map<string, Set<string>>();
  const walk = async (treeId: string, prefix: string): Promise<void> => {
    const nodes: Node[] = (await repo.loadTree(treeId)).nodes;
    for (const n of nodes) {
      const p = `${prefix}/${n.name}`;
      if (n.type === "dir" && n.subtree) await walk(n.subtree, p);
      else if (n.type === "file") out.set(p, new Set((n.content ?? []).map((id) => repo.index.get(id)!.packId)));
    }
  };
  await walk(sn.tree, "");
  return out;
}
