/**
 * @module forget/period.test
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { isoWeek, parseSnapshotTime, periodKey, withinCutoff } from "./period.ts";
import { parseDuration } from "./policy.ts";

const ms = (s: string): number => Date.parse(s);

test("periodKey: UTC calendar periods", () => {
  const t = ms("2024-05-01T23:30:00-02:00"); // 2024-05-02T01:30Z
  assert.equal(periodKey("hourly", t), "2024-05-02-01");
  assert.equal(periodKey("daily", t), "2024-05-02");
  assert.equal(periodKey("weekly", t), "2024-W18");
  assert.equal(periodKey("monthly", t), "2024-05");
  assert.equal(periodKey("yearly", t), "2024");
});

test("isoWeek: year boundaries", () => {
  assert.deepEqual(isoWeek(ms("2020-12-31T12:00:00Z")), { year: 2020, week: 53 });
  assert.deepEqual(isoWeek(ms("2021-01-01T00:00:00Z")), { year: 2020, week: 53 });
  assert.deepEqual(isoWeek(ms("2021-01-03T23:59:59Z")), { year: 2020, week: 53 });
  assert.deepEqual(isoWeek(ms("2021-01-04T00:00:00Z")), { year: 2021, week: 1 });
  assert.deepEqual(isoWeek(ms("2024-12-30T00:00:00Z")), { year: 2025, week: 1 });
  assert.deepEqual(isoWeek(ms("2024-12-29T00:00:00Z")), { year: 2024, week: 52 });
  assert.deepEqual(isoWeek(ms("2026-01-01T00:00:00Z")), { year: 2026, week: 1 });
});

test("parseSnapshotTime: keeps nanoseconds", () => {
  const a = parseSnapshotTime("2024-01-01T00:00:00.123456789Z");
  assert.equal(a.ms, ms("2024-01-01T00:00:00.123Z"));
  assert.equal(a.ns, BigInt(a.ms) * 1_000_000n + 456_789n);
  assert.equal(parseSnapshotTime("2024-01-01T00:00:00Z").ns, BigInt(ms("2024-01-01T00:00:00Z")) * 1_000_000n);
  assert.throws(() => parseSnapshotTime("not a time"), /invalid snapshot time/);
});

test("withinCutoff: calendar subtraction then hours", () => {
  const latest = parseSnapshotTime("2024-03-31T10:00:00.000000500Z");
  const cut = withinCutoff(latest, parseDuration("1m1d2h"));
  // Feb 31 2024 normalises to Mar 2, minus a day is Mar 1, minus 2h.
  assert.equal(cut, BigInt(ms("2024-03-01T08:00:00Z")) * 1_000_000n + 500n);
  const leap = withinCutoff(parseSnapshotTime("2024-02-29T00:00:00Z"), parseDuration("1y"));
  assert.equal(leap, BigInt(ms("2023-03-01T00:00:00Z")) * 1_000_000n);
});
