/**
 * @module schedule/schema
 * The `schedule:` section of lifeboat.yaml: which jobs `lifeboat daemon` runs and when
 * (cron expressions in an IANA time zone), plus its health endpoint and catch-up rule.
 * Shape only, like config/schema; cron expressions, time zones, and the keys that belong
 * to one job kind are checked by convertSchedule, with the line of the offending key.
 */
import { z } from "zod";

// The same patterns as config/schema; not imported, because config/schema imports this file.
const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const DURATION = /^(\d+(\.\d+)?(ms|s|m|h|d))+$/;

/** SCHEDULE_JOB_KINDS are the jobs the daemon can run; `status` is the freshness watchdog (`status --notify`). */
export const SCHEDULE_JOB_KINDS = ["backup", "transcripts", "forget", "prune", "check", "drift", "drill", "status"] as const;
export type ScheduleJobKind = (typeof SCHEDULE_JOB_KINDS)[number];

const count = (what: string) => z.number().int().min(-1).optional().describe(`Keep the newest snapshot of each of the last n ${what} (-1: all).`);

export const KeepSchema = z
  .strictObject({
    last: z.number().int().min(-1).optional().describe("Keep the n newest snapshots."),
    hourly: count("hours"), daily: count("days"), weekly: count("ISO weeks"), monthly: count("months"), yearly: count("years"),
    within: z.string().min(1).optional().describe("Keep snapshots younger than this, relative to the newest (e.g. 2d, 1y6m)."),
  })
  .describe("Retention rules, as `lifeboat forget --keep-*` (forget jobs only).");

export const ScheduleJobSchema = z.strictObject({
  name: z.string().regex(NAME, { error: "job name must match [a-z0-9][a-z0-9._-]{0,63}" }).describe("Unique; names the job in the daemon's log, the health endpoint and `schedule show`."),
  job: z.enum(SCHEDULE_JOB_KINDS).describe("What runs: backup, transcripts (sync), forget, prune, check, drift, drill or status (the freshness watchdog)."),
  cron: z.string().min(1).describe("When: a cron expression (5 fields, or 6 with seconds first), read in time_zone, e.g. \"0 * * * *\"."),
  agent: z.string().regex(NAME, { error: "agent name must match [a-z0-9][a-z0-9._-]{0,63}" }).optional().describe("backup, drift, drill, transcripts: only this configured agent (default: every agent)."),
  heartbeat: z.url({ protocol: /^https?$/, error: "expected an http(s) URL" }).optional().describe("Pinged after each run: the URL on success, URL/fail on failure (healthchecks.io style)."),
  subset: z.string().regex(/^(1\/\d+|\d{1,3}(\.\d+)?%)$/, { error: "expected 1/T (one T-th of the packs per run, rotating) or N% (random)" }).optional()
    .describe("check only: read data too; 1/7 reads a different seventh of the packs each run, 10% a random tenth."),
  keep: KeepSchema.optional(),
  prune: z.boolean().optional().describe("forget only: prune unreferenced data afterwards. Default true."),
  catch_up: z.boolean().optional().describe("Run once at start when a run was missed while the daemon was down. Default: schedule.catch_up."),
  timeout: z.string().regex(DURATION, { error: "expected a duration such as 30s, 5m or 1h30m" }).optional().describe("Stop the job (SIGTERM, then SIGKILL) after this long."),
});

export const ScheduleSchema = z
  .strictObject({
    time_zone: z.string().min(1).optional().describe("IANA time zone the cron expressions are read in, e.g. Europe/Berlin. Default: the machine's."),
    catch_up: z.boolean().optional().describe("Run each job once at start when a run was missed while the daemon was down. Default true."),
    health: z.union([z.string().min(1), z.number().int()]).optional().describe("Serve GET /health on this loopback address, e.g. 127.0.0.1:9555 or 9555."),
    grace: z.string().regex(DURATION, { error: "expected a duration such as 30s, 5m or 1h30m" }).optional()
      .describe("On SIGTERM, how long the running job may take to stop before it is killed. Default 2m."),
    jobs: z.array(ScheduleJobSchema).describe("The jobs `lifeboat daemon` runs, one at a time."),
  })
  .describe("The scheduler: what `lifeboat daemon` and `lifeboat schedule install` run, and when (docs/schedule.md).");

export type FileSchedule = z.infer<typeof ScheduleSchema>;
export type FileScheduleJob = z.infer<typeof ScheduleJobSchema>;
export type FileKeep = z.infer<typeof KeepSchema>;

/** Subset: `rotate` reads slice n of `rotate` (n advancing each run); `percent` a random share ("10%"). */
export type JobSubset = { rotate: number } | { percent: string };

/** ScheduleJob is one converted job. */
export interface ScheduleJob {
  name: string;
  kind: ScheduleJobKind;
  cron: string;
  agent?: string;
  heartbeat?: string;
  subset?: JobSubset;
  keep?: FileKeep;
  prune: boolean;
  catchUp: boolean;
  timeoutMs?: number;
}

/** ScheduleSettings is the converted `schedule:` section. */
export interface ScheduleSettings {
  timeZone: string;
  /** True when time_zone was written (cron mode refuses a zone other than the machine's). */
  timeZoneGiven: boolean;
  catchUp: boolean;
  health?: { host: string; port: number };
  graceMs: number;
  jobs: ScheduleJob[];
}
