/**
 * The live scan must select exactly what a backup captures, or every drift check would
 * report phantom additions and removals: on an unchanged agent, the state read from a real
 * agent snapshot (trees and manifest only) equals the live scan, path for path.
 */
import assert from "node:assert/strict";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { test } from "node:test";
import { expandAgent } from "../agent/expand.ts";
import { backupAgent } from "../backup/agent.ts";
import type { AgentConfig } from "../model/agent.ts";
import { nanoclawV1, openclawFiles } from "../testing/fixtures/index.ts";
import { createTestRepo } from "../testing/repo.ts";
import { scanLive } from "./live.ts";
import { policyFor } from "./policy.ts";
import { readSnapshotFile, stateFromSnapshot } from "./snapshot.ts";
import type { AgentState } from "./types.ts";

/** plain turns a state into comparable data, leaving out the snapshot id live entries lack. */
function plain(s: AgentState) {
  const files = [...s.files].map(([p, e]) => [p, e.item, e.rel, e.sha256, e.size]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  return { files, databases: Object.fromEntries(s.databases) };
}

for (const preset of ["openclaw", "nanoclaw"] as const) {
  test(`${preset}: a snapshot's state equals the live scan of the unchanged agent`, async (t) => {
    const tr = await createTestRepo();
    t.after(() => tr.cleanup());
    const root = join(tr.dir, preset);
    if (preset === "openclaw") await openclawFiles(root, { home: tr.dir });
    else await nanoclawV1(root, { home: tr.dir, messages: 200 });
    const agent = await expandAgent({ name: "mira", preset, root }, { home: tr.dir });
    const { snapshot } = await backupAgent(tr.repo, agent);
    // No ignore: the comparison is of what is selected, before policy drops churn.
    const live = await scanLive(agent, { ...policyFor(agent), ignore: [] });
    const stored = await stateFromSnapshot(tr.repo, snapshot, agent.root);
    assert.ok(live.files.size > 10, `scanned ${live.files.size} files`);
    assert.deepEqual(plain(stored), plain(live));
    assert.deepEqual(live.unread, []);
    for (const e of stored.files.values()) assert.equal(e.snapshot, snapshot.id);
    if (preset === "nanoclaw") assert.equal(stored.databases.get("messages-db")?.messages, 200);
  });
}

test("readSnapshotFile returns verified content of folder and single-file items", async (t) => {
  const tr = await createTestRepo();
  t.after(() => tr.cleanup());
  const root = join(tr.dir, "agent");
  await mkdir(join(root, "workspace", "memory"), { recursive: true });
  await writeFile(join(root, "workspace", "SOUL.md"), "# SOUL\n\nBe kind.\n");
  await writeFile(join(root, "workspace", "memory", "2026-04-01.md"), "- day one\n");
  await writeFile(join(root, "config.json"), '{"a":1}\n');
  const agent: AgentConfig = {
    name: "mira", preset: "custom", root, skip: [], hooks: {}, pidFiles: [],
    items: [
      { name: "workspace", kind: "files", class: "identity", path: join(root, "workspace") },
      { name: "config", kind: "files", class: "config", path: join(root, "config.json") },
    ],
  };
  const { snapshot } = await backupAgent(tr.repo, agent);
  const state = await stateFromSnapshot(tr.repo, snapshot, root);
  assert.deepEqual([...state.files.keys()].sort(), ["config.json", "workspace/SOUL.md", "workspace/memory/2026-04-01.md"]);
  const read = (p: string) => readSnapshotFile(tr.repo, snapshot.tree, state.files.get(p)!, 1024);
  assert.equal((await read("workspace/memory/2026-04-01.md")).toString(), "- day one\n");
  assert.equal((await read("config.json")).toString(), await readFile(join(root, "config.json"), "utf8"));
  const soul = state.files.get("workspace/SOUL.md")!;
  await assert.rejects(readSnapshotFile(tr.repo, snapshot.tree, soul, 4), RangeError);
  await assert.rejects(readSnapshotFile(tr.repo, snapshot.tree, { ...soul, sha256: "0".repeat(64) }, 1024), /does not match its manifest sha256/);
  await assert.rejects(readSnapshotFile(tr.repo, snapshot.tree, { ...soul, rel: "nope.md" }, 1024), /has no file nope\.md/);
  // A snapshot of the same agent under another root still lines up with this one.
  const moved = await stateFromSnapshot(tr.repo, { ...snapshot, manifest: { ...snapshot.manifest!, root } }, join(tr.dir, "elsewhere"));
  assert.deepEqual([...moved.files.keys()].sort(), [...state.files.keys()].sort());
});

test("a WAL database is counted without leaving files beside it, and counts match the snapshot", async (t) => {
  const tr = await createTestRepo();
  t.after(() => tr.cleanup());
  const root = join(tr.dir, "agent");
  await mkdir(join(root, "store"), { recursive: true });
  const dbPath = join(root, "store", "v2.db");
  const w = new DatabaseSync(dbPath);
  w.exec("PRAGMA journal_mode=WAL; CREATE TABLE messages(id INTEGER PRIMARY KEY, text TEXT); INSERT INTO messages(text) VALUES ('a'), ('b'), ('c');");
  w.close(); // the last connection removes -wal and -shm
  const agent: AgentConfig = {
    name: "andy", preset: "custom", root, skip: [], hooks: {}, pidFiles: [],
    items: [{ name: "central-db", kind: "sqlite", class: "database", path: dbPath }],
  };
  const before = (await readdir(join(root, "store"))).sort();
  const live = await scanLive(agent, policyFor(agent));
  assert.deepEqual((await readdir(join(root, "store"))).sort(), before, "no -wal or -shm left behind");
  assert.deepEqual(live.databases.get("central-db"), { messages: 3 });
  const { snapshot } = await backupAgent(tr.repo, agent);
  assert.deepEqual(plain(await stateFromSnapshot(tr.repo, snapshot, root)), plain(live));
  // With a writer holding the database open, its uncheckpointed rows count too.
  const writer = new DatabaseSync(dbPath);
  t.after(() => writer.close());
  writer.exec("INSERT INTO messages(text) VALUES ('d')");
  assert.deepEqual((await scanLive(agent, policyFor(agent))).databases.get("central-db"), { messages: 4 });
});
