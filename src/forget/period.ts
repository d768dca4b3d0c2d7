/**
 * @module forget/period
 * Time arithmetic for the retention policy: parsing a snapshot's stored time at nanosecond
 * precision, the calendar period a time falls in, and the `within` cutoff.
 *
 * Everything is computed in UTC. restic uses the time zone recorded in each snapshot, so
 * for a snapshot taken at 00:30 local time in UTC+2 restic's "day" differs from ours; UTC
 * makes the result independent of where `forget` runs and of the zone of the backup host.
 */

import type { KeepDuration } from "./policy.ts";

/** SnapshotTime is a parsed snapshot time: `ns` orders exactly, `ms` feeds calendar math. */
export interface SnapshotTime {
  /** Nanoseconds since the epoch; stored times carry 9 fractional digits, more than a double holds. */
  ns: bigint;
  /** Milliseconds since the epoch (fraction truncated). */
  ms: number;
}

const NS_PER_MS = 1_000_000n;

/**
 * parseSnapshotTime parses an RFC 3339 time such as "2024-05-01T10:00:00.123456789Z".
 * @throws Error naming the bad value.
 */
export function parseSnapshotTime(s: string): SnapshotTime {
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) throw new Error(`invalid snapshot time "${s}"`);
  // Date.parse truncates the fraction to milliseconds; recover the rest so that two snapshots
  // taken within the same millisecond still sort in the order they were taken.
  const frac = /T\d\d:\d\d:\d\d\.(\d+)/.exec(s)?.[1] ?? "";
  const subMs = BigInt(frac.padEnd(9, "0").slice(3, 9));
  return { ns: BigInt(ms) * NS_PER_MS + subMs, ms };
}

/** PeriodKind names the calendar buckets of the count rules. */
export type PeriodKind = "hourly" | "daily" | "weekly" | "monthly" | "yearly";

/**
 * periodKey returns the UTC calendar period of a time as a string: "2024-05-01-10" (hour),
 * "2024-05-01" (day), "2024-W18" (ISO week), "2024-05" (month), "2024" (year).
 */
export function periodKey(kind: PeriodKind, ms: number): string {
  const d = new Date(ms);
  const year = pad(d.getUTCFullYear(), 4);
  const month = pad(d.getUTCMonth() + 1, 2);
  const day = pad(d.getUTCDate(), 2);
  switch (kind) {
    case "hourly":
      return `${year}-${month}-${day}-${pad(d.getUTCHours(), 2)}`;
    case "daily":
      return `${year}-${month}-${day}`;
    case "weekly": {
      const w = isoWeek(ms);
      return `${pad(w.year, 4)}-W${pad(w.week, 2)}`;
    }
    case "monthly":
      return `${year}-${month}`;
    case "yearly":
      return year;
  }
}

/**
 * isoWeek returns the ISO 8601 week-year and week of a UTC time. Weeks start on Monday and
 * belong to the year holding their Thursday, so 2021-01-01 (a Friday) is in 2020-W53.
 */
export function isoWeek(ms: number): { year: number; week: number } {
  const d = new Date(ms);
  const dayOfWeek = d.getUTCDay() === 0 ? 7 : d.getUTCDay(); // Monday=1 … Sunday=7
  const thursday = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 4 - dayOfWeek);
  const year = new Date(thursday).getUTCFullYear();
  const jan1 = new Date(0);
  jan1.setUTCFullYear(year, 0, 1); // setUTCFullYear, unlike Date.UTC, does not remap years 0-99
  const week = Math.floor((thursday - jan1.getTime()) / 86_400_000 / 7) + 1;
  return { year, week };
}

/**
 * withinCutoff returns `latest` minus a calendar duration, in nanoseconds, the way restic
 * does it: years, months and days are subtracted on the calendar (overflow normalises like
 * Go's AddDate: Mar 31 − 1m = Mar 3 or 2), then hours as exact hours.
 */
export function withinCutoff(latest: SnapshotTime, d: KeepDuration): bigint {
  const date = new Date(latest.ms);
  date.setUTCFullYear(
    date.getUTCFullYear() - d.years,
    date.getUTCMonth() - d.months,
    date.getUTCDate() - d.days,
  );
  const ms = date.getTime() - d.hours * 3_600_000;
  const subMs = latest.ns - BigInt(latest.ms) * NS_PER_MS;
  return BigInt(ms) * NS_PER_MS + subMs;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}
