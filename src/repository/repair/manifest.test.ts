/**
 * @module repository/repair/manifest.test
 * repairManifest keeps an agent manifest true to a tree that lost paths: lost files leave
 * their item's sha256 list and counts, a lost folder takes every file under it, an item
 * whose captured file or folder is lost moves to `skipped`, and paths no item claims
 * (RUNBOOK.md) change nothing.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { AgentManifest, ItemManifest } from "../../model/agent.ts";
import { LOST_ITEM_REASON, repairManifest } from "./manifest.ts";

const item = (name: string, sha256: Record<string, string>, bytes = 100): ItemManifest =>
  ({ name, kind: "files", class: "identity", source: `/a/${name}`, secret: false, files: Object.keys(sha256).length, bytes, sha256 });

const manifest: AgentManifest = {
  version: 1, agent: "wren", preset: "workspace", root: "/a", host: "vm", time: "2026-01-01T00:00:00Z",
  items: [item("workspace", { "SOUL.md": "s1", "memory/a.md": "m1", "memory/b.md": "m2", "x.md": "x1" }), item("messages", { "messages.db": "d1" })],
  skipped: [], notCovered: [],
};

test("a lost file leaves its item's list and counts; the input is not changed", () => {
  const out = repairManifest(manifest, [{ path: "/workspace/workspace/x.md", type: "file", size: 30, reason: "lost" }]);
  const ws = out.items.find((i) => i.name === "workspace")!;
  assert.deepEqual(Object.keys(ws.sha256).sort(), ["SOUL.md", "memory/a.md", "memory/b.md"]);
  assert.deepEqual([ws.files, ws.bytes], [3, 70]);
  assert.equal(manifest.items[0]!.files, 4);
  assert.ok("x.md" in manifest.items[0]!.sha256);
});

test("a lost folder takes every file under it", () => {
  const out = repairManifest(manifest, [{ path: "/workspace/workspace/memory", type: "dir", reason: "lost" }]);
  assert.deepEqual(Object.keys(out.items[0]!.sha256).sort(), ["SOUL.md", "x.md"]);
  assert.equal(out.items[0]!.files, 2);
});

test("an item whose captured file is lost is skipped with the reason; RUNBOOK.md changes nothing", () => {
  const out = repairManifest(manifest, [
    { path: "/messages/messages.db", type: "file", size: 10, reason: "lost" },
    { path: "/RUNBOOK.md", type: "file", size: 10, reason: "lost" },
  ]);
  assert.deepEqual(out.items.map((i) => i.name), ["workspace"]);
  assert.deepEqual(out.skipped, [{ name: "messages", reason: LOST_ITEM_REASON }]);
  assert.deepEqual(out.items[0], manifest.items[0]);
});
