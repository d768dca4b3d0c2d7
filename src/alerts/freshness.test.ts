/**
 * @module alerts/freshness.test
 * Grading an agent's backups by age from hand-made snapshots: ok, warn past 2× the
 * interval, critical past 4×, none without any; per-item limits; an item that stopped
 * being captured ages from the last snapshot that holds it; optional items never captured
 * are shown but do not escalate; pre-restore safety snapshots are not backups; any order.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { AgentConfig, Item, ItemManifest } from "../model/agent.ts";
import type { Snapshot } from "../model/index.ts";
import { PRE_RESTORE_TAG } from "../restore/safety.ts";
import { evaluateFreshness, stateOf, worst } from "./freshness.ts";

const MIN = 60_000;
const HOUR = 60 * MIN;
const NOW = Date.parse("2026-11-20T12:00:00.000Z");

function files(name: string, extra: Partial<Item> = {}): Item {
  return { name, kind: "files", class: "memory", path: `/agents/wren/${name}`, ...extra } as Item;
}

function agent(items: Item[] = [files("workspace")], extra: Partial<AgentConfig> = {}): AgentConfig {
  return { name: "wren", preset: "openclaw", root: "/agents/wren", items, skip: [], hooks: {}, pidFiles: [], ...extra };
}

let seq = 0;
/** snap is a snapshot of `agentName` taken `ageMs` before NOW, holding `items`. */
function snap(ageMs: number, items: string[], o: { agent?: string; tags?: string[] } = {}): Snapshot {
  const name = o.agent ?? "wren";
  const time = new Date(NOW - ageMs).toISOString();
  const manifestItems: ItemManifest[] = items.map((n) => ({ name: n, kind: "files", class: "memory", source: `/agents/${name}/${n}`, secret: false, files: 1, bytes: 1, sha256: {} }));
  return {
    id: `${(++seq).toString(16).padStart(8, "0")}${"0".repeat(56)}`,
    time, host: "h", username: "u", paths: [`/agents/${name}`], tags: o.tags ?? [`agent:${name}`], tree: "ab".repeat(32),
    agent: name, toolVersion: "0.1.0", chunkers: {},
    manifest: { version: 1, agent: name, preset: "openclaw", root: `/agents/${name}`, host: "h", time, items: manifestItems, skipped: [], notCovered: [] },
    summary: { files: 0, dirs: 0, bytes: 0, filesNew: 0, filesChanged: 0, filesUnmodified: 0, blobsNew: 0, bytesNew: 0, bytesStored: 0, errors: 0, durationMs: 0 },
  };
}

test("stateOf: ok up to warn, warn up to critical, critical beyond, none without an age", () => {
  const l = { warnMs: 2 * HOUR, criticalMs: 4 * HOUR };
  assert.equal(stateOf(0, l), "ok");
  assert.equal(stateOf(2 * HOUR, l), "ok");
  assert.equal(stateOf(2 * HOUR + 1, l), "warn");
  assert.equal(stateOf(4 * HOUR, l), "warn");
  assert.equal(stateOf(4 * HOUR + 1, l), "critical");
  assert.equal(stateOf(null, l), "none");
});

test("worst ranks none above critical above warn above ok", () => {
  assert.equal(worst([]), "ok");
  assert.equal(worst(["ok", "warn", "ok"]), "warn");
  assert.equal(worst(["critical", "warn"]), "critical");
  assert.equal(worst(["critical", "none", "ok"]), "none");
});

test("with the default hourly interval: ok, warn past 2h, critical past 4h", () => {
  const cases: [number, string][] = [[30 * MIN, "ok"], [2 * HOUR, "ok"], [2 * HOUR + MIN, "warn"], [4 * HOUR, "warn"], [4 * HOUR + MIN, "critical"], [30 * HOUR, "critical"]];
  for (const [age, want] of cases) {
    const sn = snap(age, ["workspace"]);
    const f = evaluateFreshness(agent(), [sn], NOW);
    assert.equal(f.state, want, `age ${age / MIN} min`);
    assert.equal(f.ageMs, age);
    assert.deepEqual(f.newest, { id: sn.id, time: sn.time });
    assert.deepEqual(f.limits, { intervalMs: HOUR, warnMs: 2 * HOUR, criticalMs: 4 * HOUR, items: {} });
    assert.deepEqual(f.items, [{ item: "workspace", time: sn.time, ageMs: age, state: want }]);
  }
});

test("no snapshot at all is none, for the agent and every item", () => {
  const f = evaluateFreshness(agent([files("workspace"), files("notes")]), [], NOW);
  assert.equal(f.state, "none");
  assert.equal(f.newest, null);
  assert.equal(f.ageMs, null);
  assert.deepEqual(f.items.map((i) => [i.item, i.time, i.ageMs, i.state]), [["workspace", null, null, "none"], ["notes", null, null, "none"]]);
});

test("the configured interval and limits replace the defaults", () => {
  const daily = agent(undefined, { freshness: { intervalMs: 24 * HOUR, warnMs: 48 * HOUR, criticalMs: 96 * HOUR, items: {} } });
  assert.equal(evaluateFreshness(daily, [snap(30 * HOUR, ["workspace"])], NOW).state, "ok");
  assert.equal(evaluateFreshness(daily, [snap(50 * HOUR, ["workspace"])], NOW).state, "warn");
  assert.equal(evaluateFreshness(daily, [snap(97 * HOUR, ["workspace"])], NOW).state, "critical");
});

test("per-item limits apply to that item only", () => {
  const a = agent([files("workspace"), files("archive")], {
    freshness: { intervalMs: HOUR, warnMs: 2 * HOUR, criticalMs: 4 * HOUR, items: { archive: { warnMs: 24 * HOUR, criticalMs: 48 * HOUR } } },
  });
  // The archive is captured once a day; the workspace every hour.
  const snaps = [snap(20 * HOUR, ["workspace", "archive"]), snap(30 * MIN, ["workspace"])];
  const f = evaluateFreshness(a, snaps, NOW);
  assert.equal(f.state, "ok");
  assert.deepEqual(f.items.map((i) => [i.item, i.ageMs, i.state]), [["workspace", 30 * MIN, "ok"], ["archive", 20 * HOUR, "ok"]]);

  // Past the item's own warn limit it warns, though the agent itself is fresh.
  const late = evaluateFreshness(a, [snap(30 * HOUR, ["workspace", "archive"]), snap(30 * MIN, ["workspace"])], NOW);
  assert.equal(late.items[1]!.state, "warn");
  assert.equal(late.state, "warn");
  // Without the override the same archive would be critical.
  const plain = evaluateFreshness(agent([files("workspace"), files("archive")]), snaps, NOW);
  assert.equal(plain.items[1]!.state, "critical");
  assert.equal(plain.state, "critical");
});

test("an item missing from the newest snapshots is as old as the last snapshot that has it", () => {
  const a = agent([files("workspace"), { name: "memory-db", kind: "postgres", class: "database", database: "memory" }]);
  const holds = snap(5 * HOUR, ["workspace", "memory-db"]);
  const snaps = [snap(9 * HOUR, ["workspace", "memory-db"]), holds, snap(3 * HOUR, ["workspace"]), snap(10 * MIN, ["workspace"])];
  const f = evaluateFreshness(a, snaps, NOW);
  assert.equal(f.ageMs, 10 * MIN, "the agent itself looks fresh");
  const db = f.items.find((i) => i.item === "memory-db")!;
  assert.deepEqual(db, { item: "memory-db", time: holds.time, ageMs: 5 * HOUR, state: "critical" });
  assert.equal(f.state, "critical", "a database that quietly stopped being captured shows");
});

test("a required item never captured is critical once the agent has snapshots", () => {
  const f = evaluateFreshness(agent([files("workspace"), files("notes", { required: true })]), [snap(10 * MIN, ["workspace"])], NOW);
  assert.deepEqual(f.items.find((i) => i.item === "notes"), { item: "notes", time: null, ageMs: null, state: "none" });
  assert.equal(f.state, "critical");
});

test("optional items never captured are shown but do not escalate", () => {
  const a = agent([files("workspace"), { name: "legacy-db", kind: "postgres", class: "database", database: "legacy", required: false }]);
  const f = evaluateFreshness(a, [snap(10 * MIN, ["workspace"])], NOW);
  assert.equal(f.state, "ok");
  assert.deepEqual(f.items.find((i) => i.item === "legacy-db"), { item: "legacy-db", time: null, ageMs: null, state: "none" });
});

test("items skipped by the config are not graded", () => {
  const a = agent([files("workspace"), files("search-index", { regenerable: true })], { skip: ["search-index"] });
  const f = evaluateFreshness(a, [snap(10 * MIN, ["workspace"])], NOW);
  assert.deepEqual(f.items.map((i) => i.item), ["workspace"]);
  assert.equal(f.state, "ok");
});

test("pre-restore safety snapshots and other agents' snapshots do not count as backups", () => {
  const real = snap(5 * HOUR, ["workspace"]);
  const snaps = [
    real,
    snap(1 * MIN, ["workspace"], { tags: ["agent:wren", PRE_RESTORE_TAG] }),
    snap(2 * MIN, ["workspace"], { agent: "heron" }),
  ];
  const f = evaluateFreshness(agent(), snaps, NOW);
  assert.deepEqual(f.newest, { id: real.id, time: real.time });
  assert.equal(f.ageMs, 5 * HOUR);
  assert.equal(f.state, "critical");
  assert.equal(f.items[0]!.time, real.time, "an item is not made fresh by a safety snapshot either");

  const onlySafety = evaluateFreshness(agent(), [snap(MIN, ["workspace"], { tags: [PRE_RESTORE_TAG] })], NOW);
  assert.equal(onlySafety.state, "none");
  assert.equal(onlySafety.newest, null);
});

test("snapshots in any order give the same answer, and the input is not reordered", () => {
  const a = agent([files("workspace"), files("notes")]);
  const sorted = [snap(6 * HOUR, ["workspace", "notes"]), snap(3 * HOUR, ["workspace", "notes"]), snap(90 * MIN, ["workspace"])];
  const shuffled = [sorted[1]!, sorted[2]!, sorted[0]!];
  const before = shuffled.map((s) => s.id);
  const x = evaluateFreshness(a, sorted, NOW);
  const y = evaluateFreshness(a, shuffled, NOW);
  assert.deepEqual(y, x);
  assert.deepEqual(shuffled.map((s) => s.id), before);
  assert.equal(y.newest?.id, sorted[2]!.id);
  assert.equal(y.state, "warn", "the notes item is 3h old");
  assert.deepEqual(y.items.map((i) => [i.item, i.ageMs, i.state]), [["workspace", 90 * MIN, "ok"], ["notes", 3 * HOUR, "warn"]]);
  assert.equal(evaluateFreshness(a, [...sorted].reverse(), NOW).items[1]!.ageMs, 3 * HOUR);
});
