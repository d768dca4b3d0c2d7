/**
 * @module forget/apply-series.test
 * applyPolicy over a dense, irregular two-year series (113 snapshots, 2023-01 → 2024-12:
 * sparse at first, then every few days, then several a day with gaps). Expected ids were
 * produced by an independent port of restic's ApplyPolicy (evaluated in UTC) and checked
 * by hand at the edges noted below.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import type { Snapshot } from "../model/index.ts";
import { applyPolicy } from "./apply.ts";
import type { KeepPolicy } from "./policy.ts";

/** TIMES[i] is the time of snapshot id `s<i>` (3 digits); ascending. */
const TIMES = [
  "2023-01-03T09:15:00Z", "2023-01-28T05:53:00Z", "2023-02-13T09:46:00Z", "2023-02-18T14:13:00Z",
  "2023-03-02T12:15:00Z", "2023-03-24T16:16:00Z", "2023-04-13T12:00:00Z", "2023-05-04T18:02:00Z",
  "2023-05-20T03:50:00Z", "2023-06-13T12:29:00Z", "2023-07-09T06:43:00Z", "2023-07-22T04:47:00Z",
  "2023-08-05T14:10:00Z", "2023-08-14T10:17:00Z", "2023-08-21T20:11:00Z", "2023-09-04T09:42:00Z",
  "2023-09-28T07:46:00Z", "2023-10-03T16:40:00Z", "2023-10-18T10:50:00Z", "2023-11-01T05:39:00Z",
  "2023-11-26T11:19:00Z", "2023-12-10T10:33:00Z", "2023-12-22T14:41:00Z", "2023-12-30T21:20:00Z",
  "2024-01-13T20:16:00Z", "2024-01-22T14:53:00Z", "2024-02-10T00:16:00Z", "2024-02-28T09:30:00Z",
  "2024-03-20T16:38:00Z", "2024-04-08T19:43:00Z", "2024-05-04T05:26:00Z", "2024-05-19T16:17:00Z",
  "2024-06-05T03:26:00Z", "2024-06-10T16:47:00Z", "2024-06-16T18:26:00Z", "2024-06-20T23:36:00Z",
  "2024-06-24T09:49:00Z", "2024-07-01T06:08:00Z", "2024-07-03T04:27:00Z", "2024-07-09T00:23:00Z",
  "2024-07-13T03:27:00Z", "2024-07-15T15:23:00Z", "2024-07-21T19:17:00Z", "2024-07-25T23:17:00Z",
  "2024-08-01T07:07:00Z", "2024-08-06T22:03:00Z", "2024-08-12T08:42:00Z", "2024-08-18T02:32:00Z",
  "2024-08-23T17:12:00Z", "2024-08-29T23:16:00Z", "2024-09-04T19:24:00Z", "2024-09-09T21:28:00Z",
  "2024-09-11T20:39:00Z", "2024-09-16T20:13:00Z", "2024-09-19T18:54:00Z", "2024-09-22T18:11:00Z",
  "2024-09-25T03:13:00Z", "2024-09-28T09:52:00Z", "2024-10-04T17:33:00Z", "2024-10-10T17:52:00Z",
  "2024-10-12T13:56:00Z", "2024-10-16T11:58:00Z", "2024-10-18T00:05:00Z", "2024-10-20T22:16:00Z",
  "2024-10-24T18:48:00Z", "2024-10-29T15:52:00Z", "2024-11-01T10:27:00Z", "2024-11-02T13:12:00Z",
  "2024-11-06T09:10:00Z", "2024-11-07T16:53:00Z", "2024-11-10T09:01:00Z", "2024-11-13T03:34:00Z",
  "2024-11-14T11:55:00Z", "2024-11-19T17:51:00Z", "2024-11-24T18:25:00Z", "2024-11-27T00:44:00Z",
  "2024-11-29T04:00:00Z", "2024-12-01T07:40:00Z", "2024-12-01T13:24:48Z", "2024-12-02T20:47:14Z",
  "2024-12-03T16:19:40Z", "2024-12-04T10:45:37Z", "2024-12-05T08:47:23Z", "2024-12-06T00:06:20Z",
  "2024-12-06T15:34:13Z", "2024-12-07T13:51:00Z", "2024-12-07T21:14:54Z", "2024-12-09T13:55:26Z",
  "2024-12-10T07:35:28Z", "2024-12-11T14:55:10Z", "2024-12-12T02:39:02Z", "2024-12-12T19:55:07Z",
  "2024-12-13T12:39:36Z", "2024-12-14T05:31:43Z", "2024-12-15T15:45:54Z", "2024-12-16T18:45:02Z",
  "2024-12-17T05:25:44Z", "2024-12-17T11:07:25Z", "2024-12-18T08:19:37Z", "2024-12-19T20:44:07Z",
  "2024-12-20T12:05:11Z", "2024-12-21T10:41:44Z", "2024-12-22T04:57:17Z", "2024-12-22T20:21:20Z",
  "2024-12-23T02:44:19Z", "2024-12-24T06:46:17Z", "2024-12-24T09:54:34Z", "2024-12-25T04:46:39Z",
  "2024-12-26T09:19:23Z", "2024-12-28T01:29:35Z", "2024-12-28T11:56:49Z", "2024-12-29T21:57:28Z",
  "2024-12-30T03:01:56Z",
];

const id = (i: number): string => `s${String(i).padStart(3, "0")}`;
const range = (from: number, to: number): number[] =>
  Array.from({ length: from - to + 1 }, (_, k) => from - k);

// Fed in a scrambled order (37 is coprime with 113) to prove sorting is by time.
const SERIES: Snapshot[] = TIMES.map((_, k) => (k * 37) % TIMES.length).map((i) => ({
  id: id(i), time: TIMES[i] ?? "", host: "h", username: "u", paths: ["/"], tags: [], tree: "t",
  toolVersion: "0", chunkers: {},
  summary: {
    files: 0, dirs: 0, bytes: 0, filesNew: 0, filesChanged: 0, filesUnmodified: 0,
    blobsNew: 0, bytesNew: 0, bytesStored: 0, errors: 0, durationMs: 0,
  },
}));

function run(policy: KeepPolicy): [string, string[]][] {
  const r = applyPolicy(SERIES, policy);
  assert.equal(r.keep.length + r.remove.length, SERIES.length);
  return r.keep.map((k) => [k.snapshot.id ?? "", k.reasons]);
}
const only = (reason: string, ids: number[]): [string, string[]][] => ids.map((i) => [id(i), [reason]]);

test("series: keep-daily 7 skips 2024-12-27 (no snapshot) and keeps the newest of each day", () => {
  // s109 (12-28 01:29) loses to s110 (12-28 11:56); s105 loses to s106 on 12-24.
  assert.deepEqual(run({ daily: 7 }), only("daily snapshot", [112, 111, 110, 108, 107, 106, 104]));
});

test("series: keep-hourly 5 takes the 5 newest snapshots (all in different hours)", () => {
  assert.deepEqual(run({ hourly: 5 }), only("hourly snapshot", [112, 111, 110, 109, 108]));
});

test("series: a typical combined policy", () => {
  const policy = { last: 3, daily: 7, weekly: 5, monthly: 12, yearly: 3 };
  assert.deepEqual(run(policy), [
    ["s112", ["last snapshot", "daily snapshot", "weekly snapshot", "monthly snapshot", "yearly snapshot"]],
    ["s111", ["last snapshot", "daily snapshot", "weekly snapshot"]], // Sun 12-29: previous ISO week
    ["s110", ["last snapshot", "daily snapshot"]],
    ...only("daily snapshot", [108, 107, 106, 104]),
    ...only("weekly snapshot", [103, 94, 86]),
    ...only("monthly snapshot", [76, 65, 57, 49, 43, 36, 31, 29, 28, 27, 25]),
    ["s023", ["yearly snapshot"]], // 2023-12-30
    ["s000", ["oldest yearly snapshot"]], // only 2 years exist: the oldest is kept too
  ]);
});

test("series: keep-within 1m10d counts back from the newest snapshot", () => {
  // Newest is 2024-12-30T03:01:56Z; cutoff 2024-11-20T03:01:56Z keeps s074 (11-24), not s073 (11-19).
  assert.deepEqual(run({ within: "1m10d" }), only("within 1m10d", range(112, 74)));
});

test("series: keep-weekly -1 keeps the newest snapshot of every ISO week", () => {
  const weeks = [112, 111, 103, 94, 86, 78, 74, 72, 70, 67, 64, 63, 60, 58, 57, 55, 52, 50, 49, 48,
    47, 45, 44, 43, 42, 40, 38, 36, 35, 34, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20,
    19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 1, 0];
  assert.deepEqual(run({ weekly: -1 }), only("weekly snapshot", weeks));
});
