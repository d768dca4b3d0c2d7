/**
 * @module schedule/next
 * When each job runs next, and whether a run was missed while nothing was running. Cron
 * parsing and time-zone arithmetic (DST gaps and repeats included) are croner's; this file
 * only decides what counts as "missed": a scheduled time after the job's last start (or,
 * for a job never run, after the daemon first saw it) and not after now.
 */
import { Cron } from "croner";
import type { ScheduleJob, ScheduleSettings } from "./schema.ts";

/** machineTimeZone is the zone this process runs in (TZ, else the system's). */
export function machineTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/** isTimeZone is true for a zone name the runtime knows (IANA names, "UTC"). */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** cronOf parses an expression; a paused Cron never fires, it only computes times. @throws Error with croner's reason */
export function cronOf(expr: string, timeZone: string): Cron {
  return new Cron(expr, { timezone: timeZone, paused: true, mode: "5-or-6-parts" });
}

/** cronProblem returns why an expression cannot be used, or null. */
export function cronProblem(expr: string, timeZone: string): string | null {
  try {
    const c = cronOf(expr, timeZone);
    if (c.nextRun(new Date()) === null) return `"${expr}" never runs`;
    return null;
  } catch (err) {
    return `invalid cron expression "${expr}": ${(err as Error).message.replace(/^CronPattern: /, "")}`;
  }
}

/** hasSeconds is true for 6-field expressions (seconds first), which crontab cannot express. */
export function hasSeconds(expr: string): boolean {
  return !expr.trim().startsWith("@") && expr.trim().split(/\s+/).length === 6;
}

/** nextRunOf is the first scheduled time strictly after `after`. */
export function nextRunOf(job: Pick<ScheduleJob, "cron">, timeZone: string, after: Date): Date | null {
  return cronOf(job.cron, timeZone).nextRun(after);
}

/**
 * missedRun returns the newest scheduled time in (since, now], or null when none fell in
 * that window. `since` is the job's last start, else when the daemon first saw the job;
 * without either nothing can have been missed (a new job waits for its first time).
 */
export function missedRun(job: Pick<ScheduleJob, "cron">, timeZone: string, since: Date | null, now: Date): Date | null {
  if (!since) return null;
  // A millisecond later, so a time exactly now counts as passed (croner excludes the reference itself).
  const prev = cronOf(job.cron, timeZone).previousRuns(1, new Date(now.getTime() + 1))[0];
  return prev && prev.getTime() > since.getTime() && prev.getTime() <= now.getTime() ? prev : null;
}

/** NextRun is one job's next scheduled time, for `schedule show`, the health endpoint and status. */
export interface NextRun {
  name: string;
  next: string | null;
}

/** nextRuns lists every job's next time after `now`. */
export function nextRuns(jobs: ScheduleJob[], timeZone: string, now: Date): NextRun[] {
  return jobs.map((j) => ({ name: j.name, next: nextRunOf(j, timeZone, now)?.toISOString() ?? null }));
}

/** nextBackupOf is the soonest next run of a backup job covering `agent` (one naming it, or one for every agent), for `lifeboat status`. */
export function nextBackupOf(s: ScheduleSettings, agent: string, now: Date): Date | null {
  let best: Date | null = null;
  for (const j of s.jobs) {
    if (j.kind !== "backup" || (j.agent !== undefined && j.agent !== agent)) continue;
    const t = nextRunOf(j, s.timeZone, now);
    if (t && (!best || t < best)) best = t;
  }
  return best;
}
