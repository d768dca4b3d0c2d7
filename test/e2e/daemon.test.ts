/**
 * @module test/e2e/daemon
 * `lifeboat daemon` as a real process on a fast (seconds) schedule against a real
 * repository: it runs each job as its own lifeboat process, records every outcome (one
 * run-log line per run, no double counting), keeps going while one job fails every time,
 * answers on its health endpoint, and on SIGTERM in the middle of a backup stops the job
 * cleanly and exits 0, leaving a repository that checks clean and holds no lock.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { stringify } from "yaml";
import { readRuns, failuresInRow } from "../../src/alerts/runlog.ts";
import { workspace } from "../../src/testing/fixtures/index.ts";
import { createAgentWorld, type AgentWorld } from "./agent-helpers.ts";
import { CLI_ENTRY, cleanEnv } from "./helpers.ts";

interface Daemon {
  events: Record<string, unknown>[];
  stderr: () => string;
  exited: Promise<[number | null, NodeJS.Signals | null]>;
  kill(sig: NodeJS.Signals): void;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** setup: a world with agent wren (a workspace), agent ghost (its folder is gone), and a schedule. */
async function setup(jobs: Record<string, unknown>[], agentExtra: Record<string, unknown> = {}): Promise<{ w: AgentWorld; env: Record<string, string>; port: number }> {
  const w = await createAgentWorld();
  await workspace(join(w.dir, "wren"));
  const port = await freePort();
  const doc = {
    repository: { url: w.repo, password_file: w.passwordFile },
    agents: [{ name: "wren", preset: "workspace", root: join(w.dir, "wren"), ...agentExtra }, { name: "ghost", preset: "workspace", root: join(w.dir, "ghost") }],
    schedule: { time_zone: "UTC", health: `127.0.0.1:${port}`, grace: "30s", jobs },
  };
  await writeFile(w.configFile, stringify(doc));
  return { w, env: { ...w.env, LIFEBOAT_STATE_DIR: join(w.dir, "state") }, port };
}

function startDaemon(w: AgentWorld, env: Record<string, string>): Daemon {
  const child = spawn(process.execPath, [CLI_ENTRY, "--config", w.configFile, "--json", "daemon"], { cwd: w.dir, env: cleanEnv(env), stdio: ["ignore", "pipe", "pipe"] });
  const events: Record<string, unknown>[] = [];
  let buf = "";
  let err = "";
  child.stdout.setEncoding("utf8").on("data", (s: string) => {
    buf += s;
    for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
      events.push(JSON.parse(buf.slice(0, i)) as Record<string, unknown>);
      buf = buf.slice(i + 1);
    }
  });
  child.stderr.setEncoding("utf8").on("data", (s: string) => { err += s; });
  return { events, stderr: () => err, exited: once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>, kill: (sig) => child.kill(sig) };
}

async function until(what: string, pred: () => boolean | Promise<boolean>, ms = 90_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const ends = (d: Daemon, job: string) => d.events.filter((e) => e.message_type === "job_end" && e.job === job);

test("the daemon runs each job, logs every outcome once, survives a failing job, serves health, and stops on SIGTERM", async () => {
  const { w, env, port } = await setup([
    { name: "backup-wren", job: "backup", cron: "*/2 * * * * *", agent: "wren" },
    { name: "backup-ghost", job: "backup", cron: "*/2 * * * * *", agent: "ghost" },
    { name: "drift", job: "drift", cron: "*/3 * * * * *", agent: "wren" },
  ]);
  const d = startDaemon(w, env);
  try {
    await until("two runs of each job", () => ends(d, "backup-wren").length >= 2 && ends(d, "backup-ghost").length >= 2 && ends(d, "drift").length >= 1);
    assert.ok(ends(d, "backup-wren").every((e) => e.ok === true), JSON.stringify(ends(d, "backup-wren")));
    assert.match(String((ends(d, "backup-wren")[0]!.snapshots as string[])[0]), /^[0-9a-f]{64}$/);
    assert.ok(ends(d, "backup-ghost").every((e) => e.ok === false && /ghost/.test(String(e.error))), JSON.stringify(ends(d, "backup-ghost")));

    const res = await fetch(`http://127.0.0.1:${port}/health`);
    const health = await res.json() as { status: string; jobs: { name: string; next_run: string; last: { ok: boolean } | null }[] };
    assert.equal(res.status, 503, "a failing job makes the daemon unhealthy");
    assert.deepEqual(health.jobs.map((j) => j.name), ["backup-wren", "backup-ghost", "drift"]);
    assert.equal(health.jobs[0]!.last?.ok, true);

    d.kill("SIGTERM");
    const [code] = await d.exited;
    assert.equal(code, 0, d.stderr());
    assert.equal(d.events.at(-1)?.message_type, "daemon_stop");
  } finally {
    d.kill("SIGKILL");
  }
  try {
    // The run log has exactly one line per finished run: the jobs log themselves, the daemon adds none.
    const runs = await readRuns(env.LIFEBOAT_STATE_DIR!);
    const ghostRuns = runs.filter((r) => r.job === "backup" && r.agent === "ghost");
    const ghostEnds = ends(d, "backup-ghost");
    assert.equal(ghostRuns.length, ghostEnds.length, JSON.stringify(ghostRuns));
    assert.equal(failuresInRow(runs, "backup", "ghost"), ghostEnds.length, "each failed run counted once");
    const wrenOk = runs.filter((r) => r.job === "backup" && r.agent === "wren" && r.ok);
    assert.ok(wrenOk.length >= 2 && wrenOk.every((r) => /^[0-9a-f]{64}$/.test(r.snapshot ?? "")));
    assert.ok(runs.some((r) => r.job === "drift" && r.agent === "wren"));
    const state = JSON.parse(await readFile(join(env.LIFEBOAT_STATE_DIR!, "schedule.json"), "utf8")) as { jobs: Record<string, { last?: { ok: boolean } }> };
    assert.deepEqual(Object.keys(state.jobs).sort(), ["backup-ghost", "backup-wren", "drift"]);
    await w.ok(["check"], { env: { LIFEBOAT_STATE_DIR: env.LIFEBOAT_STATE_DIR } });
  } finally {
    await w.cleanup();
  }
});

test("SIGTERM in the middle of a backup: the job unwinds, the daemon exits 0 in time, the repository checks clean", async () => {
  // The before hook holds the backup inside its repository lock for a long time (exec: sh would
  // leave its sleep child holding the output pipe after the abort kills sh).
  const { w, env } = await setup([{ name: "slow-backup", job: "backup", cron: "*/2 * * * * *", agent: "wren" }], { hooks: { before: { command: "exec sleep 60" } } });
  const d = startDaemon(w, env);
  try {
    await until("the backup to hold its lock", async () => (await readdir(join(w.repo, "locks")).catch(() => [])).length > 0);
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    d.kill("SIGTERM");
    const [code] = await d.exited;
    assert.equal(code, 0, d.stderr());
    assert.ok(Date.now() - t0 < 20_000, `stopped in ${Date.now() - t0} ms, within the 30s grace`);
    const end = ends(d, "slow-backup")[0]!;
    assert.equal(end.ok, false);
    assert.match(String(end.error), /interrupted/);
  } finally {
    d.kill("SIGKILL");
  }
  try {
    assert.deepEqual(await readdir(join(w.repo, "locks")), [], "no lock left behind");
    const runs = (await readRuns(env.LIFEBOAT_STATE_DIR!)).filter((r) => r.job === "backup");
    assert.equal(runs.length, 1, `one run-log line, written by the interrupted backup itself: ${JSON.stringify(runs)}`);
    assert.equal(runs[0]!.exitCode, 130);
    await w.ok(["check", "--read-data"], { env: { LIFEBOAT_STATE_DIR: env.LIFEBOAT_STATE_DIR } });
  } finally {
    await w.cleanup();
  }
});

test("daemon --job and --once run jobs by name or when due; schedule install --cron and remove round-trip", async () => {
  const { w, env } = await setup([
    { name: "hourly", job: "backup", cron: "0 * * * *", agent: "wren" },
    { name: "ghost", job: "backup", cron: "0 * * * *", agent: "ghost" },
  ]);
  const o = { env: { LIFEBOAT_STATE_DIR: env.LIFEBOAT_STATE_DIR, LIFEBOAT_CRONTAB_FILE: join(w.dir, "crontab") } };
  try {
    const one = await w.cli(["--json", "daemon", "--job", "hourly"], o);
    assert.equal(one.code, 0, one.stderr);
    assert.ok(one.stdout.includes('"message_type":"job_end"'));
    const bad = await w.cli(["daemon", "--job", "ghost"], o);
    assert.notEqual(bad.code, 0, "a failing job's exit code is the command's");
    assert.match(bad.stderr, /ghost: FAILED/);
    assert.equal((await w.cli(["daemon", "--job", "nope"], o)).code, 1);
    // Both ran just now: nothing is due.
    const due = await w.cli(["--json", "daemon", "--once"], o);
    assert.equal(due.code, 0, due.stderr);
    assert.ok(!due.stdout.includes("job_start"), due.stdout);

    await writeFile(join(w.dir, "crontab"), "0 9 * * 1 echo mine\n");
    await w.ok(["schedule", "install", "--cron"], o);
    const tab = await readFile(join(w.dir, "crontab"), "utf8");
    assert.match(tab, /^0 \* \* \* \* .* daemon --job hourly$/m);
    const show = JSON.parse((await w.ok(["--json", "schedule", "show"], o)).stdout) as { installed: { mode: string }; jobs: { name: string; last: { ok: boolean } }[] };
    assert.equal(show.installed.mode, "cron");
    assert.deepEqual(show.jobs.map((j) => [j.name, j.last.ok]), [["hourly", true], ["ghost", false]]);
    await w.ok(["schedule", "remove"], o);
    assert.equal(await readFile(join(w.dir, "crontab"), "utf8"), "0 9 * * 1 echo mine\n");
  } finally {
    await w.cleanup();
  }
});
