/**
 * Known failures by name, from the texts compare read: templates written over curated files,
 * a stale BOOTSTRAP.md, truncated memory, deleted daily logs.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { findPatterns, templateMatch, type PatternFile } from "./patterns.ts";
import type { RuleContext } from "./rules.ts";
import type { TableEntry } from "./types.ts";

const ctx: RuleContext = { policy: { shrink: 0.3 }, baselineLabel: "2026-11-20, by ana", latestLabel: "2026-11-21 14:00" };
const e = (size: number, sha = `h${size}`): TableEntry => ({ item: "workspace", rel: "x", sha256: sha, size });
const size = (s: string) => Buffer.byteLength(s);

function file(path: string, cls: PatternFile["class"], before: string | undefined, after: string | undefined, extra: Partial<PatternFile> = {}): PatternFile {
  const sides = { ...(before !== undefined ? { baseline: e(size(before), `b:${before}`) } : {}), ...(after !== undefined ? { live: e(size(after), `a:${after}`) } : {}) };
  const status = before === undefined ? "added" : after === undefined ? "removed" : before === after ? "unchanged" : "changed";
  return { path, class: cls, status, sides, before, after, moved: false, ...extra };
}

const SOUL = "# SOUL.md - Who You Are\n\nYou are Mira. Be genuinely helpful, not performatively helpful.\n\nDry humour, short answers, never before 7am.\nAsk before sending anything to a group.\n\n## Boundaries\n- Private things stay private.\n- Never post to the family chat without asking.\n";
const SOUL_TEMPLATE = "# SOUL.md - Who You Are\n\n_You're not a chatbot. You're becoming someone._\n\n## Core Truths\n\n**Be genuinely helpful, not performatively helpful.** Skip the filler — just help.\n";

test("a template written over a curated file is template-overwrite", () => {
  const [p] = findPatterns([file("workspace/SOUL.md", "identity", SOUL, SOUL_TEMPLATE)], ctx);
  assert.equal(p?.pattern, "template-overwrite");
  assert.equal(p?.severity, "critical");
  assert.match(p?.message ?? "", /workspace\/SOUL\.md now reads like OpenClaw's SOUL\.md template/);
  assert.deepEqual(p?.paths, ["workspace/SOUL.md"]);
  // Memory overwritten by a template (#70098) counts too.
  assert.equal(findPatterns([file("workspace/MEMORY.md", "memory", "# MEMORY\n\n- Sam likes tea.\n", SOUL_TEMPLATE)], ctx)[0]?.pattern, "template-overwrite");
});

test("template lines the approved version already had are not a match", () => {
  assert.equal(templateMatch(SOUL, `${SOUL}\n- New rule: reply in German.\n`), null);
  assert.equal(templateMatch(SOUL_TEMPLATE, `${SOUL_TEMPLATE}\nMore.\n`), null);
  // Curly quotes, em dashes and emphasis do not hide a template.
  assert.equal(templateMatch("# Me\n", "# IDENTITY.md — Who Am I?\n\n*Fill this in during your first conversation. Make it yours.*\n"), "OpenClaw's IDENTITY.md template");
  assert.equal(templateMatch("# Me\n", "# USER.md – About Your Human\n\n_Learn about the person you’re helping. Update this as you go._\n"), "OpenClaw's USER.md template");
});

test("a sudden rewrite of an identity file is template-overwrite, an edit is not", () => {
  const rewritten = "# Persona\n\nI am a helpful assistant.\nI answer questions.\nI am polite.\n";
  const [p] = findPatterns([file("workspace/SOUL.md", "identity", SOUL, rewritten)], ctx);
  assert.equal(p?.pattern, "template-overwrite");
  assert.match(p?.message ?? "", /was rewritten: 0 of 7 lines of the approved version remain/);
  const edited = SOUL.replace("Dry humour", "Warm humour").replace("7am", "8am");
  assert.deepEqual(findPatterns([file("workspace/SOUL.md", "identity", SOUL, edited)], ctx), []);
  // Under 200 bytes the heuristic says nothing; memory files are not held to it.
  assert.deepEqual(findPatterns([file("workspace/IDENTITY.md", "identity", "# Me\n- Name: Mira\n", rewritten)], ctx), []);
  assert.deepEqual(findPatterns([file("groups/main/CLAUDE.md", "memory", SOUL, rewritten)], ctx), []);
});

test("stale BOOTSTRAP.md beside real memory", () => {
  const memory = file("workspace/MEMORY.md", "memory", "# MEMORY.md\n\n- Sam likes tea.\n", "# MEMORY.md\n\n- Sam likes tea.\n");
  const added = file("workspace/BOOTSTRAP.md", "identity", undefined, "# BOOTSTRAP.md - Hello, World\n");
  const [p] = findPatterns([added, memory], ctx);
  assert.equal(p?.pattern, "stale-bootstrap");
  assert.equal(p?.severity, "critical");
  assert.deepEqual(p?.paths, ["workspace/BOOTSTRAP.md", "workspace/MEMORY.md"]);
  const kept = file("workspace/BOOTSTRAP.md", "identity", "# B\n", "# B\n");
  assert.equal(findPatterns([kept, memory], ctx)[0]?.severity, "warning", "approved but still a risk");
  const empty = file("workspace/MEMORY.md", "memory", "# MEMORY.md\n\n", "# MEMORY.md\n\n");
  assert.deepEqual(findPatterns([added, empty], ctx), [], "a heading is not memory");
  const elsewhere = file("workspace-coder/MEMORY.md", "memory", "- x\n", "- x\n");
  assert.deepEqual(findPatterns([added, elsewhere], ctx), [], "another workspace's memory");
  const gone = file("workspace/BOOTSTRAP.md", "identity", "# B\n", undefined);
  assert.deepEqual(findPatterns([gone, memory], ctx), []);
});

test("memory-truncated: half gone, or down to a heading", () => {
  const big = "- fact\n".repeat(100);
  const half = file("workspace/MEMORY.md", "memory", big, big.slice(0, 350));
  assert.equal(findPatterns([half], ctx)[0]?.pattern, "memory-truncated");
  assert.match(findPatterns([half], ctx)[0]?.message ?? "", /700 B → 350 B \(50% gone\)/);
  assert.deepEqual(findPatterns([file("workspace/MEMORY.md", "memory", big, big.slice(0, 400))], ctx), []);
  const small = "# MEMORY.md\n\n- Sam likes tea and cake.\n- Berlin.\n- 9pm.\n";
  assert.equal(findPatterns([file("workspace/MEMORY.md", "memory", small, "# MEMORY.md\n")], ctx)[0]?.pattern, "memory-truncated");
  assert.deepEqual(findPatterns([file("workspace/notes.md", "memory", big, "")], ctx), [], "only MEMORY.md");
});

test("daily-logs-deleted lists how many and the date range", () => {
  const log = (d: string, extra: Partial<PatternFile> = {}) => file(`workspace/memory/${d}.md`, "continuity", "- did things\n", undefined, extra);
  const [p] = findPatterns([log("2026-04-03"), log("2026-04-01"), log("2026-04-02-trip"), file("workspace/memory/notes.md", "memory", "x", undefined)], ctx);
  assert.equal(p?.pattern, "daily-logs-deleted");
  assert.match(p?.message ?? "", /^3 daily logs deleted \(2026-04-01 … 2026-04-03\)/);
  assert.equal(p?.paths.length, 3);
  assert.match(findPatterns([log("2026-04-05")], ctx)[0]?.message ?? "", /^1 daily log deleted \(2026-04-05\)/);
  assert.deepEqual(findPatterns([log("2026-04-05", { moved: true })], ctx), []);
});
