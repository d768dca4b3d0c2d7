/**
 * @module schedule/next.test
 * Next runs in an IANA time zone, across both DST changes (a fixed-time job in the spring
 * gap runs once right after it, in the autumn repeat once; an hourly job runs every real
 * hour), six-field expressions with seconds, and missed-run detection: a time after the last
 * start and not after now is missed, a new job (no start known) has missed nothing.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { cronProblem, hasSeconds, missedRun, nextBackupOf, nextRunOf, nextRuns } from "./next.ts";
import type { ScheduleJob } from "./schema.ts";

const at = (iso: string) => new Date(iso);
const job = (cron: string): ScheduleJob => ({ name: "j", kind: "backup", cron, prune: true, catchUp: true });

test("a daily job runs at its local time in the configured zone, in summer and winter", () => {
  assert.equal(nextRunOf(job("0 4 * * *"), "Europe/Berlin", at("2026-07-01T00:00:00Z"))?.toISOString(), "2026-07-01T02:00:00.000Z");
  assert.equal(nextRunOf(job("0 4 * * *"), "Europe/Berlin", at("2026-12-01T00:00:00Z"))?.toISOString(), "2026-12-01T03:00:00.000Z");
  assert.equal(nextRunOf(job("0 4 * * *"), "America/New_York", at("2026-12-01T00:00:00Z"))?.toISOString(), "2026-12-01T09:00:00.000Z");
});

test("spring forward: a job at 02:30, a time that does not exist that night, runs once just after the gap", () => {
  // 2026-03-29 in Berlin: 02:00 CET jumps to 03:00 CEST (01:00Z).
  const runs = [at("2026-03-28T00:00:00Z"), at("2026-03-29T00:00:00Z"), at("2026-03-30T00:00:00Z")].map((d) => nextRunOf(job("30 2 * * *"), "Europe/Berlin", d)?.toISOString());
  assert.deepEqual(runs, ["2026-03-28T01:30:00.000Z", "2026-03-29T01:00:00.000Z", "2026-03-30T00:30:00.000Z"]);
});

test("fall back: a fixed-time job at 02:30 runs once; an hourly job runs every real hour through the repeat", () => {
  // 2026-10-25 in Berlin: 03:00 CEST falls back to 02:00 CET (01:00Z); 02:30 happens twice.
  const fixed = nextRunOf(job("30 2 * * *"), "Europe/Berlin", at("2026-10-24T12:00:00Z"))!;
  assert.equal(fixed.toISOString(), "2026-10-25T00:30:00.000Z");
  assert.equal(nextRunOf(job("30 2 * * *"), "Europe/Berlin", fixed)?.toISOString(), "2026-10-26T01:30:00.000Z", "not again at the second 02:30");
  const hourly: string[] = [];
  for (let d: Date | null = at("2026-10-24T23:30:00Z"); hourly.length < 4 && d; ) {
    d = nextRunOf(job("0 * * * *"), "Europe/Berlin", d);
    hourly.push(d!.toISOString());
  }
  assert.deepEqual(hourly, ["2026-10-25T00:00:00.000Z", "2026-10-25T01:00:00.000Z", "2026-10-25T02:00:00.000Z", "2026-10-25T03:00:00.000Z"]);
});

test("six fields put seconds first; five fields run on the minute", () => {
  assert.equal(nextRunOf(job("*/2 * * * * *"), "UTC", at("2026-01-01T00:00:01Z"))?.toISOString(), "2026-01-01T00:00:02.000Z");
  assert.equal(nextRunOf(job("* * * * *"), "UTC", at("2026-01-01T00:00:01Z"))?.toISOString(), "2026-01-01T00:01:00.000Z");
  assert.equal(hasSeconds("*/2 * * * * *"), true);
  assert.equal(hasSeconds("0 * * * *"), false);
  assert.equal(hasSeconds("@hourly"), false);
});

test("cronProblem explains an unusable expression in one line and accepts nicknames", () => {
  assert.equal(cronProblem("0 * * * *", "UTC"), null);
  assert.equal(cronProblem("@daily", "Europe/Berlin"), null);
  assert.match(cronProblem("61 * * * *", "UTC")!, /^invalid cron expression "61 \* \* \* \*": .*minute/);
  assert.match(cronProblem("* * *", "UTC")!, /^invalid cron expression/);
  assert.match(cronProblem("0 0 30 2 *", "UTC")!, /never runs|invalid/);
});

test("missedRun: the newest scheduled time after the last start and not after now", () => {
  const hourly = job("0 * * * *");
  assert.equal(missedRun(hourly, "UTC", at("2026-05-01T09:00:05Z"), at("2026-05-01T09:59:59Z")), null, "ran at 09:00: nothing missed");
  assert.equal(missedRun(hourly, "UTC", at("2026-05-01T09:00:05Z"), at("2026-05-01T13:20:00Z"))?.toISOString(), "2026-05-01T13:00:00.000Z", "down 10:00-13:20: one run, the newest");
  assert.equal(missedRun(hourly, "UTC", null, at("2026-05-01T13:20:00Z")), null, "never ran and never seen: a new job waits for its time");
  assert.equal(missedRun(hourly, "UTC", at("2026-05-01T12:59:00Z"), at("2026-05-01T13:00:00Z"))?.toISOString(), "2026-05-01T13:00:00.000Z", "a time exactly now counts");
  const weekly = job("0 4 * * 0");
  assert.equal(missedRun(weekly, "Europe/Berlin", at("2026-11-01T03:00:00Z"), at("2026-11-07T12:00:00Z")), null);
  assert.equal(missedRun(weekly, "Europe/Berlin", at("2026-11-01T03:00:00Z"), at("2026-11-08T03:00:00Z"))?.toISOString(), "2026-11-08T03:00:00.000Z");
});

test("nextRuns lists every job", () => {
  const list = nextRuns([{ ...job("0 * * * *"), name: "a" }, { ...job("30 3 * * *"), name: "b" }], "UTC", at("2026-05-01T09:10:00Z"));
  assert.deepEqual(list, [{ name: "a", next: "2026-05-01T10:00:00.000Z" }, { name: "b", next: "2026-05-02T03:30:00.000Z" }]);
});

test("nextBackupOf is the soonest backup job covering the agent", () => {
  const s = { timeZone: "UTC", timeZoneGiven: false, catchUp: true, graceMs: 0, jobs: [
    { ...job("0 */6 * * *"), name: "all" }, { ...job("30 * * * *"), name: "wren", agent: "wren" }, { ...job("* * * * *"), name: "drift", kind: "drift" as const },
  ] };
  const now = at("2026-05-01T09:10:00Z");
  assert.equal(nextBackupOf(s, "wren", now)?.toISOString(), "2026-05-01T09:30:00.000Z");
  assert.equal(nextBackupOf(s, "scout", now)?.toISOString(), "2026-05-01T12:00:00.000Z");
  assert.equal(nextBackupOf({ ...s, jobs: [] }, "wren", now), null);
});
