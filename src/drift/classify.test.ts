/**
 * Which rules a file answers to depends on its class: named identity files, memory, machine
 * churn, secrets that no pattern may declassify, then the capturing item's class.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { AgentConfig, Item, ItemClass } from "../model/agent.ts";
import { classify, dailyLogDate } from "./classify.ts";
import { DEFAULT_IGNORE, policyFor } from "./policy.ts";

const files = (name: string, cls: ItemClass): Item => ({ name, kind: "files", class: cls, path: `/a/${name}` });
const agent = (preset: string): AgentConfig => ({ name: "a", preset, root: "/a", items: [], skip: [], hooks: {}, pidFiles: [] });
const openclaw = policyFor(agent("openclaw"));

test("named identity files are identity; the rest of an identity item is other", () => {
  const ws = files("workspace", "identity");
  for (const p of ["workspace/SOUL.md", "workspace/IDENTITY.md", "workspace/USER.md", "workspace/AGENTS.md", "workspace/TOOLS.md", "workspace/BOOTSTRAP.md", "SOUL.md"]) {
    assert.equal(classify(p, ws, openclaw), "identity", p);
  }
  for (const p of ["workspace/skills/weather/SKILL.md", "workspace/canvas/index.html", "workspace/avatars/me.png", "workspace/TEAM.md", "workspace/HEARTBEAT.md"]) {
    assert.equal(classify(p, ws, openclaw), "other", p);
  }
});

test("memory, daily logs and machine churn", () => {
  const ws = files("workspace", "identity");
  const mem = files("memory", "memory");
  assert.equal(classify("workspace/MEMORY.md", ws, openclaw), "memory");
  assert.equal(classify("workspace/memory.md", ws, openclaw), "memory");
  assert.equal(classify("workspace/memory/2026-04-17.md", mem, openclaw), "continuity");
  assert.equal(classify("workspace/memory/2026-04-17-trip-planning.md", mem, openclaw), "continuity");
  assert.equal(classify("workspace/memory/telegram-2026-04-17.md", mem, openclaw), "memory", "not a daily log: the item's class");
  assert.equal(classify("workspace/memory/.dreams/events.jsonl", mem, openclaw), "continuity");
  assert.equal(classify("workspace/memory/heartbeat-state.json", mem, openclaw), "continuity");
  assert.equal(classify("workspace/SESSION-STATE.md", ws, openclaw), "continuity");
  assert.equal(classify("agents/main/sessions/abc.jsonl", files("sessions-main", "transcripts"), openclaw), "continuity");
});

test("item classes decide the rest", () => {
  assert.equal(classify("openclaw.json", files("config", "config"), openclaw), "config");
  assert.equal(classify("groups/main/CLAUDE.md", files("groups", "memory"), openclaw), "memory");
  assert.equal(classify("extensions/x/package.json", files("state", "state"), openclaw), "continuity");
  assert.equal(classify("notes.txt", files("misc", "other"), openclaw), "other");
});

test("secrets stay secret whatever the name or the config says", () => {
  const creds = files("credentials", "secret");
  assert.equal(classify("credentials/log.jsonl", creds, openclaw), "secret");
  const lax = policyFor(agent("openclaw"), { classes: [{ pattern: "credentials/**", class: "other" }] });
  assert.equal(classify("credentials/telegram-pairing.json", creds, lax), "secret");
  const env: Item = { name: "env", kind: "secret", class: "secret", path: "/a/.env" };
  assert.equal(classify(".env", env, openclaw), "secret");
  // Secret-looking files inside a non-secret item are secret too: they must never be diffed.
  assert.equal(classify("workspace/.env", files("workspace", "identity"), openclaw), "secret");
  assert.equal(classify("agents/main/agent/auth-profiles.json", files("state", "state"), openclaw), "secret");
});

test("config patterns come first, then the preset's, then the built-in names", () => {
  const p = policyFor(agent("hermes"), { classes: [{ pattern: "**/HEARTBEAT.md", class: "identity" }, { pattern: "SOUL.md", class: "memory" }] });
  assert.equal(classify("workspace/HEARTBEAT.md", files("workspace", "identity"), p), "identity");
  assert.equal(classify("SOUL.md", files("soul", "identity"), p), "memory");
  assert.equal(classify("memories/USER.md", files("memories", "memory"), p), "memory", "Hermes: USER.md is written by its memory tool");
  assert.equal(classify("memories/USER.md", files("memories", "memory"), openclaw), "identity", "elsewhere USER.md is identity");
  const nano = policyFor(agent("nanoclaw"));
  assert.equal(classify("groups/main/conversations/2026-04-17-plan.md", files("groups", "memory"), nano), "continuity");
  assert.equal(classify("groups/main/CLAUDE.md", files("groups", "memory"), nano), "memory");
});

test("policy defaults and validation", () => {
  assert.equal(openclaw.shrink, 0.3);
  assert.deepEqual(openclaw.classes, []);
  for (const g of DEFAULT_IGNORE) assert.ok(openclaw.ignore.includes(g));
  assert.deepEqual(policyFor(agent("x"), { ignore: ["**/*.tmp", "**/.git/**"] }).ignore.filter((g) => g === "**/.git/**").length, 1);
  assert.equal(policyFor(agent("x"), { shrink: 0.5 }).shrink, 0.5);
  assert.throws(() => policyFor(agent("x"), { shrink: 1.5 }), RangeError);
  assert.throws(() => policyFor(agent("x"), { shrink: -0.1 }), RangeError);
});

test("dailyLogDate", () => {
  assert.equal(dailyLogDate("workspace/memory/2026-04-17.md"), "2026-04-17");
  assert.equal(dailyLogDate("memory/2026-04-17-trip.md"), "2026-04-17");
  assert.equal(dailyLogDate("workspace/memory/telegram-2026-04-17.md"), null);
  assert.equal(dailyLogDate("workspace/notes/2026-04-17.md"), null);
});
