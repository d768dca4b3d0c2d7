/**
 * @module daemon
 * `lifeboat daemon`: the scheduler loop (daemon.ts), one job run as a child process
 * (job.ts, child.ts), the timetable and catch-up (queue.ts), the health endpoint and
 * heartbeat pings. docs/schedule.md describes the behaviour.
 */
export { runDaemon, runOne, type DaemonOptions, type DaemonSummary } from "./daemon.ts";
export { runJob, snapshotIds, errorLine, type DaemonEvent, type JobContext } from "./job.ts";
export { findMissed, Timetable, type Missed } from "./queue.ts";
export { serveHealth, healthStatus, type HealthDoc, type HealthJob } from "./health.ts";
export { ping, pingUrl } from "./heartbeat.ts";
