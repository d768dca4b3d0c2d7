/**
 * @module forget/group.test
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import type { Snapshot } from "../model/index.ts";
import { formatGroupKey, groupSnapshots, parseGroupBy } from "./group.ts";

function snap(id: string, host: string, paths: string[], tags: string[] = [], agent?: string): Snapshot {
  const s = { id, host, paths, tags, time: "2024-01-01T00:00:00Z" } as Snapshot;
  if (agent !== undefined) s.agent = agent;
  return s;
}

const SNAPS = [
  snap("1", "b", ["/x", "/y"], ["t2", "t1"]), snap("2", "a", ["/y", "/x"], ["t1", "t2"], "bot"),
  snap("3", "b", ["/y", "/x"], ["t1"]), snap("4", "a", ["/z"]),
];

const ids = (gs: ReturnType<typeof groupSnapshots>): string[][] => gs.map((g) => g.snapshots.map((s) => s.id ?? ""));

test("groupSnapshots: default host,paths compares paths sorted", () => {
  const gs = groupSnapshots(SNAPS);
  assert.deepEqual(gs.map((g) => g.key), [
    { host: "a", paths: ["/x", "/y"] }, { host: "a", paths: ["/z"] }, { host: "b", paths: ["/x", "/y"] },
  ]);
  assert.deepEqual(ids(gs), [["2"], ["4"], ["1", "3"]]);
});

test("groupSnapshots: other fields", () => {
  assert.deepEqual(ids(groupSnapshots(SNAPS, ["tags"])), [["1", "2"], ["3"], ["4"]]);
  assert.deepEqual(groupSnapshots(SNAPS, ["agent"]).map((g) => g.key), [{ agent: "" }, { agent: "bot" }]);
  assert.deepEqual(ids(groupSnapshots(SNAPS, ["paths"])), [["1", "2", "3"], ["4"]]);
  assert.deepEqual(ids(groupSnapshots(SNAPS, [])), [["1", "2", "3", "4"]]);
  assert.deepEqual(groupSnapshots([], ["host"]), []);
});

test("parseGroupBy and formatGroupKey", () => {
  assert.deepEqual(parseGroupBy("host, paths,host"), ["host", "paths"]);
  assert.deepEqual(parseGroupBy(""), []);
  assert.throws(() => parseGroupBy("host,user"), /invalid --group-by field "user"/);
  assert.equal(formatGroupKey({ host: "a", paths: ["/x", "/y"], tags: [] }), "host [a], paths [/x /y], tags []");
});
