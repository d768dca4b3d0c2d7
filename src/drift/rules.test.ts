/**
 * The per-class rules on sizes and hashes only, and the messages a person reads in an alert:
 * one line naming the file, the sizes and what it is compared with.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { fileStatus, fileViolations, formatSize, tableViolations, type RuleContext, type Sides } from "./rules.ts";
import type { TableEntry } from "./types.ts";

const ctx: RuleContext = { policy: { shrink: 0.3 }, baselineLabel: "2026-11-20, by ana: new tone", latestLabel: "2026-11-21 14:00" };
const e = (size: number, sha = `h${size}`): TableEntry => ({ item: "workspace", rel: "x", sha256: sha, size });
const rules = (path: string, cls: Parameters<typeof fileViolations>[1], s: Sides<TableEntry>, moved = false) =>
  fileViolations(path, cls, s, ctx, moved).map((v) => `${v.rule}/${v.severity}`);

test("status is against the baseline; a file only the newest snapshot had is removed", () => {
  assert.equal(fileStatus({ baseline: e(1), live: e(1) }), "unchanged");
  assert.equal(fileStatus({ baseline: e(1), live: e(2) }), "changed");
  assert.equal(fileStatus({ live: e(2) }), "added");
  assert.equal(fileStatus({ baseline: e(1) }), "removed");
  assert.equal(fileStatus({ latest: e(1) }), "removed");
});

test("identity, config and secrets must match the approved baseline", () => {
  assert.deepEqual(rules("SOUL.md", "identity", { baseline: e(10), live: e(10) }), []);
  assert.deepEqual(rules("SOUL.md", "identity", { baseline: e(10), live: e(11) }), ["identity-unapproved/critical"]);
  assert.deepEqual(rules("SOUL.md", "identity", { baseline: e(10) }), ["identity-unapproved/critical"]);
  assert.deepEqual(rules("ws/BOOTSTRAP.md", "identity", { live: e(10) }), ["identity-unapproved/critical"]);
  assert.deepEqual(rules("ws/BOOTSTRAP.md", "identity", { baseline: e(10) }), [], "deleting BOOTSTRAP.md ends the ritual");
  assert.deepEqual(rules("openclaw.json", "config", { baseline: e(10), live: e(12) }), ["config-unapproved/warning"]);
  assert.deepEqual(rules(".env", "secret", { baseline: e(10), live: e(12) }), ["secret-changed/warning"]);
  // Growth of a curated identity file is not approval: latest does not count for identity.
  assert.deepEqual(rules("SOUL.md", "identity", { baseline: e(10), latest: e(11), live: e(11) }), ["identity-unapproved/critical"]);
  const [v] = fileViolations("SOUL.md", "identity", { baseline: e(10), live: e(11) }, ctx);
  assert.equal(v?.message, "SOUL.md changed since the approved baseline (2026-11-20, by ana: new tone)");
});

test("memory may change and grow but not shrink past the threshold", () => {
  assert.deepEqual(rules("MEMORY.md", "memory", { baseline: e(1000), live: e(5000) }), []);
  assert.deepEqual(rules("MEMORY.md", "memory", { baseline: e(1000), live: e(700) }), [], "exactly 30% is allowed");
  assert.deepEqual(rules("MEMORY.md", "memory", { baseline: e(1000), live: e(699) }), ["memory-shrunk/critical"]);
  assert.deepEqual(rules("MEMORY.md", "memory", { baseline: e(1000) }), ["memory-removed/critical"]);
  assert.deepEqual(rules("MEMORY.md", "memory", { baseline: e(1000) }, true), [], "moved elsewhere intact");
});

test("the reference is the larger of baseline and latest", () => {
  // Grew after approval to 18.2 KiB, truncated since the last backup: shows though live > baseline.
  const s = { baseline: e(2000), latest: e(18_636), live: e(3379) };
  const [v] = fileViolations("MEMORY.md", "memory", s, ctx);
  assert.equal(v?.rule, "memory-shrunk");
  assert.equal(v?.message, "MEMORY.md shrank 82% (18.2 KiB → 3.3 KiB) since the snapshot of 2026-11-21 14:00");
  const [w] = fileViolations("MEMORY.md", "memory", { baseline: e(18_636), latest: e(10_000), live: e(3379) }, ctx);
  assert.match(w?.message ?? "", /since the approved baseline \(2026-11-20, by ana: new tone\)$/);
  // A log created after approval and deleted since the last backup is a loss.
  assert.deepEqual(rules("workspace/memory/2026-11-21.md", "continuity", { latest: e(500) }), ["continuity-removed/critical"]);
});

test("continuity: shrinking warns, deletion is critical; other never breaks a rule", () => {
  assert.deepEqual(rules("s/a.jsonl", "continuity", { baseline: e(1000), live: e(100) }), ["continuity-shrunk/warning"]);
  assert.deepEqual(rules("s/a.jsonl", "continuity", { baseline: e(1000) }), ["continuity-removed/critical"]);
  assert.deepEqual(rules("skills/x/SKILL.md", "other", { baseline: e(1000) }), []);
  assert.deepEqual(fileViolations("m.md", "memory", { baseline: e(1000), live: e(1) }, { ...ctx, policy: { shrink: 1 } }), []);
});

test("tables: rows falling past the threshold or a table vanishing", () => {
  const t = (s: Sides<number>) => tableViolations("messages-db", "messages", s, ctx).map((v) => v.message);
  assert.deepEqual(t({ baseline: 100, live: 120 }), []);
  assert.deepEqual(t({ baseline: 100, live: 70 }), []);
  assert.deepEqual(t({ baseline: 100, latest: 200, live: 120 }), ["messages-db: table messages lost 40% of its rows (200 rows → 120 rows) since the snapshot of 2026-11-21 14:00"]);
  assert.deepEqual(t({ baseline: 100 }), ["messages-db: table messages is gone (100 rows in the approved baseline (2026-11-20, by ana: new tone))"]);
  assert.deepEqual(t({ baseline: 0 }), [], "an empty table that vanished lost nothing");
  assert.deepEqual(t({ live: 5 }), [], "a new table");
});

test("formatSize", () => {
  assert.equal(formatSize(512), "512 B");
  assert.equal(formatSize(18_636), "18.2 KiB");
  assert.equal(formatSize(3 * 1024 * 1024), "3.0 MiB");
});
