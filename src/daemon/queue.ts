/**
 * @module daemon/queue
 * The daemon's timetable: each job's next time, and the queue of jobs whose time has come.
 * Jobs run one at a time, in the order they fell due: two jobs never fight over the
 * repository lock (a prune would make a backup wait, or fail it), and a slow job delays
 * the next rather than overlapping it. A job that falls due again while queued or running
 * is not queued twice: after a long job, each overdue job runs once, not once per missed time.
 */
import type { RunRecord } from "../alerts/runlog.ts";
import { missedRun, nextRunOf } from "../schedule/next.ts";
import type { ScheduleJob, ScheduleSettings } from "../schedule/schema.ts";
import type { ScheduleState } from "../schedule/state.ts";

export class Timetable {
  readonly settings: ScheduleSettings;
  readonly next = new Map<string, Date | null>();
  readonly queue: ScheduleJob[] = [];

  constructor(settings: ScheduleSettings, now: Date) {
    this.settings = settings;
    for (const j of settings.jobs) this.next.set(j.name, nextRunOf(j, settings.timeZone, now));
  }

  /** enqueueDue queues every job whose next time is not after `now`, and moves its next time on. */
  enqueueDue(now: Date): ScheduleJob[] {
    const due = this.settings.jobs
      .filter((j) => { const t = this.next.get(j.name); return t && t.getTime() <= now.getTime(); })
      .sort((a, b) => this.next.get(a.name)!.getTime() - this.next.get(b.name)!.getTime());
    for (const j of due) {
      this.next.set(j.name, nextRunOf(j, this.settings.timeZone, now));
      this.add(j);
    }
    return due;
  }

  /** add queues a job unless it is already waiting. */
  add(job: ScheduleJob): void {
    if (!this.queue.some((q) => q.name === job.name)) this.queue.push(job);
  }

  /** msUntilNext is how long until the earliest next time (Infinity when no job ever runs again). */
  msUntilNext(now: Date): number {
    let min = Infinity;
    for (const t of this.next.values()) if (t) min = Math.min(min, t.getTime() - now.getTime());
    return Math.max(0, min);
  }
}

/** Missed is a job whose scheduled time passed while no daemon ran it. */
export interface Missed {
  job: ScheduleJob;
  missed: Date;
}

/**
 * findMissed lists the jobs with a scheduled time in (last start, now]. A job's last start
 * is the daemon's own record, else the run log's newest run of that kind and agent (runs
 * made by hand or by cron count), else when a daemon first saw the job. `all` ignores each
 * job's catch_up (for --once, where "missed" is how due jobs are found).
 */
export function findMissed(s: ScheduleSettings, state: ScheduleState, runs: RunRecord[], now: Date, all = false): Missed[] {
  const out: Missed[] = [];
  for (const job of s.jobs) {
    if (!job.catchUp && !all) continue;
    const since = lastStart(job, state, runs);
    const missed = missedRun(job, s.timeZone, since, now);
    if (missed) out.push({ job, missed });
  }
  return out.sort((a, b) => a.missed.getTime() - b.missed.getTime());
}

function lastStart(job: ScheduleJob, state: ScheduleState, runs: RunRecord[]): Date | null {
  const mine = state.jobs[job.name];
  if (mine?.last) return new Date(mine.last.start);
  const kind = job.kind === "status" ? null : job.kind;
  for (let i = runs.length - 1; kind && i >= 0; i--) {
    const r = runs[i]!;
    // A job without an agent covers every agent: any run of its kind counts.
    if (r.job === kind && (job.agent === undefined || r.agent === job.agent)) return new Date(Date.parse(r.time) - (r.durationMs ?? 0));
  }
  return mine?.seen ? new Date(mine.seen) : null;
}
