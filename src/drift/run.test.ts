import assert from "node:assert/strict";
import { test } from "node:test";
import type { AgentConfig, AgentManifest } from "../model/agent.ts";
import type { Snapshot } from "../model/index.ts";
import { runbookGap } from "./run.ts";

const agent = (names: string[], skip: string[] = []): AgentConfig => ({
  name: "wren", preset: "workspace", root: "/a", skip, hooks: {}, pidFiles: [],
  items: names.map((name) => ({ name, kind: "files", class: "other", path: `/a/${name}` })),
});

const snap = (items: string[], skipped: string[] = []): Snapshot => ({
  time: "2026-11-22T00:00:00Z", host: "h", username: "u", paths: [], tags: [], tree: "t", toolVersion: "0", chunkers: {},
  summary: { files: 0, dirs: 0, bytes: 0, filesNew: 0, filesChanged: 0, filesUnmodified: 0, blobsNew: 0, bytesNew: 0, bytesStored: 0, errors: 0, durationMs: 0 },
  manifest: { version: 1, agent: "wren", preset: "workspace", root: "/a", host: "h", time: "t", notCovered: [],
    items: items.map((name) => ({ name, kind: "files", class: "other", source: "/a", secret: false, files: 0, bytes: 0, sha256: {} })),
    skipped: skipped.map((name) => ({ name, reason: "r" })) } satisfies AgentManifest,
});

test("runbookGap: silent when the newest backup describes the items on disk, skipped ones included", () => {
  assert.equal(runbookGap(agent(["workspace", "index"], ["index"]), snap(["workspace"], ["index"])), null);
  assert.equal(runbookGap(agent(["workspace"]), undefined), null);
});

test("runbookGap: names items new on disk and items no longer configured", () => {
  const gap = runbookGap(agent(["workspace", "messages-db"]), snap(["workspace", "old-db"]));
  assert.ok(gap);
  assert.equal(gap.pattern, "runbook-stale");
  assert.deepEqual(gap.paths, ["messages-db", "old-db"]);
  assert.match(gap.message, /new on disk: messages-db; no longer configured: old-db/);
  assert.match(gap.message, /lifeboat runbook/);
});
