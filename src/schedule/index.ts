/**
 * @module schedule
 * The `schedule:` section (schema, convert), next and missed runs (next), what each job
 * runs (args), the scheduler's memory (state), and installing it into cron or systemd
 * (install, crontab, systemd). The loop that runs the jobs is in daemon/.
 */
export { ScheduleSchema, SCHEDULE_JOB_KINDS, type ScheduleJob, type ScheduleJobKind, type ScheduleSettings, type JobSubset, type FileSchedule } from "./schema.ts";
export { convertSchedule, parseHealth } from "./convert.ts";
export { cronOf, cronProblem, missedRun, nextBackupOf, nextRunOf, nextRuns, machineTimeZone, type NextRun } from "./next.ts";
export { cliEntry, commandLine, globalArgs, jobArgs, type GlobalArgs } from "./args.ts";
export { readScheduleState, type JobOutcome, type JobState, type ScheduleState } from "./state.ts";
export { applyPlan, planCron, planSystemd, readInstalled, removeInstalled, type Installed, type Plan } from "./install.ts";
