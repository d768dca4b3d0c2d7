/**
 * @module doctor/doctor.test
 * The whole run: a healthy agent with a fresh backup gives only ok findings, in order; an
 * invalid config stops the agent checks; a check that throws becomes an error finding
 * naming it, and the other checks still report.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { backupAgent } from "../backup/agent.ts";
import { loadConfig } from "../config/index.ts";
import { createTestRepo, fixtures } from "../testing/index.ts";
import { runDoctor, summarize } from "./doctor.ts";
import { formatFindings } from "./report.ts";
import { contextFor, presetAgent, writeConfig } from "./_testkit.ts";

async function healthy() {
  const tr = await createTestRepo();
  const fx = await fixtures.nanoclawV1(join(tr.dir, "nanoclaw"), { home: join(tr.dir, "home"), messages: 50 });
  const configPath = await writeConfig(tr.dir, `repository: { url: ${tr.path} }\nagents:\n  - { name: andy, preset: nanoclaw, root: ./nanoclaw }\n`);
  await backupAgent(tr.repo, await presetAgent("andy", "nanoclaw", fx.root));
  return { tr, fx, configPath };
}

test("a healthy agent with a fresh backup: every finding ok, in the documented order", async () => {
  const { tr, configPath } = await healthy();
  try {
    const findings = await runDoctor({ ...contextFor({ configPath, repo: tr.path, password: tr.password }), cacheDir: join(tr.dir, "cache") });
    assert.deepEqual(findings.filter((f) => f.level !== "ok"), []);
    assert.deepEqual(findings.map((f) => f.check), ["config", "repository", "items", "freshness", "self-include", "disk"]);
    assert.match(findings[2]!.message, /^\d+ item\(s\) readable/);
    assert.deepEqual(summarize(findings), { ok: true, errors: 0, warnings: 0 });
    assert.match(formatFindings(findings), /^✓ config: .*\n✓ repository: [\s\S]*\nall 6 checks passed$/);
  } finally {
    await tr.cleanup();
  }
});

test("a check that throws is an error finding naming it; the others still report", async () => {
  const { tr, configPath } = await healthy();
  try {
    const now = () => { throw new Error("clock broke"); };
    const findings = await runDoctor(contextFor({ configPath, repo: tr.path, password: tr.password, now }));
    const bad = findings.filter((f) => f.level !== "ok");
    assert.deepEqual(bad.map((f) => [f.check, f.message]), [["freshness", "the freshness check failed: clock broke"]]);
    assert.match(bad[0]!.fix ?? "", /report it as a bug/);
    assert.ok(findings.some((f) => f.check === "items" && f.level === "ok"));
    assert.equal(summarize(findings).ok, false);
  } finally {
    await tr.cleanup();
  }
});

test("an invalid config: its issues only, no agent or repository checks on a half-read file", async () => {
  const tr = await createTestRepo();
  try {
    const configPath = await writeConfig(tr.dir, `repository: { url: ${tr.path} }\nagents:\n  - { name: a, preset: workspace, root: /x, extra: 1 }\n`);
    // As in the CLI: the location comes from the config, so it fails the same way.
    const ctx = { ...contextFor({ configPath, repo: tr.path, password: tr.password }), location: async () => (await loadConfig(configPath)).repository!.url! };
    const findings = await runDoctor(ctx);
    assert.deepEqual(findings.map((f) => [f.level, f.check]), [["error", "config"]]);
    assert.match(findings[0]!.message, /agents\[0\]\.extra: unknown key/);
  } finally {
    await tr.cleanup();
  }
});

test("a missing item and a broken repository: errors with fixes, the verdict counts them", async () => {
  const { tr, fx, configPath } = await healthy();
  try {
    await rm(fx.messagesDb);
    const findings = await runDoctor(contextFor({ configPath, repo: tr.path, password: "wrong" }));
    const bad = findings.filter((f) => f.level !== "ok");
    assert.deepEqual(bad.map((f) => [f.level, f.check]), [["error", "repository"], ["error", "items"]]);
    assert.ok(bad.every((f) => (f.fix ?? "") !== ""));
    assert.match(formatFindings(findings), /✗ items \[andy\]: .*messages\.db does not exist\n {4}fix: .*\n[\s\S]*2 errors$/);
  } finally {
    await tr.cleanup();
  }
});
