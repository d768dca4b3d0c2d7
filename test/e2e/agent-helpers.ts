/**
 * @module test/e2e/agent-helpers
 * Plumbing for the agent end-to-end tests (issue 3, "Agent state"): a throwaway world with
 * its own HOME, XDG folders, password, repository and lifeboat.yaml; the CLI run against
 * it; and the proof that a restored agent equals the one backed up. The state of an agent
 * is recorded as the hash of every file and link under the folders it lives in, every
 * SQLite database's integrity and per-table content hashes, and every PostgreSQL table's
 * checksum. The full agent manifest (with per-file sha256, which `snapshots --json`
 * leaves out) is read through the library: it is what says which files each item captured.
 */
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { copyFile, lstat, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join, relative, sep } from "node:path";
import { promisify } from "node:util";
import { stringify } from "yaml";
import { createLocalBackend } from "../../src/backends/local/index.ts";
import { RESTORE_ORDER, type AgentManifest, type ItemClass, type PostgresItem } from "../../src/model/agent.ts";
import type { Snapshot } from "../../src/model/index.ts";
import { openRepository } from "../../src/repository/open.ts";
import { loadSnapshots } from "../../src/repository/snapshots.ts";
import type { TableStats } from "../../src/sources/dbverify.ts";
import { postgresChecksums } from "../../src/sources/pgrestore.ts";
import { verifySqliteFile, type SqliteVerification } from "../../src/sources/sqlite.ts";
import { hashTree, type HashedEntry } from "../../src/testing/index.ts";
import { runCli, type CliResult } from "./helpers.ts";

const run = promisify(execFile);

/** The libpq environment of this machine's test server (trust auth on 127.0.0.1). */
export const PG_ENV = { PGHOST: "127.0.0.1", PGPORT: "5432", PGUSER: "postgres" };

/** pgSkip is false when the PostgreSQL test server answers, else the reason to skip (as the unit tests do). */
export async function pgSkip(): Promise<false | string> {
  try {
    const r = await run("psql", ["-X", "-q", "-t", "-A", "-d", "postgres", "-c", "SELECT 1"], { env: { ...process.env, ...PG_ENV }, timeout: 10_000 });
    return r.stdout.trim() === "1" ? false : "no PostgreSQL server on 127.0.0.1:5432";
  } catch {
    return "no PostgreSQL server on 127.0.0.1:5432 (or no psql)";
  }
}

/** psql runs one statement against the test server. */
export async function psql(database: string, sql: string, env: Record<string, string> = PG_ENV): Promise<string> {
  const r = await run("psql", ["-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-d", database, "-c", sql],
    { env: { ...process.env, ...env, PGOPTIONS: "-c client_min_messages=warning" } });
  return r.stdout.trim();
}

/** dropDatabase removes a database even while something is connected. */
export async function dropDatabase(database: string, env: Record<string, string> = PG_ENV): Promise<void> {
  await psql("postgres", `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`, env);
}

export async function databaseExists(database: string, env: Record<string, string> = PG_ENV): Promise<boolean> {
  return (await psql("postgres", `SELECT count(*) FROM pg_database WHERE datname = '${database}'`, env)) === "1";
}

/** The checksum of every table of a database, as restore verification computes it. */
export function pgState(database: string, env: Record<string, string> = PG_ENV): Promise<TableStats> {
  const item: PostgresItem = { name: "check", kind: "postgres", class: "database", database, env };
  return postgresChecksums(item);
}

/** An agent as written in lifeboat.yaml (snake_case keys). */
export type AgentYaml = Record<string, unknown> & { name: string; preset: string; root: string };

export interface SnapshotJson {
  id: string;
  short_id: string;
  agent?: string;
  tags: string[];
  manifest?: { agent: string; items: { name: string; kind: string; class: string; source: string; secret: boolean }[]; skipped: { name: string; reason: string }[] };
}

export interface AgentWorld {
  /** The temporary folder; also HOME and XDG_CACHE_HOME of every CLI run. */
  dir: string;
  home: string;
  repo: string;
  password: string;
  passwordFile: string;
  configFile: string;
  /** The environment every CLI run gets (on top of the parent's, minus LIFEBOAT_*). */
  env: Record<string, string>;
  writeConfig(agents: AgentYaml[], configFile?: string): Promise<string>;
  /** cli runs `lifeboat --config <configFile> args...`. */
  cli(args: string[], opts?: { env?: Record<string, string | undefined>; configFile?: string }): Promise<CliResult>;
  /** ok runs the CLI and fails the test on a non-zero exit. */
  ok(args: string[], opts?: { env?: Record<string, string | undefined>; configFile?: string }): Promise<CliResult>;
  /** snapshots lists the repository's snapshots through `lifeboat snapshots --json`. */
  snapshots(): Promise<SnapshotJson[]>;
  /** fullSnapshots loads every snapshot with its complete manifest (sha256 per file) through the library. */
  fullSnapshots(): Promise<Snapshot[]>;
  cleanup(): Promise<void>;
}

/**
 * createAgentWorld makes the temporary HOME with a password file, a lifeboat.yaml naming
 * the repository (written by writeConfig) and, unless `init` is false, runs `lifeboat init`.
 */
export async function createAgentWorld(opts: { init?: boolean } = {}): Promise<AgentWorld> {
  const dir = await mkdtemp(join(tmpdir(), "lifeboat-agent-e2e-"));
  const password = `agent e2e ${randomBytes(6).toString("hex")}`;
  const passwordFile = join(dir, "password");
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  const repo = join(dir, "repo");
  const configFile = join(dir, "lifeboat.yaml");
  const env = { HOME: dir, XDG_CACHE_HOME: dir, XDG_CONFIG_HOME: join(dir, ".config"), LIFEBOAT_INSECURE_TEST_KDF: "1" };
  const w: AgentWorld = {
    dir, home: dir, repo, password, passwordFile, configFile, env,
    async writeConfig(agents, file = configFile) {
      const doc = { repository: { url: repo, password_file: passwordFile }, agents };
      await writeFile(file, stringify(doc), { mode: 0o600 });
      return file;
    },
    cli: (args, o = {}) => runCli(["--config", o.configFile ?? configFile, ...args], { cwd: dir, env: { ...env, ...o.env } }),
    async ok(args, o = {}) {
      const res = await w.cli(args, o);
      assert.equal(res.code, 0, `lifeboat ${args.join(" ")} exited ${res.code}:\n${res.stderr}\n${res.stdout.slice(-2000)}`);
      return res;
    },
    async snapshots() {
      const res = await w.ok(["snapshots", "--json"]);
      return JSON.parse(res.stdout) as SnapshotJson[];
    },
    async fullSnapshots() {
      const r = await openRepository(createLocalBackend(repo), password, { cacheDir: null });
      try {
        return (await loadSnapshots(r)).snapshots;
      } finally {
        await r.close();
      }
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
  if (opts.init !== false) {
    // init reads repository.url and password_file from the config, so it needs one: an empty team.
    await w.writeConfig([]);
    await w.ok(["init"]);
  }
  return w;
}

/** latestManifest returns the full manifest of the newest snapshot of `agent`. */
export async function latestManifest(w: AgentWorld, agent: string): Promise<AgentManifest> {
  const sn = (await w.fullSnapshots()).filter((s) => s.agent === agent && !s.tags.includes("pre-restore")).at(-1);
  assert.ok(sn?.manifest, `no snapshot of agent ${agent}`);
  return sn.manifest;
}

// ---------------------------------------------------------------------------------------
// Recording and comparing an agent's state

/** TreeState: every entry below some folders, keyed by absolute path. */
export type TreeState = Map<string, HashedEntry>;

/** treeState hashes every entry below each folder (a missing folder has no entries). */
export async function treeState(...dirs: string[]): Promise<TreeState> {
  const out: TreeState = new Map();
  for (const d of dirs) {
    const st = await lstat(d).catch(() => null);
    if (!st?.isDirectory()) continue;
    for (const [rel, e] of await hashTree(d)) out.set(join(d, rel), e);
  }
  return out;
}

/** sqliteState checks a database on a copy (with its -wal/-shm), so the original is never touched. */
export async function sqliteState(path: string, scratch: string): Promise<SqliteVerification> {
  const dir = join(scratch, `sqlite-${randomBytes(4).toString("hex")}`);
  await mkdir(dir, { recursive: true });
  const copy = join(dir, basename(path));
  try {
    for (const side of ["", "-wal", "-shm"]) {
      await copyFile(path + side, copy + side).catch((err: NodeJS.ErrnoException) => {
        if (side === "" || err.code !== "ENOENT") throw err;
      });
    }
    return await verifySqliteFile(copy);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** AgentState: what a test records before the wipe. */
export interface AgentState {
  /** The folders the agent lives in (the root first, then e.g. ~/.config/nanoclaw). */
  dirs: string[];
  tree: TreeState;
  /** Verification of every SQLite database the manifest names, by path. */
  sqlite: Map<string, SqliteVerification>;
}

/** recordState hashes the agent's folders and checks every database the manifest captured. */
export async function recordState(dirs: string[], m: AgentManifest, scratch: string): Promise<AgentState> {
  const tree = await treeState(...dirs);
  const sqlite = new Map<string, SqliteVerification>();
  for (const item of m.items) {
    if (item.kind !== "sqlite") continue;
    const v = await sqliteState(item.source, scratch);
    assert.ok(v.ok, `${item.source} fails integrity_check before the backup: ${v.integrity}`);
    sqlite.set(item.source, v);
  }
  return { dirs, tree, sqlite };
}

/** wipe removes folders as a lost machine would. */
export async function wipe(...dirs: string[]): Promise<void> {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
}

interface CapturedFile {
  item: string;
  sha256: string;
  secret: boolean;
}

/**
 * capturedFiles maps every regular file the manifest's files and secret items captured to
 * its item and sha256 (a single-file item's key is its file name; a folder item's keys are
 * relative to the folder).
 */
export function capturedFiles(m: AgentManifest, tree: TreeState): Map<string, CapturedFile> {
  const out = new Map<string, CapturedFile>();
  for (const item of m.items) {
    if (item.kind !== "files" && item.kind !== "secret") continue;
    const single = tree.get(item.source)?.type === "file";
    for (const [rel, sha256] of Object.entries(item.sha256)) {
      const abs = single ? item.source : join(item.source, rel);
      if (single) assert.equal(rel, basename(item.source), `single-file item ${item.name} keyed by its name`);
      assert.ok(!out.has(abs), `${abs} captured by both ${out.get(abs)?.item} and ${item.name}`);
      out.set(abs, { item: item.name, sha256, secret: item.secret });
    }
  }
  return out;
}

export interface RestoreCheck {
  /** Root-relative patterns of files the preset leaves out on purpose (volatile, regenerable, caches). */
  leftOut: RegExp[];
  /** Restored to another root: before's paths under `from` are expected under `to`. */
  moved?: { from: string; to: string };
  /** Files (absolute, before the move) whose content restore rewrote on purpose. */
  rewritten?: string[];
}

/** relTo gives `p` relative to the first of `dirs` holding it, or the absolute path. */
function relTo(dirs: string[], p: string): string {
  for (const d of dirs) {
    const r = relative(d, p);
    if (r !== "" && !r.startsWith("..") && !r.startsWith(sep)) return r.split(sep).join("/");
  }
  return p;
}

/**
 * assertRestored proves the restored agent equals the recorded one:
 * - every file a files/secret item captured is back with the same content (and that content
 *   is the manifest's sha256), mode, size and mtime; secrets are 0600;
 * - every file the backup did not capture is one the preset leaves out on purpose
 *   (`leftOut`), so nothing was silently lost;
 * - every symbolic link not left out is back with the same target;
 * - nothing appeared that was not there before (no staging or `.lifeboat-old-*` leftovers);
 * - every SQLite database passes integrity_check with identical per-table row counts and
 *   content hashes (equal to both the original's and the manifest's).
 */
export async function assertRestored(before: AgentState, m: AgentManifest, check: RestoreCheck): Promise<void> {
  const map = (p: string) => (check.moved && (p === check.moved.from || p.startsWith(check.moved.from + "/")) ? check.moved.to + p.slice(check.moved.from.length) : p);
  const dirsAfter = before.dirs.map(map);
  const after = await treeState(...dirsAfter);
  const captured = capturedFiles(m, before.tree);
  const sqlitePaths = new Set(m.items.filter((i) => i.kind === "sqlite").map((i) => i.source));
  const rewritten = new Set(check.rewritten ?? []);
  const isLeftOut = (p: string) => check.leftOut.some((re) => re.test(relTo(before.dirs, p)));
  const problems: string[] = [];

  for (const [p, c] of captured) {
    const want = before.tree.get(p);
    const got = after.get(map(p));
    if (want?.type !== "file") { problems.push(`captured ${p} (item ${c.item}) was not a file before`); continue; }
    if (!rewritten.has(p) && want.sha256 !== c.sha256) problems.push(`manifest sha256 of ${p} differs from the file backed up`);
    if (!got) { problems.push(`missing after restore: ${map(p)} (item ${c.item})`); continue; }
    if (rewritten.has(p)) {
      if (got.type !== "file") problems.push(`rewritten ${map(p)} is not a file`);
    } else if (JSON.stringify(got) !== JSON.stringify(want)) {
      problems.push(`differs: ${map(p)} (item ${c.item})\n    want ${JSON.stringify(want)}\n    got  ${JSON.stringify(got)}`);
    }
    if (c.secret && (got.mode & 0o777) !== 0o600) problems.push(`secret ${map(p)} (item ${c.item}) has mode ${got.mode.toString(8)}, want 600`);
  }
  for (const [p, e] of before.tree) {
    if (e.type === "file" && !captured.has(p) && !sqlitePaths.has(p) && !isLeftOut(p)) problems.push(`not captured and not a known exclusion: ${relTo(before.dirs, p)}`);
    if (e.type === "symlink" && !isLeftOut(p)) {
      const got = after.get(map(p));
      if (got?.type !== "symlink" || got.link !== e.link) problems.push(`link ${map(p)} -> ${e.link} not restored (got ${JSON.stringify(got)})`);
    }
  }
  const beforeMapped = new Set([...before.tree.keys()].map(map));
  for (const [p, e] of after) {
    if (basename(p).startsWith(".lifeboat-")) problems.push(`lifeboat leftover after restore: ${p}`);
    else if (e.type !== "dir" && !beforeMapped.has(p)) problems.push(`unexpected after restore: ${p}`);
  }
  for (const p of sqlitePaths) if (after.get(map(p))?.type !== "file") problems.push(`database missing after restore: ${map(p)}`);
  assert.ok(problems.length === 0, `${problems.length} problem(s) in the restored agent:\n  ${problems.slice(0, 15).join("\n  ")}`);

  for (const item of m.items) {
    if (item.kind !== "sqlite") continue;
    const want = before.sqlite.get(item.source);
    assert.ok(want, `no recorded state for ${item.source}`);
    const got = await verifySqliteFile(map(item.source));
    assert.equal(got.integrity, "ok", `integrity_check of restored ${map(item.source)}`);
    assert.deepEqual(got.rowCounts, want.rowCounts, `row counts of ${item.name}`);
    assert.deepEqual(got.tableHashes, want.tableHashes, `per-table content hashes of ${item.name}`);
    assert.deepEqual(got.rowCounts, item.rowCounts, `row counts of ${item.name} against the manifest`);
  }
}

// ---------------------------------------------------------------------------------------
// Reading CLI output

/** detectedPreset runs `agent detect DIR --json` and returns what it names. */
export async function detectedPreset(w: AgentWorld, dir: string): Promise<{ preset: string; root: string; confidence: number }> {
  const res = await w.ok(["agent", "detect", dir, "--json"]);
  return JSON.parse(res.stdout) as { preset: string; root: string; confidence: number };
}

export interface PlanLine {
  n: number;
  name: string;
  kind: string;
  class: ItemClass;
  dest: string;
}

/** planLines parses the numbered plan that restore prints ("  1. env [secret, secret] → /x/.env ..."). */
export function planLines(stdout: string): PlanLine[] {
  const out: PlanLine[] = [];
  const seen = new Set<string>();
  for (const line of stdout.split("\n")) {
    const m = /^\s*(\d+)\. (\S+) \[(\w+), (\w+)\] → (.*)$/.exec(line);
    if (!m || seen.has(m[2]!)) continue; // the plan is printed once per run; keep the first
    seen.add(m[2]!);
    out.push({ n: Number(m[1]), name: m[2]!, kind: m[3]!, class: m[4] as ItemClass, dest: m[5]! });
  }
  return out;
}

/** assertRestoreOrder checks secrets first, then config, databases and files, in RESTORE_ORDER. */
export function assertRestoreOrder(plan: PlanLine[]): void {
  assert.ok(plan.length > 0, "no plan printed");
  assert.deepEqual(plan.map((p) => p.n), plan.map((_, i) => i + 1), "plan numbered 1..n");
  const ranks = plan.map((p) => RESTORE_ORDER.indexOf(p.class));
  assert.ok(ranks.every((r) => r >= 0), `unknown class in ${JSON.stringify(plan)}`);
  for (let i = 1; i < ranks.length; i++) {
    assert.ok(ranks[i]! >= ranks[i - 1]!, `restore order: ${plan[i - 1]!.name} (${plan[i - 1]!.class}) before ${plan[i]!.name} (${plan[i]!.class})`);
  }
  assert.equal(plan[0]!.class, "secret", "secrets come first");
}

// ---------------------------------------------------------------------------------------
// Child processes standing in for a running agent

/** startSleeper starts a long-lived process (a stand-in for a running agent) and returns it. */
export function startSleeper(): { pid: number; stop(): Promise<void> } {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1 << 30)"], { stdio: "ignore" });
  const exited = new Promise<void>((r) => child.on("exit", () => r()));
  assert.ok(child.pid, "sleeper started");
  return {
    pid: child.pid,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}
