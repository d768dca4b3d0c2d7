/**
 * @module daemon/daemon
 * `lifeboat daemon`: runs the configured jobs on their schedule until stopped. At start it
 * runs once each job whose time passed while no daemon ran (catch_up), then sleeps until the
 * next job falls due, runs it as a child process, and records its outcome; one job at a
 * time (daemon/queue). On SIGTERM it schedules nothing more, gives the running job one
 * SIGTERM and up to `grace` to unwind, SIGKILLs it after that, and returns normally (exit 0).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { readRuns } from "../alerts/runlog.ts";
import type { ScheduleJob, ScheduleSettings } from "../schedule/schema.ts";
import { markSeen, readScheduleState, type JobOutcome } from "../schedule/state.ts";
import { healthStatus, serveHealth, type HealthDoc } from "./health.ts";
import { runJob, type JobContext } from "./job.ts";
import { findMissed, Timetable } from "./queue.ts";

/** The longest single sleep: the timetable is re-read from the clock at least this often (suspend, clock changes). */
const MAX_SLEEP_MS = 60_000;

export interface DaemonOptions extends Omit<JobContext, "graceMs"> {
  settings: ScheduleSettings;
  /** Run what is due (missed since the last run), then return: the systemd timer mode and tests. */
  once?: boolean;
  now?: () => Date;
  /** Replaces runJob in tests. */
  run?: (job: ScheduleJob, ctx: JobContext) => Promise<JobOutcome>;
}

export interface DaemonSummary {
  ran: number;
  failed: number;
}

/** runDaemon runs until `signal` aborts (or, with once, until the due jobs ran). */
export async function runDaemon(o: DaemonOptions): Promise<DaemonSummary> {
  const now = o.now ?? (() => new Date());
  const s = o.settings;
  const startState = await readScheduleState(o.stateDir);
  const missed = findMissed(s, startState, await readRuns(o.stateDir), now(), o.once === true);
  const state = await markSeen(o.stateDir, s.jobs.map((j) => j.name), now());
  const table = new Timetable(s, now());
  const last = new Map(Object.entries(state.jobs).flatMap(([n, j]) => (j.last ? [[n, j.last] as const] : [])));
  const started = now().toISOString();
  let running: HealthDoc["running"] = null;
  const doc = (): HealthDoc => {
    const jobs = s.jobs.map((j) => ({ name: j.name, kind: j.kind, ...(j.agent ? { agent: j.agent } : {}), cron: j.cron, nextRun: table.next.get(j.name)?.toISOString() ?? null, last: last.get(j.name) ?? null }));
    return { status: healthStatus(jobs), pid: process.pid, started, time: now().toISOString(), timeZone: s.timeZone, running, jobs };
  };
  if (s.health && !o.once) {
    const addr = await serveHealth(s.health.host, s.health.port, doc, o.signal);
    o.log({ message_type: "health", url: `http://${addr.family === "IPv6" ? `[${addr.address}]` : addr.address}:${addr.port}/health` });
  }
  o.log({ message_type: "daemon_start", pid: process.pid, time_zone: s.timeZone, once: o.once === true, jobs: doc().jobs.map((j) => ({ name: j.name, next_run: j.nextRun })) });
  for (const m of missed) {
    o.log({ message_type: "catch_up", job: m.job.name, missed: m.missed.toISOString() });
    table.add(m.job);
  }
  const summary: DaemonSummary = { ran: 0, failed: 0 };
  const ctx: JobContext = { ...o, graceMs: s.graceMs };
  while (!o.signal.aborted) {
    if (!o.once) table.enqueueDue(now());
    const job = table.queue.shift();
    if (!job) {
      if (o.once) break;
      await sleep(Math.min(table.msUntilNext(now()), MAX_SLEEP_MS), undefined, { signal: o.signal }).catch(() => undefined);
      continue;
    }
    running = { job: job.name, since: now().toISOString() };
    const outcome = await (o.run ?? runJob)(job, ctx);
    running = null;
    last.set(job.name, outcome);
    summary.ran++;
    if (!outcome.ok) summary.failed++;
  }
  o.log({ message_type: "daemon_stop", reason: o.signal.aborted ? "signal" : "done", ...summary });
  return summary;
}

/** runOne runs a single job now, whatever its schedule (`daemon --job NAME`: what each crontab line runs). */
export async function runOne(job: ScheduleJob, o: Omit<DaemonOptions, "once">): Promise<JobOutcome> {
  await markSeen(o.stateDir, [job.name], (o.now ?? (() => new Date()))());
  return (o.run ?? runJob)(job, { ...o, graceMs: o.settings.graceMs });
}
