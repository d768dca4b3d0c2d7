/**
 * Drift end to end on real agent folders (the OpenClaw and NanoClaw fixtures, expanded by
 * their real presets): the live state at the start is the approved baseline, then the
 * failures users reported are reproduced on disk and must show up by name.
 */
import assert from "node:assert/strict";
import { appendFile, mkdtemp, readFile, rm, truncate, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { test, type TestContext } from "node:test";
import { expandAgent } from "../agent/expand.ts";
import type { AgentConfig } from "../model/agent.ts";
import { nanoclawV1, openclawFiles } from "../testing/fixtures/index.ts";
import { compareAgent } from "./compare.ts";
import { livePath, scanLive } from "./live.ts";
import { policyFor } from "./policy.ts";
import type { AgentState, DriftPolicy, DriftReport } from "./types.ts";

interface Setup { agent: AgentConfig; policy: DriftPolicy; baseline: AgentState; content: Map<string, Buffer>; reads: string[] }

async function setup(t: TestContext, preset: "openclaw" | "nanoclaw"): Promise<Setup> {
  const dir = await mkdtemp(join(tmpdir(), "lifeboat-drift-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const root = join(dir, preset === "openclaw" ? ".openclaw" : "nanoclaw");
  if (preset === "openclaw") await openclawFiles(root, { home: dir });
  else await nanoclawV1(root, { home: dir, messages: 300 });
  const agent = await expandAgent({ name: "mira", preset, root }, { home: dir });
  const policy = policyFor(agent);
  const baseline = await scanLive(agent, policy);
  const content = new Map<string, Buffer>();
  for (const p of baseline.files.keys()) content.set(p, await readFile(livePath(p, root)));
  return { agent, policy, baseline, content, reads: [] };
}

async function check(s: Setup, opts: { latest?: AgentState; all?: boolean } = {}): Promise<DriftReport> {
  const live = await scanLive(s.agent, s.policy);
  return compareAgent({
    agent: s.agent, policy: s.policy, baseline: s.baseline, live, latest: opts.latest, all: opts.all,
    baselineLabel: "2026-11-20, by ana", latestLabel: "2026-11-21 14:00",
    readBaseline: async (path) => { s.reads.push(path); return s.content.get(path) ?? null; },
  });
}

const at = (s: Setup, rel: string) => join(s.agent.root, rel);
const rules = (r: DriftReport) => r.files.flatMap((f) => f.violations.map((v) => `${f.path}:${v.rule}`)).concat(r.databases.flatMap((d) => d.violations.map((v) => `${d.item}/${d.table}:${v.rule}`)));
const patterns = (r: DriftReport) => r.patterns.map((p) => p.pattern);

test("an unchanged agent has no drift", async (t) => {
  for (const preset of ["openclaw", "nanoclaw"] as const) {
    const s = await setup(t, preset);
    const r = await check(s);
    assert.equal(r.drift, false, preset);
    assert.deepEqual(r.files, []);
    assert.deepEqual(r.patterns, []);
    assert.equal(r.counts.unchanged, s.baseline.files.size);
    assert.equal(r.counts.changed + r.counts.added + r.counts.removed + r.counts.violations, 0);
    const all = await check(s, { all: true });
    assert.equal(all.files.length, s.baseline.files.size, "--all lists every file");
    assert.deepEqual(all.files.map((f) => f.path), [...all.files.map((f) => f.path)].sort(), "sorted by path");
  }
});

test("an edited SOUL.md is unapproved identity drift, with a diff", async (t) => {
  const s = await setup(t, "openclaw");
  await appendFile(at(s, "workspace/SOUL.md"), "- Always answer in French.\n");
  const r = await check(s);
  assert.equal(r.drift, true);
  assert.deepEqual(rules(r), ["workspace/SOUL.md:identity-unapproved"]);
  const f = r.files[0]!;
  assert.equal(f.status, "changed");
  assert.equal(f.class, "identity");
  assert.equal(f.violations[0]?.severity, "critical");
  assert.match(f.diff ?? "", /^\+- Always answer in French\.$/m);
  assert.deepEqual(r.counts, { unchanged: s.baseline.files.size - 1, changed: 1, added: 0, removed: 0, violations: 1 });
});

test("a changed .env is secret-changed, never diffed, never shown", async (t) => {
  const s = await setup(t, "openclaw");
  const value = "sk-live-SUPERSECRET-4242";
  await writeFile(at(s, ".env"), `TELEGRAM_BOT_TOKEN=${value}\n`);
  await appendFile(at(s, "credentials/telegram-pairing.json"), `\n${value}\n`);
  const r = await check(s, { all: true });
  assert.deepEqual(rules(r), [".env:secret-changed", "credentials/telegram-pairing.json:secret-changed"]);
  const env = r.files.find((f) => f.path === ".env")!;
  assert.equal(env.diff, undefined);
  assert.equal(env.diffHidden, "secret");
  assert.equal(env.before, undefined, "no hash or size of a secret");
  const json = JSON.stringify(r);
  assert.ok(!json.includes(value), "the secret value is not in the report");
  assert.ok(!json.includes("AAE-fixture-token"), "nor the old one");
  assert.deepEqual(s.reads.filter((p) => p === ".env" || p.startsWith("credentials/")), [], "secret content is never read");
});

test("a truncated MEMORY.md is memory-shrunk and memory-truncated", async (t) => {
  const s = await setup(t, "openclaw");
  await writeFile(at(s, "workspace/MEMORY.md"), "# MEMORY.md\n");
  const r = await check(s);
  assert.deepEqual(rules(r), ["workspace/MEMORY.md:memory-shrunk"]);
  assert.deepEqual(patterns(r), ["memory-truncated"]);
  assert.match(r.files[0]!.violations[0]!.message, /^workspace\/MEMORY\.md shrank \d+% \(.* → 12 B\) since the approved baseline \(2026-11-20, by ana\)$/);
  assert.match(r.files[0]!.diff ?? "", /^-## People$/m);
});

test("memory truncated after growing since the approval shows against the newest snapshot", async (t) => {
  const s = await setup(t, "openclaw");
  await appendFile(at(s, "workspace/MEMORY.md"), "- a new fact worth keeping\n".repeat(200));
  const latest = await scanLive(s.agent, s.policy);
  await truncate(at(s, "workspace/MEMORY.md"), s.baseline.files.get("workspace/MEMORY.md")!.size);
  const r = await check(s, { latest });
  assert.equal(r.files.find((f) => f.path === "workspace/MEMORY.md")?.status, "unchanged", "back to the approved bytes");
  assert.deepEqual(rules(r), ["workspace/MEMORY.md:memory-shrunk"]);
  assert.match(r.files[0]!.violations[0]!.message, /since the snapshot of 2026-11-21 14:00$/);
});

test("a deleted daily log is daily-logs-deleted; a moved transcript is not a loss", async (t) => {
  const s = await setup(t, "openclaw");
  await unlink(at(s, "workspace/memory/2026-04-02.md"));
  await unlink(at(s, "workspace/memory/2026-04-05.md"));
  const transcript = [...s.baseline.files.keys()].find((p) => /sessions\/[^/]+-topic-7\.jsonl$/.test(p))!;
  const content = await readFile(at(s, transcript));
  await unlink(at(s, transcript));
  await writeFile(at(s, `${transcript}.reset.2026-11-21T10-00-00.000Z`), content);
  const r = await check(s);
  assert.deepEqual(rules(r), ["workspace/memory/2026-04-02.md:continuity-removed", "workspace/memory/2026-04-05.md:continuity-removed"]);
  assert.deepEqual(patterns(r), ["daily-logs-deleted"]);
  assert.match(r.patterns[0]!.message, /^2 daily logs deleted \(2026-04-02 … 2026-04-05\)/);
  assert.equal(r.counts.removed, 3);
  assert.equal(r.counts.added, 1);
});

test("BOOTSTRAP.md appearing beside real memory is stale-bootstrap", async (t) => {
  const s = await setup(t, "openclaw");
  await writeFile(at(s, "workspace/BOOTSTRAP.md"), "# BOOTSTRAP.md - Hello, World\n\n_You just woke up. Time to figure out who you are._\n");
  const r = await check(s);
  assert.deepEqual(rules(r), ["workspace/BOOTSTRAP.md:identity-unapproved"]);
  assert.deepEqual(patterns(r), ["stale-bootstrap"]);
  assert.equal(r.patterns[0]!.severity, "critical");
});

test("deleted rows are rows-dropped; a busy database is a note, not a loss", async (t) => {
  const s = await setup(t, "nanoclaw");
  const dbPath = join(s.agent.root, "store", "messages.db");
  const db = new DatabaseSync(dbPath);
  t.after(() => db.close());
  db.exec("DELETE FROM messages WHERE rowid % 2 = 0");
  const r = await check(s);
  assert.deepEqual(rules(r), ["messages-db/messages:rows-dropped"]);
  assert.deepEqual(r.databases.map((d) => [d.table, d.before, d.after]), [["messages", 300, 150]]);
  assert.match(r.databases[0]!.violations[0]!.message, /^messages-db: table messages lost 50% of its rows \(300 rows → 150 rows\)/);
  db.exec("BEGIN EXCLUSIVE; DELETE FROM messages;");
  const busy = await check(s);
  db.exec("ROLLBACK");
  assert.deepEqual(rules(busy), []);
  assert.equal(busy.drift, false);
  assert.match(busy.notes?.join("\n") ?? "", /item messages-db: not compared \(cannot read .*database is locked\)/);
});

test("a deleted database is every table gone", async (t) => {
  const s = await setup(t, "nanoclaw");
  await unlink(join(s.agent.root, "store", "messages.db"));
  const r = await check(s);
  assert.ok(rules(r).includes("messages-db/messages:rows-dropped"));
  assert.match(r.databases.find((d) => d.table === "messages")!.violations[0]!.message, /table messages is gone \(300 rows in the approved baseline/);
});

test("ignored paths are dropped and a template over SOUL.md is named", async (t) => {
  const s = await setup(t, "openclaw");
  s.policy = { ...s.policy, ignore: [...s.policy.ignore, "workspace/memory/**"] };
  await unlink(at(s, "workspace/memory/2026-04-03.md"));
  await writeFile(at(s, "workspace/SOUL.md"), "# SOUL.md - Who You Are\n\n_You're not a chatbot. You're becoming someone._\n\n## Core Truths\n\n**Be genuinely helpful, not performatively helpful.**\n");
  const r = await check(s);
  assert.deepEqual(rules(r), ["workspace/SOUL.md:identity-unapproved"]);
  assert.deepEqual(patterns(r), ["template-overwrite"]);
});

test("a deleted workspace is every identity and memory file gone (#84809)", async (t) => {
  const s = await setup(t, "openclaw");
  await rm(at(s, "workspace"), { recursive: true });
  const r = await check(s);
  const found = new Set(rules(r));
  for (const f of ["SOUL.md", "IDENTITY.md", "USER.md", "AGENTS.md", "TOOLS.md"]) assert.ok(found.has(`workspace/${f}:identity-unapproved`), f);
  assert.ok(found.has("workspace/MEMORY.md:memory-removed"));
  assert.ok(patterns(r).includes("daily-logs-deleted"));
  assert.equal(r.files.find((f) => f.path === "workspace/skills/weather/SKILL.md")?.violations.length, 0, "skills are reported, not ruled on");
});
