/**
 * @module watch/watcher.test
 * What counts as a change: files written in a watched folder (not lifeboat temporaries,
 * VOLATILE runtime files or the item's exclusions), a folder that appears, a row committed
 * to a WAL database, a file replaced by rename. What does not: opening and closing a quiet
 * database (lifeboat's own backup does that), which must never cause a snapshot loop.
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import type { AgentConfig } from "../model/agent.ts";
import { watchTargets } from "./targets.ts";
import { watchFiles } from "./watcher.ts";

let dir: string;
before(async () => { dir = await mkdtemp(join(tmpdir(), "lifeboat-watch-")); });
after(() => rm(dir, { recursive: true, force: true }));

function agentOf(root: string, db: string): AgentConfig {
  return {
    name: "owl", preset: "workspace", root, skip: [], hooks: {}, pidFiles: [],
    items: [
      { kind: "files", name: "workspace", class: "identity", path: root, exclude: ["media/**"] },
      { kind: "sqlite", name: "db", class: "database", path: db },
      { kind: "postgres", name: "pg", class: "database", database: "owl" },
    ],
  };
}

/** session watches `agent` and collects changed paths until stop(). */
async function session(agent: AgentConfig) {
  const found = await watchTargets(agent);
  const seen: string[] = [];
  const ac = new AbortController();
  const done = watchFiles(found.targets, (_i, p) => seen.push(p), { signal: ac.signal, pollMs: 100 });
  await sleep(200);
  return { found, seen, stop: async () => { ac.abort(); await done; } };
}

describe("watchFiles", () => {
  it("reports agent files and database commits, and ignores lifeboat's own traffic", async () => {
    const root = join(dir, "ws");
    const dbDir = join(dir, "store");
    await mkdir(join(root, "media"), { recursive: true });
    await mkdir(dbDir);
    await writeFile(join(root, "MEMORY.md"), "# memory\n");
    const db = join(dbDir, "messages.db");
    const w = new DatabaseSync(db);
    w.exec("PRAGMA journal_mode=WAL; CREATE TABLE m (t TEXT)");
    w.close();
    const s = await session(agentOf(root, db));
    try {
      assert.deepEqual(s.found.unwatched.map((u) => u.item), ["pg"]);
      for (const f of [".lifeboat-state-x.tmp", "gateway.lock", "agent.pid", "media/a.mp3", "x.log"]) await writeFile(join(root, f), "noise");
      await mkdir(join(root, "node_modules", "pkg"), { recursive: true });
      await writeFile(join(root, "node_modules", "pkg", "index.js"), "noise");
      // A quiet database opened and closed read-only, as a backup does: no change.
      const ro = new DatabaseSync(db, { readOnly: true });
      ro.prepare("SELECT count(*) FROM m").get();
      ro.close();
      await sleep(400);
      assert.equal(s.seen.length, 0, `no change expected, got ${s.seen.join(", ")}`);

      await writeFile(join(root, "MEMORY.md"), "# memory\n- new\n");
      await sleep(300);
      assert.ok(s.seen.includes(join(root, "MEMORY.md")), `seen: ${s.seen.join(", ")}`);

      s.seen.length = 0;
      const rw = new DatabaseSync(db);
      rw.exec("INSERT INTO m VALUES ('row')");
      await sleep(400);
      assert.ok(s.seen.includes(db), `a committed row is a change (seen: ${s.seen.join(", ")})`);
      rw.close();

      s.seen.length = 0;
      await writeFile(join(root, ".lifeboat-state-MEMORY.md.tmp"), "replaced");
      await rename(join(root, ".lifeboat-state-MEMORY.md.tmp"), join(root, "SOUL.md"));
      await sleep(300);
      assert.ok(s.seen.includes(join(root, "SOUL.md")), `a file replaced by rename (seen: ${s.seen.join(", ")})`);
    } finally {
      await s.stop();
    }
  });

  it("watches a folder that appears after watching started", async () => {
    const root = join(dir, "later");
    const s = await session(agentOf(root, join(dir, "none.db")));
    try {
      await mkdir(root);
      await sleep(300);
      assert.ok(s.seen.includes(root), "the new folder is a change");
      await writeFile(join(root, "MEMORY.md"), "x");
      await sleep(300);
      assert.ok(s.seen.includes(join(root, "MEMORY.md")));
    } finally {
      await s.stop();
    }
  });
});
