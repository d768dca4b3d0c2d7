/**
 * Agent backups capture items at the same time; these tests pin what users depend on
 * despite that: item order in the snapshot is the configured order, an optional item that
 * fails is recorded as skipped, and a required item that fails stops the others at once
 * and leaves no snapshot.
 */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { AgentConfig, Item } from "../model/agent.ts";
import { loadSnapshots } from "../repository/snapshots.ts";
import { createTestRepo } from "../testing/repo.ts";
import { findNode, nodeContent } from "../restore/stream.ts";
import { backupAgent } from "./agent.ts";

function agentWith(root: string, items: Item[]): AgentConfig {
  return { name: "andy", preset: "custom", root, items, skip: [], hooks: {}, pidFiles: [] };
}

const cmd = (name: string, command: string, required = true): Item =>
  ({ name, kind: "command", class: "other", command, filename: `${name}.txt`, required });

test("items are recorded in configured order and a failing optional item is skipped", async (t) => {
  const tr = await createTestRepo();
  t.after(() => tr.cleanup());
  const root = join(tr.dir, "agent");
  mkdirSync(root);
  writeFileSync(join(root, "SOUL.md"), "# soul\n");
  const items: Item[] = [
    cmd("slow", "sleep 0.3; echo slow"),
    { name: "workspace", kind: "files", class: "identity", path: root },
    cmd("broken", "echo oops >&2; exit 3", false),
    cmd("fast", "echo fast"),
  ];
  const res = await backupAgent(tr.repo, agentWith(root, items));
  assert.deepEqual(res.snapshot.manifest?.items.map((m) => m.name), ["slow", "workspace", "fast"]);
  assert.deepEqual(res.snapshot.manifest?.skipped.map((s) => s.name), ["broken"]);
  assert.match(res.snapshot.manifest?.skipped[0]?.reason ?? "", /exited with code 3: oops/);
  const top = (await tr.repo.loadTree(res.snapshot.tree)).nodes.map((n) => n.name);
  // One folder per item, plus the runbook as of this snapshot.
  assert.deepEqual(top.sort(), ["RUNBOOK.md", "fast", "slow", "workspace"]);
  const runbook = await findNode(tr.repo, res.snapshot.tree, "RUNBOOK.md");
  const chunks: Uint8Array[] = [];
  for await (const c of nodeContent(tr.repo, runbook!)) chunks.push(c);
  const text = Buffer.concat(chunks).toString("utf8");
  assert.match(text, /andy/, "the runbook names the agent");
  for (const item of ["slow", "workspace", "fast"]) assert.ok(text.includes(item), `the runbook lists item ${item}`);
});

test("a required item that fails stops the items still running and writes no snapshot", async (t) => {
  const tr = await createTestRepo();
  t.after(() => tr.cleanup());
  const root = join(tr.dir, "agent");
  mkdirSync(root);
  const items: Item[] = [
    cmd("forever", "exec sleep 60"),
    { name: "messages", kind: "sqlite", class: "database", path: join(root, "missing.db") },
  ];
  const started = Date.now();
  await assert.rejects(backupAgent(tr.repo, agentWith(root, items)), /backup of agent andy failed: .*missing\.db does not exist.*no snapshot was written/);
  assert.ok(Date.now() - started < 20_000, `the sleeping item was stopped (took ${Date.now() - started} ms)`);
  assert.equal((await loadSnapshots(tr.repo)).snapshots.length, 0);
});
