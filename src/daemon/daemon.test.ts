/**
 * @module daemon/daemon.test
 * The loop with a stand-in for the job runner: jobs run on a seconds schedule, one at a
 * time, a failing job does not stop the others, an abort ends the loop; catch-up runs
 * each missed job once at start (and not a job with catch_up off); --once runs only what
 * is due. Also the health endpoint (200, then 503 after a failure), heartbeat pings
 * (URL on success, URL/fail on failure, a dead endpoint is a warning), and reading a job's
 * snapshot ids and error line from its output.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { appendRun } from "../alerts/runlog.ts";
import type { ScheduleJob, ScheduleSettings } from "../schedule/schema.ts";
import { readScheduleState, updateJob, type JobOutcome } from "../schedule/state.ts";
import { runDaemon, type DaemonOptions } from "./daemon.ts";
import { ping, pingUrl } from "./heartbeat.ts";
import { errorLine, snapshotIds, type DaemonEvent } from "./job.ts";

const job = (name: string, cron: string, over: Partial<ScheduleJob> = {}): ScheduleJob => ({ name, kind: "backup", cron, prune: true, catchUp: true, ...over });
const settings = (jobs: ScheduleJob[], over: Partial<ScheduleSettings> = {}): ScheduleSettings => ({ timeZone: "UTC", timeZoneGiven: false, catchUp: true, graceMs: 1000, jobs, ...over });

async function harness(s: ScheduleSettings, fails: string[] = []) {
  const stateDir = await mkdtemp(join(tmpdir(), "lifeboat-daemon-"));
  const ac = new AbortController();
  const events: DaemonEvent[] = [];
  const runs: { name: string; start: number; end: number }[] = [];
  let busy = false;
  const opts: DaemonOptions = {
    settings: s, stateDir, signal: ac.signal, entry: ["node", "main"], global: { config: "/x.yaml" }, env: {}, log: (e) => events.push(e),
    run: async (j) => {
      assert.equal(busy, false, "two jobs at once");
      busy = true;
      const start = Date.now();
      await new Promise((r) => setTimeout(r, 150));
      busy = false;
      const end = Date.now();
      const ok = !fails.includes(j.name);
      const o: JobOutcome = { start: new Date(start).toISOString(), end: new Date(end).toISOString(), ok, exitCode: ok ? 0 : 1, ...(ok ? {} : { error: "boom" }) };
      await updateJob(stateDir, j.name, (x) => ({ ...x, last: o }));
      // Counted once its outcome is stored: a test that waits for a run then reads the state.
      runs.push({ name: j.name, start, end });
      return o;
    },
  };
  return { stateDir, ac, events, runs, opts, cleanup: () => rm(stateDir, { recursive: true, force: true }) };
}

test("jobs run on their schedule one at a time; a failing job does not stop the daemon; abort ends it", async () => {
  const h = await harness(settings([job("a", "* * * * * *"), job("b", "* * * * * *"), job("bad", "* * * * * *")]), ["bad"]);
  try {
    setTimeout(() => h.ac.abort(), 2600);
    const sum = await runDaemon(h.opts);
    const names = new Set(h.runs.map((r) => r.name));
    assert.deepEqual([...names].sort(), ["a", "b", "bad"]);
    assert.ok(h.runs.filter((r) => r.name === "bad").length >= 2, "the failing job kept being scheduled");
    for (let i = 1; i < h.runs.length; i++) assert.ok(h.runs[i]!.start >= h.runs[i - 1]!.end, "runs never overlap");
    assert.equal(sum.failed, h.runs.filter((r) => r.name === "bad").length);
    assert.equal(h.events.at(-1)?.message_type, "daemon_stop");
  } finally {
    await h.cleanup();
  }
});

/** missedWorld: four yearly jobs; two ran (by the daemon) 400 days ago, one only in the run log, one never. */
async function missedWorld() {
  const yearly = (name: string, over: Partial<ScheduleJob> = {}) => job(name, "0 0 1 1 *", over);
  const h = await harness(settings([yearly("yearly"), yearly("off", { catchUp: false }), yearly("fresh"), yearly("by-log", { kind: "check" })]));
  const long = new Date(Date.now() - 400 * 86_400_000).toISOString();
  const o = { start: long, end: long, ok: true, exitCode: 0 };
  await updateJob(h.stateDir, "yearly", () => ({ last: o }));
  await updateJob(h.stateDir, "off", () => ({ last: o }));
  // A check run by hand long ago is in the run log only: it counts as the job's last start.
  await appendRun(h.stateDir, { time: long, job: "check", ok: true, exitCode: 0, durationMs: 1000 });
  return h;
}

test("catch-up runs each missed job once at start, but not one with catch_up off, nor a job never run", async () => {
  const h = await missedWorld();
  try {
    setTimeout(() => h.ac.abort(), 1000);
    await runDaemon(h.opts);
    assert.deepEqual(h.runs.map((r) => r.name), ["yearly", "by-log"]);
    assert.deepEqual(h.events.filter((e) => e.message_type === "catch_up").map((e) => e.job), ["yearly", "by-log"]);
    assert.ok((await readScheduleState(h.stateDir)).jobs.fresh?.seen, "a new job is marked seen: its first time after now counts as missed later");
  } finally {
    await h.cleanup();
  }
});

test("--once runs every job that fell due since it last ran (catch_up off too), then returns", async () => {
  const h = await missedWorld();
  try {
    const sum = await runDaemon({ ...h.opts, once: true });
    assert.deepEqual(h.runs.map((r) => r.name), ["yearly", "off", "by-log"]);
    assert.deepEqual(sum, { ran: 3, failed: 0 });
    h.runs.length = 0;
    assert.deepEqual(await runDaemon({ ...h.opts, once: true }), { ran: 0, failed: 0 }, "nothing due twice");
  } finally {
    await h.cleanup();
  }
});

/** healthOf starts a daemon with a health endpoint on a free port and returns its URL. */
async function healthOf(h: Awaited<ReturnType<typeof harness>>): Promise<{ url: string; done: Promise<unknown> }> {
  const done = runDaemon(h.opts);
  await until(() => h.events.some((e) => e.message_type === "health"));
  return { url: String(h.events.find((e) => e.message_type === "health")!.url), done };
}

test("the health endpoint answers 200 while no job failed, 503 once one did", async () => {
  const calm = await harness(settings([job("good", "0 0 1 1 *")], { health: { host: "127.0.0.1", port: 0 } }));
  try {
    const { url, done } = await healthOf(calm);
    const res = await fetch(url);
    const body = await res.json() as { status: string; pid: number; time_zone: string; running: unknown; jobs: { name: string; cron: string; next_run: string; last: unknown }[] };
    assert.equal(res.status, 200);
    assert.deepEqual([body.status, body.pid, body.time_zone, body.running], ["ok", process.pid, "UTC", null]);
    assert.deepEqual(body.jobs.map((j) => [j.name, j.cron, j.last]), [["good", "0 0 1 1 *", null]]);
    assert.match(body.jobs[0]!.next_run, /^\d{4}-01-01T00:00:00/);
    assert.equal((await fetch(url.replace("/health", "/nope"))).status, 404);
    calm.ac.abort();
    await done;
  } finally {
    calm.ac.abort(); // a failed assertion must not leave the daemon running (the test file would never exit)
    await calm.cleanup();
  }
  const failing = await harness(settings([job("bad", "* * * * * *")], { health: { host: "127.0.0.1", port: 0 } }), ["bad"]);
  try {
    const { url, done } = await healthOf(failing);
    await until(() => failing.runs.length > 0);
    const res = await fetch(url);
    const body = await res.json() as { status: string; jobs: { last: { ok: boolean; error: string } }[] };
    assert.equal(res.status, 503);
    assert.equal(body.status, "failing");
    assert.deepEqual([body.jobs[0]!.last.ok, body.jobs[0]!.last.error], [false, "boom"]);
    failing.ac.abort();
    await done;
  } finally {
    failing.ac.abort();
    await failing.cleanup();
  }
});

test("heartbeat: the URL on success, URL/fail on failure; a dead endpoint is a reason, not an error", async () => {
  const hits: string[] = [];
  const server = createServer((req, res) => { hits.push(req.url!); res.writeHead(req.url!.includes("gone") ? 404 : 200).end("OK"); });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const signal = new AbortController().signal;
    assert.equal(await ping(`${base}/ping/abc`, true, { signal }), null);
    assert.equal(await ping(`${base}/ping/abc?rid=1`, false, { signal }), null);
    assert.deepEqual(hits, ["/ping/abc", "/ping/abc/fail?rid=1"]);
    assert.match((await ping(`${base}/gone`, true, { signal }))!, /answered 404/);
    assert.match((await ping("http://127.0.0.1:1/x", true, { signal }))!, /failed/);
    assert.equal(pingUrl("https://hc-ping.com/uuid/", false), "https://hc-ping.com/uuid/fail");
  } finally {
    server.close();
  }
});

test("a job's snapshot ids and error line come from its --json output", () => {
  const out = ['{"message_type":"summary","agents":[{"agent":"a","snapshot_id":"aa11"},{"agent":"b","snapshot_id":"bb22"}]}', "not json", ""].join("\n");
  assert.deepEqual(snapshotIds(out), ["aa11", "bb22"]);
  assert.deepEqual(snapshotIds('{"message_type":"summary","snapshot_id":"cc33"}\n'), ["cc33"]);
  const err = 'warning: x\n{"message_type":"error","error":"no repository at /r: token=s3cr3t","hint":"run init","exit_code":10}\n';
  assert.equal(errorLine(err, 10), "no repository at /r: token=*** (run init)");
  assert.equal(errorLine("lifeboat: it broke\n", 1), "lifeboat: it broke");
  assert.equal(errorLine("", 137), "exit 137");
});

async function until(pred: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}
