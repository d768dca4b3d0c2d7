/**
 * @module forget/apply.test
 * Hand-worked scenarios for applyPolicy, one property of restic's semantics each.
 * Expected ids were derived by hand from the rules documented in apply.ts.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import type { Snapshot } from "../model/index.ts";
import { applyPolicy, type PolicyResult } from "./apply.ts";
import type { KeepPolicy } from "./policy.ts";

function snap(id: string, time: string, tags: string[] = []): Snapshot {
  return {
    id, time, tags, host: "h", username: "u", paths: ["/data"], tree: "t", toolVersion: "0",
    chunkers: {},
    summary: {
      files: 0, dirs: 0, bytes: 0, filesNew: 0, filesChanged: 0, filesUnmodified: 0,
      blobsNew: 0, bytesNew: 0, bytesStored: 0, errors: 0, durationMs: 0,
    },
  };
}

/** kept flattens a result to [id, reasons] pairs, newest first. */
function kept(r: PolicyResult): [string, string[]][] {
  return r.keep.map((k) => [k.snapshot.id ?? "", k.reasons]);
}
const removed = (r: PolicyResult): string[] => r.remove.map((x) => x.snapshot.id ?? "");

// January 2024 with empty days (3, 5, 6, 11-14) and several snapshots on some days.
const JAN = [
  snap("d01", "2024-01-01T10:00:00Z"), snap("d02a", "2024-01-02T08:00:00Z"),
  snap("d02b", "2024-01-02T20:00:00Z"), snap("d04", "2024-01-04T12:00:00Z"),
  snap("d07", "2024-01-07T23:59:59Z"), snap("d08", "2024-01-08T00:00:00Z"),
  snap("d09a", "2024-01-09T01:00:00Z"), snap("d09b", "2024-01-09T01:30:00Z"),
  snap("d10", "2024-01-10T12:00:00Z"), snap("d15", "2024-01-15T06:00:00Z"),
  snap("d16a", "2024-01-16T00:10:00Z"), snap("d16b", "2024-01-16T23:50:00Z"),
];

interface Case {
  name: string;
  input: Snapshot[];
  policy: KeepPolicy;
  keep: [string, string[]][];
  remove?: string[];
}

const daily = (ids: string[]): [string, string[]][] => ids.map((id) => [id, ["daily snapshot"]]);

const cases: Case[] = [
  {
    name: "keep-daily 7 keeps the newest of the 7 newest days that have snapshots",
    input: JAN, policy: { daily: 7 },
    keep: daily(["d16b", "d15", "d10", "d09b", "d08", "d07", "d04"]),
    remove: ["d16a", "d09a", "d02b", "d02a", "d01"],
  },
  {
    name: "unsorted input gives the same result",
    input: [...JAN].reverse().sort((a, b) => (a.id! < b.id! ? 1 : -1)), policy: { daily: 7 },
    keep: daily(["d16b", "d15", "d10", "d09b", "d08", "d07", "d04"]),
  },
  {
    name: "an unfilled daily rule also keeps the oldest snapshot",
    input: JAN, policy: { daily: 20 },
    keep: [...daily(["d16b", "d15", "d10", "d09b", "d08", "d07", "d04", "d02b"]),
      ["d01", ["daily snapshot"]]],
    remove: ["d16a", "d09a", "d02a"],
  },
  {
    name: "the oldest snapshot gets an 'oldest' reason when its period was already kept",
    input: JAN.slice(1), policy: { daily: 20 },
    keep: [...daily(["d16b", "d15", "d10", "d09b", "d08", "d07", "d04", "d02b"]),
      ["d02a", ["oldest daily snapshot"]]],
  },
  {
    name: "keep-last and keep-daily overlap: both reasons",
    input: JAN, policy: { last: 2, daily: 2 },
    keep: [["d16b", ["last snapshot", "daily snapshot"]], ["d16a", ["last snapshot"]],
      ["d15", ["daily snapshot"]]],
  },
  {
    name: "keep-last with fewer snapshots keeps them all",
    input: JAN.slice(0, 3), policy: { last: 5 },
    keep: [["d02b", ["last snapshot"]], ["d02a", ["last snapshot"]], ["d01", ["last snapshot"]]],
  },
  {
    name: "keep-weekly uses ISO weeks across the year boundary",
    input: [
      snap("w53mon", "2020-12-28T12:00:00Z"), snap("w53thu", "2020-12-31T12:00:00Z"),
      snap("w53fri", "2021-01-01T12:00:00Z"), snap("w53sun", "2021-01-03T23:00:00Z"),
      snap("w01mon", "2021-01-04T00:00:00Z"), snap("w52sun", "2020-12-27T12:00:00Z"),
    ],
    policy: { weekly: 2 },
    keep: [["w01mon", ["weekly snapshot"]], ["w53sun", ["weekly snapshot"]]],
    remove: ["w53fri", "w53thu", "w53mon", "w52sun"],
  },
  {
    name: "keep-hourly: one per clock hour (UTC)",
    input: [
      snap("a", "2024-03-01T10:05:00Z"), snap("b", "2024-03-01T10:55:00Z"),
      snap("c", "2024-03-01T11:00:00Z"), snap("d", "2024-03-01T13:30:00+02:00"),
    ],
    policy: { hourly: 2 },
    keep: [["d", ["hourly snapshot"]], ["b", ["hourly snapshot"]]],
    remove: ["c", "a"],
  },
  {
    name: "keep-monthly -1 keeps one per month, unlimited",
    input: [
      snap("jan", "2024-01-31T23:00:00Z"), snap("feb1", "2024-02-01T00:00:00Z"),
      snap("feb2", "2024-02-29T00:00:00Z"), snap("apr", "2024-04-02T00:00:00Z"),
    ],
    policy: { monthly: -1 },
    keep: [["apr", ["monthly snapshot"]], ["feb2", ["monthly snapshot"]], ["jan", ["monthly snapshot"]]],
    remove: ["feb1"],
  },
  {
    name: "keep-yearly 3 over two years keeps the oldest too",
    input: [snap("y1a", "2022-02-01T00:00:00Z"), snap("y1b", "2022-12-31T23:59:59Z"),
      snap("y2", "2023-06-01T00:00:00Z")],
    policy: { yearly: 3 },
    keep: [["y2", ["yearly snapshot"]], ["y1b", ["yearly snapshot"]], ["y1a", ["oldest yearly snapshot"]]],
  },
  {
    name: "keep-within counts back from the newest snapshot, exclusive",
    input: [
      snap("old", "2020-01-01T00:00:00Z"), snap("edge", "2020-06-08T12:00:00Z"),
      snap("in", "2020-06-08T12:00:00.000000001Z"), snap("new", "2020-06-10T12:00:00Z"),
    ],
    policy: { within: "2d" },
    keep: [["new", ["within 2d"]], ["in", ["within 2d"]]],
    remove: ["edge", "old"],
  },
  {
    name: "keep-within months normalise like Go's AddDate (2021-03-31 - 1m = 2021-03-03)",
    input: [snap("a", "2021-03-02T23:00:00Z"), snap("b", "2021-03-03T00:00:01Z"),
      snap("n", "2021-03-31T00:00:00Z")],
    policy: { within: "1m" },
    keep: [["n", ["within 1m"]], ["b", ["within 1m"]]],
    remove: ["a"],
  },
  {
    name: "tags: any entry matches, a comma list needs all its tags",
    input: [snap("t1", "2024-01-01T00:00:00Z", ["keep"]), snap("t2", "2024-01-02T00:00:00Z", ["a"]),
      snap("t3", "2024-01-03T00:00:00Z", ["a", "b"]), snap("t4", "2024-01-04T00:00:00Z")],
    policy: { tags: ["keep", "a,b"] },
    keep: [["t3", ["has tags [a b]"]], ["t1", ["has tags [keep]"]]],
    remove: ["t4", "t2"],
  },
  {
    name: "reason order: tags, within, then count rules",
    input: [snap("x", "2024-01-01T00:00:00Z", ["k"])],
    policy: { tags: ["k"], within: "1d", last: 1, yearly: 1 },
    keep: [["x", ["has tags [k]", "within 1d", "last snapshot", "yearly snapshot"]]],
  },
  {
    name: "same time: ordered by id; nanoseconds break millisecond ties",
    input: [snap("b", "2024-01-01T00:00:00Z"), snap("a", "2024-01-01T00:00:00Z"),
      snap("ns2", "2023-01-01T00:00:00.000000002Z"), snap("ns1", "2023-01-01T00:00:00.000000001Z")],
    policy: { last: 1 },
    keep: [["a", ["last snapshot"]]],
    remove: ["b", "ns2", "ns1"],
  },
  {
    name: "an empty policy keeps everything",
    input: JAN.slice(0, 2), policy: { daily: 0, within: "0d", tags: [] },
    keep: [["d02a", []], ["d01", []]],
  },
];

for (const c of cases) {
  test(`applyPolicy: ${c.name}`, () => {
    const r = applyPolicy(c.input, c.policy);
    assert.deepEqual(kept(r), c.keep);
    if (c.remove !== undefined) assert.deepEqual(removed(r), c.remove);
    assert.equal(r.keep.length + r.remove.length, c.input.length);
  });
}

test("applyPolicy: within ignores future-dated snapshots when finding the newest", () => {
  const input = [snap("a", "2024-01-01T00:00:00Z"), snap("b", "2024-01-05T00:00:00Z"),
    snap("future", "2030-01-01T00:00:00Z")];
  const r = applyPolicy(input, { within: "3d" }, { now: new Date("2024-01-06T00:00:00Z") });
  assert.deepEqual(kept(r), [["future", ["within 3d"]], ["b", ["within 3d"]]]);
});

test("applyPolicy: does not mutate its input and handles an empty list", () => {
  const input = [...JAN];
  applyPolicy(input, { daily: 1 });
  assert.deepEqual(input, JAN);
  assert.deepEqual(applyPolicy([], { last: 1 }), { keep: [], remove: [] });
});

test("applyPolicy: rejects malformed policies and times", () => {
  assert.throws(() => applyPolicy(JAN, { daily: 1.5 }), /keep-daily/);
  assert.throws(() => applyPolicy(JAN, { last: -2 }), /keep-last/);
  assert.throws(() => applyPolicy(JAN, { within: "5x" }), /unknown unit/);
  assert.throws(() => applyPolicy([snap("bad", "yesterday")], { last: 1 }), /invalid snapshot time/);
});
