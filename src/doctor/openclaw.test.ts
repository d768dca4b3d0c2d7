/**
 * @module doctor/openclaw.test
 * A stale BOOTSTRAP.md beside a filled MEMORY.md warns; a scheduled job failing three or
 * more times in a row is an error naming the job (the fixture's daily-backup has 11).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { openclawFiles } from "../testing/fixtures/index.ts";
import { checkBootstrap, checkCron, isFilled } from "./openclaw.ts";
import { customAgent, presetAgent, tempDir } from "./_testkit.ts";

test("cron: the fixture's daily-backup (11 failures in a row) is an error naming the job", async () => {
  const t = await tempDir("cron");
  try {
    const fx = await openclawFiles(join(t.dir, ".openclaw"));
    const found = await checkCron(await presetAgent("wren", "openclaw", fx.root));
    assert.equal(found.length, 1, JSON.stringify(found));
    const f = found[0]!;
    assert.deepEqual([f.level, f.check, f.agent], ["error", "cron", "wren"]);
    assert.match(f.message, /job "daily-backup" failed 11 times in a row \(last error: tar: Cannot open/);
    assert.match(f.fix ?? "", /cron\/runs\/[0-9a-f-]+\.jsonl/);
  } finally {
    await t.cleanup();
  }
});

test("cron: two failures warn, a disabled job and a healthy one say nothing, no store no finding", async () => {
  const t = await tempDir("cron");
  try {
    const agent = customAgent("a", t.dir, []);
    assert.deepEqual(await checkCron(agent), []);
    await mkdir(join(t.dir, "cron"));
    const jobs = [
      { id: "1", name: "brief", enabled: true, state: { consecutiveErrors: 2 } },
      { id: "2", name: "old", enabled: false, state: { consecutiveErrors: 40 } },
      { id: "3", name: "fine", state: { consecutiveErrors: 0 } },
      { jobId: "4", name: "legacy" },
    ];
    await writeFile(join(t.dir, "cron", "jobs.json"), JSON.stringify({ version: 1, jobs }));
    const found = await checkCron(agent);
    assert.deepEqual(found.map((f) => [f.level, f.message]), [["warn", 'job "brief" failed 2 times in a row']]);
    await writeFile(join(t.dir, "cron", "jobs.json"), JSON.stringify({ version: 1, jobs: jobs.slice(2) }));
    assert.deepEqual((await checkCron(agent)).map((f) => [f.level, f.message]), [["ok", "2 scheduled job(s) in cron/jobs.json, none failing"]]);
    await writeFile(join(t.dir, "cron", "jobs.json"), "{ jobs: [");
    assert.equal((await checkCron(agent))[0]?.level, "warn");
  } finally {
    await t.cleanup();
  }
});

test("bootstrap: a stale BOOTSTRAP.md beside a filled MEMORY.md warns, in the workspace item's folder", async () => {
  const t = await tempDir("bootstrap");
  try {
    const fx = await openclawFiles(join(t.dir, ".openclaw"));
    const ws = fx.workspaces.main!;
    const agent = await presetAgent("wren", "openclaw", fx.root);
    assert.deepEqual((await checkBootstrap(agent)).map((f) => f.level), ["ok"]);
    await writeFile(join(ws, "BOOTSTRAP.md"), "# BOOTSTRAP.md - Hello, World\n\nYou just woke up. Time to figure out who you are.\n");
    const found = await checkBootstrap(agent);
    assert.equal(found.length, 1);
    assert.deepEqual([found[0]!.level, found[0]!.check, found[0]!.agent], ["warn", "bootstrap", "wren"]);
    assert.match(found[0]!.message, new RegExp(`BOOTSTRAP\\.md is still in ${ws}, beside a filled MEMORY\\.md`));
    assert.match(found[0]!.fix ?? "", /delete BOOTSTRAP\.md/);
  } finally {
    await t.cleanup();
  }
});

test("bootstrap: a fresh workspace (empty MEMORY.md template) is fine; no MEMORY.md, no finding", async () => {
  const t = await tempDir("bootstrap");
  try {
    const agent = customAgent("a", t.dir, []);
    await writeFile(join(t.dir, "BOOTSTRAP.md"), "# BOOTSTRAP.md\n");
    assert.deepEqual(await checkBootstrap(agent), []);
    await writeFile(join(t.dir, "MEMORY.md"), "# MEMORY.md\n\n<!-- long-term memory goes here -->\n");
    assert.deepEqual((await checkBootstrap(agent)).map((f) => f.level), ["ok"]);
  } finally {
    await t.cleanup();
  }
});

test("isFilled: content beyond headings and comments", () => {
  assert.equal(isFilled("# MEMORY.md\n\n## People\n"), false);
  assert.equal(isFilled("<!--\nnotes\n-->\n"), false);
  assert.equal(isFilled("# MEMORY.md\r\n- likes tea\r\n"), true);
});
