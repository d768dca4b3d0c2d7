import assert from "node:assert/strict";
import { test } from "node:test";
import type { AgentConfig } from "../model/agent.ts";
import type { RunRecord } from "./runlog.ts";
import { buildStatus } from "./status.ts";

const agent: AgentConfig = { name: "wren", preset: "workspace", root: "/a", items: [], skip: [], hooks: {}, pidFiles: [] };
const run = (i: number, ok: boolean): RunRecord => ({ time: `2026-11-22T0${i}:00:00.000Z`, job: "backup", agent: "wren", ok, exitCode: ok ? 0 : 10, durationMs: 5 });

test("status lists the newest runs first, as many as asked, and counts failures in a row", () => {
  const runs = [run(1, true), run(2, false), run(3, false), run(4, false)];
  const now = Date.parse("2026-11-22T05:00:00Z");
  const s = buildStatus({ agents: [agent], location: "/r", repo: { error: "gone" }, runs, ledger: { version: 1, alerts: {} }, drift: {}, now }, 2);
  assert.deepEqual(s.recentRuns.map((r) => r.time), [runs[3]!.time, runs[2]!.time]);
  assert.equal(s.agents[0]!.failuresInRow, 3);
  assert.equal(s.agents[0]!.freshness, null, "no freshness without the repository");
  assert.equal(s.repository.error, "gone");
  assert.deepEqual(buildStatus({ agents: [agent], location: "/r", repo: { error: "x" }, runs, ledger: { version: 1, alerts: {} }, drift: {}, now }, 0).recentRuns, []);
});

test("status takes the next run from the schedule when there is one", () => {
  const next = new Date("2026-11-22T06:00:00Z");
  const s = buildStatus({ agents: [agent], location: "/r", repo: { snapshots: [], packBytes: 0, drills: new Map() }, runs: [], ledger: { version: 1, alerts: {} }, drift: {}, now: 0, nextRun: () => next });
  assert.equal(s.agents[0]!.nextRun, next.toISOString());
  assert.equal(s.agents[0]!.freshness?.state, "none");
});
