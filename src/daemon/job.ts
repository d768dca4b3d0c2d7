/**
 * @module daemon/job
 * One run of one scheduled job: spawn `lifeboat --json <command>`, read its outcome,
 * remember it in schedule.json, make sure the run log has a line for it, ping the
 * heartbeat. backup, check and drift write their own run-log lines (and raise their own
 * alerts); the daemon adds a line only when the job wrote none of its kind during the run
 * (a job kind that does not log itself, or one that failed before it could), so
 * failuresInRow never counts one run twice.
 */
import { appendRun, readRuns, type JobKind } from "../alerts/runlog.ts";
import { redact } from "../alerts/redact.ts";
import { describeError } from "../errors/index.ts";
import { globalArgs, jobArgs, type GlobalArgs } from "../schedule/args.ts";
import type { ScheduleJob } from "../schedule/schema.ts";
import { nextSlice, readScheduleState, updateJob, type JobOutcome } from "../schedule/state.ts";
import { runChild, type ChildResult } from "./child.ts";
import { ping } from "./heartbeat.ts";

export interface JobContext {
  /** [node, main]: how to start lifeboat. */
  entry: [string, string];
  global: GlobalArgs;
  env: NodeJS.ProcessEnv;
  stateDir: string;
  graceMs: number;
  /** The repository location, for run-log lines the daemon writes. */
  repository?: string | undefined;
  /** Aborted when the daemon stops: the running job is stopped politely. */
  signal: AbortSignal;
  log: (event: DaemonEvent) => void;
}

/** DaemonEvent is one line of the daemon's own output (docs/schedule.md). */
export type DaemonEvent = Record<string, unknown> & { message_type: string };

/** runJob runs the job to its end and returns its outcome; it never throws for the job's own failure. */
export async function runJob(job: ScheduleJob, ctx: JobContext): Promise<JobOutcome> {
  const slice = job.subset && "rotate" in job.subset ? nextSlice((await readScheduleState(ctx.stateDir)).jobs[job.name], job.subset.rotate) : undefined;
  const args = jobArgs(job, slice);
  const start = new Date();
  ctx.log({ message_type: "job_start", job: job.name, kind: job.kind, command: ["lifeboat", ...args].join(" "), time: start.toISOString() });
  let res: ChildResult;
  try {
    res = await runChild({ argv: [...ctx.entry, "--json", ...globalArgs(ctx.global), ...args], env: ctx.env, signal: ctx.signal, graceMs: ctx.graceMs, timeoutMs: job.timeoutMs });
  } catch (err) {
    res = { exitCode: 1, stdout: "", stderr: describeError(err), interrupted: false, timedOut: false };
  }
  const outcome = outcomeOf(res, start);
  await logIfSilent(job, outcome, ctx);
  await updateJob(ctx.stateDir, job.name, (j) => ({ ...j, last: outcome, ...(slice !== undefined && !res.interrupted ? { slice } : {}) }));
  ctx.log({ message_type: "job_end", job: job.name, kind: job.kind, ...outcome, duration_ms: Date.parse(outcome.end) - start.getTime() });
  if (job.heartbeat && !res.interrupted) {
    const failed = await ping(job.heartbeat, outcome.ok, { signal: ctx.signal });
    if (failed) ctx.log({ message_type: "warning", job: job.name, warning: failed });
  }
  return outcome;
}

/** outcomeOf: exit 0, or 3 (done, some files unreadable), is a success, as the job's own run log counts it. */
function outcomeOf(res: ChildResult, start: Date): JobOutcome {
  const ok = (res.exitCode === 0 || res.exitCode === 3) && !res.interrupted && !res.timedOut;
  const out: JobOutcome = { start: start.toISOString(), end: new Date().toISOString(), ok, exitCode: res.exitCode };
  const snapshots = snapshotIds(res.stdout);
  if (snapshots.length > 0) out.snapshots = snapshots;
  if (!ok) out.error = res.timedOut ? `timed out; ${errorLine(res.stderr, res.exitCode)}` : res.interrupted ? "interrupted (the daemon was stopping)" : errorLine(res.stderr, res.exitCode);
  return out;
}

/** snapshotIds finds every snapshot_id in the job's JSON lines (a backup of several agents has several). */
export function snapshotIds(stdout: string): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) if (k === "snapshot_id" && typeof x === "string") out.push(x); else walk(x);
    }
  };
  for (const line of stdout.split("\n")) {
    if (!line.startsWith("{")) continue;
    try { walk(JSON.parse(line)); } catch { /* not JSON: ignore */ }
  }
  return [...new Set(out)];
}

/** errorLine is the job's error: its JSON error line (--json), else its last stderr line. */
export function errorLine(stderr: string, exitCode: number): string {
  const lines = stderr.split("\n").map((l) => l.trim()).filter(Boolean);
  for (const l of lines.toReversed()) {
    if (!l.startsWith("{")) continue;
    try {
      const e = JSON.parse(l) as { message_type?: string; error?: string; hint?: string };
      if (e.message_type === "error" && e.error) return redact(e.error + (e.hint ? ` (${e.hint})` : ""));
    } catch { /* not JSON */ }
  }
  return redact(lines.at(-1)?.slice(0, 500) ?? `exit ${exitCode}`);
}

const RUNLOG_KIND: Record<ScheduleJob["kind"], JobKind | null> = {
  backup: "backup", check: "check", drift: "drift", drill: "drill", prune: "prune", forget: "forget", transcripts: "transcripts", status: null,
};

async function logIfSilent(job: ScheduleJob, o: JobOutcome, ctx: JobContext): Promise<void> {
  const kind = RUNLOG_KIND[job.kind];
  if (!kind) return;
  try {
    const since = Date.parse(o.start);
    if ((await readRuns(ctx.stateDir)).some((r) => r.job === kind && Date.parse(r.time) >= since)) return;
    await appendRun(ctx.stateDir, {
      time: o.end, job: kind, ...(job.agent ? { agent: job.agent } : {}), ...(ctx.repository ? { repository: ctx.repository } : {}),
      ok: o.ok, exitCode: o.exitCode, durationMs: Date.parse(o.end) - since, ...(o.snapshots ? { snapshot: o.snapshots[0]! } : {}), ...(o.error ? { error: o.error } : {}),
    });
  } catch (err) {
    ctx.log({ message_type: "warning", job: job.name, warning: `cannot write the run log in ${ctx.stateDir}: ${describeError(err)}` });
  }
}
