/**
 * @module schedule/state
 * What the scheduler remembers between runs, in the state folder's `schedule.json`: per
 * job name its last outcome (start, end, ok, exit code, snapshot, error), when a daemon
 * first saw it (the start of the catch-up window for a job never run), and the rotating
 * read-data slice of check jobs. Per job *name*, not per job kind: two check jobs with
 * different subsets, or backups of two agents, each have their own history. The run log
 * (alerts/runlog) stays the record of what each job did; this file is the daemon's view.
 */
import { join } from "node:path";
import { readJson, updateJson } from "../alerts/statedir.ts";

/** JobOutcome is one finished run of a scheduled job. */
export interface JobOutcome {
  start: string;
  end: string;
  ok: boolean;
  exitCode: number;
  /** Snapshots the run wrote (a backup of several agents writes several). */
  snapshots?: string[];
  /** One line, secrets redacted. */
  error?: string;
}

export interface JobState {
  /** When a daemon first saw this job; missed-run detection starts here until it has run. */
  seen?: string;
  last?: JobOutcome;
  /** check jobs with subset 1/T: the slice (1..T) the last completed run read. */
  slice?: number;
}

export interface ScheduleState {
  jobs: Record<string, JobState>;
}

export const STATE_FILE = "schedule.json";

const empty = (): ScheduleState => ({ jobs: {} });

export function statePath(stateDir: string): string {
  return join(stateDir, STATE_FILE);
}

/** readScheduleState reads schedule.json; a missing or damaged file is an empty state (state is advisory). */
export async function readScheduleState(stateDir: string): Promise<ScheduleState> {
  const s = await readJson<ScheduleState>(statePath(stateDir), empty());
  return s && typeof s === "object" && s.jobs && typeof s.jobs === "object" ? s : empty();
}

/** updateJob changes one job's entry and returns the whole new state. */
export async function updateJob(stateDir: string, name: string, change: (j: JobState) => JobState): Promise<ScheduleState> {
  return updateJson<ScheduleState>(statePath(stateDir), empty(), (s) => {
    const next = s && typeof s === "object" && s.jobs ? s : empty();
    next.jobs[name] = change(next.jobs[name] ?? {});
    return next;
  });
}

/** markSeen records `now` as first-seen for every job that has neither run nor been seen. */
export async function markSeen(stateDir: string, names: string[], now: Date): Promise<ScheduleState> {
  const s = await readScheduleState(stateDir);
  if (names.every((n) => s.jobs[n]?.seen || s.jobs[n]?.last)) return s;
  return updateJson<ScheduleState>(statePath(stateDir), empty(), (cur) => {
    const next = cur && typeof cur === "object" && cur.jobs ? cur : empty();
    for (const n of names) {
      const j = next.jobs[n] ?? {};
      if (!j.seen && !j.last) next.jobs[n] = { ...j, seen: now.toISOString() };
    }
    return next;
  });
}

/** nextSlice is the read-data slice a check job with 1/T reads next: after the last one, wrapping at T. */
export function nextSlice(j: JobState | undefined, t: number): number {
  const last = j?.slice;
  return last === undefined || last < 1 || last >= t ? 1 : last + 1;
}
