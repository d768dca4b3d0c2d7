/**
 * @module alerts/runlog.test
 * The run log in a real state folder: runs append and read back in order, failures in a
 * row count one job of one agent back to its last success, a line torn by a crash is
 * skipped (and does not swallow the next run), the file is trimmed to the newest MAX_RUNS.
 * And the state folder itself: where it is, atomic private writes, forgiving reads.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { appendRun, failuresInRow, lastRun, MAX_RUNS, readRuns, type JobKind, type RunRecord } from "./runlog.ts";
import { readJson, stateDir, updateJson, writeAtomic, writeJson } from "./statedir.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "lifeboat-state-"));
  try { await fn(dir); } finally { await rm(dir, { recursive: true, force: true }); }
}

let minute = 0;
function run(job: JobKind, agent: string | undefined, ok: boolean, extra: Partial<RunRecord> = {}): RunRecord {
  const time = new Date(Date.parse("2026-11-20T00:00:00Z") + ++minute * 60_000).toISOString();
  return { time, job, ...(agent !== undefined ? { agent } : {}), ok, exitCode: ok ? 0 : 1, durationMs: 1000, ...extra };
}

test("appendRun/readRuns: runs come back oldest first, as written; a missing log is empty", async () => {
  await withDir(async (dir) => {
    const state = join(dir, "state"); // not there yet: appendRun creates it
    assert.deepEqual(await readRuns(state), []);
    const runs = [
      run("backup", "wren", true, { snapshot: "1a2b3c4d", repository: "/srv/lifeboat" }),
      run("backup", "wren", false, { error: "pg_dump: exit 1" }),
      run("check", undefined, true),
    ];
    for (const r of runs) await appendRun(state, r);
    assert.deepEqual(await readRuns(state), runs);
    const text = await readFile(join(state, "runs.jsonl"), "utf8");
    assert.equal(text.split("\n").length, 4, "one line per run, each ended by a newline");
    assert.ok(text.endsWith("\n"));
    assert.equal((await stat(join(state, "runs.jsonl"))).mode & 0o777, 0o600);
    assert.equal((await stat(state)).mode & 0o777, 0o700);
  });
});

test("failuresInRow counts the newest failures of one job and agent, stopping at the last success", () => {
  const runs = [
    run("backup", "wren", false),
    run("backup", "wren", false),
    run("backup", "wren", true),
    run("backup", "wren", false),
    run("backup", "heron", false), // another agent: does not count, does not interrupt
    run("check", "wren", true), // another job: does not interrupt
    run("backup", "wren", false),
    run("backup", undefined, true), // no agent is not "wren"
    run("backup", "wren", false),
  ];
  assert.equal(failuresInRow(runs, "backup", "wren"), 3);
  assert.equal(failuresInRow(runs, "backup", "heron"), 1);
  assert.equal(failuresInRow(runs, "check", "wren"), 0);
  assert.equal(failuresInRow(runs, "drift", "wren"), 0);
  assert.equal(failuresInRow(runs, "backup"), 0, "the agent-less backup run last succeeded");
  assert.equal(failuresInRow([...runs, run("backup", "wren", true)], "backup", "wren"), 0);
  assert.equal(failuresInRow([], "backup", "wren"), 0);
  assert.equal(failuresInRow([run("check", undefined, false), run("check", undefined, false)], "check"), 2);
});

test("lastRun finds the newest run of one job and agent, optionally only good or only failed ones", () => {
  const good = run("backup", "wren", true, { snapshot: "aa" });
  const bad = run("backup", "wren", false);
  const other = run("backup", "heron", true);
  const runs = [run("backup", "wren", true, { snapshot: "old" }), good, bad, other, run("check", "wren", false)];
  assert.equal(lastRun(runs, "backup", "wren"), bad);
  assert.equal(lastRun(runs, "backup", "wren", true), good);
  assert.equal(lastRun(runs, "backup", "wren", false), bad);
  assert.equal(lastRun(runs, "backup", "heron"), other);
  assert.equal(lastRun(runs, "drift", "wren"), undefined);
  assert.equal(lastRun(runs, "backup"), undefined);
});

test("a torn last line (a crash mid-append) is ignored when reading", async () => {
  await withDir(async (dir) => {
    const a = run("backup", "wren", true);
    const b = run("backup", "wren", false);
    await writeFile(join(dir, "runs.jsonl"), JSON.stringify(a) + "\n" + JSON.stringify(b) + "\n" + JSON.stringify(run("backup", "wren", true)).slice(0, 25));
    assert.deepEqual(await readRuns(dir), [a, b]);
  });
});

test("the run appended after a crash that tore the last line is not lost", async () => {
  await withDir(async (dir) => {
    const a = run("backup", "wren", true);
    await writeFile(join(dir, "runs.jsonl"), JSON.stringify(a) + "\n" + JSON.stringify(run("backup", "wren", true)).slice(0, 25));
    const next = run("backup", "wren", false, { error: "repository unreachable" });
    await appendRun(dir, next);
    const runs = await readRuns(dir);
    assert.deepEqual(runs.at(-1), next, "the failure after the crash must be counted");
    assert.equal(failuresInRow(runs, "backup", "wren"), 1);
  });
});

test("a log grown past the threshold is trimmed to the newest MAX_RUNS runs on the next append", async () => {
  await withDir(async (dir) => {
    const file = join(dir, "runs.jsonl");
    // Lines of about 500 bytes: 2 × MAX_RUNS of them are past the trim threshold (2 × MAX_RUNS × 400 bytes).
    const pad = "x".repeat(420);
    const lines: string[] = [];
    const total = 2 * MAX_RUNS + 100;
    for (let i = 0; i < total; i++) lines.push(JSON.stringify({ ...run("backup", "wren", i % 3 !== 0), exitCode: i, error: pad }));
    await writeFile(file, lines.join("\n") + "\n");
    assert.ok((await stat(file)).size > MAX_RUNS * 2 * 400);

    const last = run("backup", "wren", false, { exitCode: 99_999 });
    await appendRun(dir, last);
    const runs = await readRuns(dir);
    assert.equal(runs.length, MAX_RUNS);
    assert.deepEqual(runs.at(-1), last, "the run just appended is kept");
    assert.equal(runs[0]!.exitCode, total + 1 - MAX_RUNS, "the oldest runs are the ones dropped");
    assert.ok((await stat(file)).size < MAX_RUNS * 2 * 400);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.deepEqual((await readdir(dir)).sort(), ["runs.jsonl"], "no temp file is left behind");

    // Appending again below the threshold keeps everything.
    const more = run("check", undefined, true);
    await appendRun(dir, more);
    assert.equal((await readRuns(dir)).length, MAX_RUNS + 1);
  });
});

test("a log below the threshold is not trimmed, even with more than MAX_RUNS runs", async () => {
  await withDir(async (dir) => {
    const lines: string[] = [];
    for (let i = 0; i < MAX_RUNS + 50; i++) lines.push(JSON.stringify({ time: "t", job: "backup", ok: true, exitCode: i, durationMs: 1 }));
    await writeFile(join(dir, "runs.jsonl"), lines.join("\n") + "\n");
    await appendRun(dir, run("backup", "wren", true));
    assert.equal((await readRuns(dir)).length, MAX_RUNS + 51);
  });
});

// ---- statedir -------------------------------------------------------------------------

test("stateDir: LIFEBOAT_STATE_DIR wins, then XDG_STATE_HOME/lifeboat, then ~/.local/state/lifeboat", () => {
  assert.equal(stateDir({ LIFEBOAT_STATE_DIR: "/srv/lb-state", XDG_STATE_HOME: "/xdg" }), "/srv/lb-state");
  assert.equal(stateDir({ XDG_STATE_HOME: "/xdg" }), "/xdg/lifeboat");
  assert.equal(stateDir({ LIFEBOAT_STATE_DIR: "", XDG_STATE_HOME: "/xdg" }), "/xdg/lifeboat", "an empty variable is unset");
  assert.equal(stateDir({ XDG_STATE_HOME: "" }), join(homedir(), ".local", "state", "lifeboat"));
  assert.equal(stateDir({}), join(homedir(), ".local", "state", "lifeboat"));
});

test("writeJson creates folders, writes a private file, replaces the old one whole and leaves no temp file", async () => {
  await withDir(async (dir) => {
    const file = join(dir, "deep", "er", "alerts.json");
    await writeJson(file, { version: 1, n: 1 });
    assert.deepEqual(JSON.parse(await readFile(file, "utf8")), { version: 1, n: 1 });
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal((await stat(join(dir, "deep"))).mode & 0o777, 0o700);

    // A file that was readable by others before is replaced by a private one.
    await writeFile(file, "old", { mode: 0o644 });
    await writeJson(file, { version: 1, n: 2 });
    assert.deepEqual(JSON.parse(await readFile(file, "utf8")), { version: 1, n: 2 });
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.deepEqual(await readdir(join(dir, "deep", "er")), ["alerts.json"]);
  });
});

test("writeAtomic into a path that cannot be replaced fails and leaves no temp file", async () => {
  await withDir(async (dir) => {
    const target = join(dir, "taken");
    await writeJson(join(target, "inside.json"), {}); // `taken` is a non-empty folder: rename onto it fails
    await assert.rejects(writeAtomic(target, "text"), /write .*taken/);
    assert.deepEqual((await readdir(dir)).sort(), ["taken"]);
  });
});

test("readJson: a missing or torn state file is the fallback; updateJson reads, changes and writes", async () => {
  await withDir(async (dir) => {
    const file = join(dir, "seen.json");
    assert.deepEqual(await readJson(file, { none: true }), { none: true });
    await appendFile(file, "{ torn");
    assert.deepEqual(await readJson(file, { none: true }), { none: true });
    await writeJson(file, { a: 1 });
    const next = await updateJson<Record<string, number>>(file, {}, (v) => { v.b = 2; });
    assert.deepEqual(next, { a: 1, b: 2 });
    assert.deepEqual(await readJson(file, {}), { a: 1, b: 2 });
    assert.deepEqual(await updateJson<Record<string, unknown>>(file, {}, () => ({ replaced: true })), { replaced: true });
    assert.deepEqual(await readJson(file, {}), { replaced: true });
  });
});

test("readJson of a state file that is a folder is an error, not the fallback", async () => {
  await withDir(async (dir) => {
    await assert.rejects(readJson(dir, {}), /read /);
  });
});
