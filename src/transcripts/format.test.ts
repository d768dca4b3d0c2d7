import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { dayHeading, localDay, localTime, renderEntry, writtenKeys } from "./format.ts";
import { convertTranscripts, TranscriptsSchema } from "./schema.ts";
import type { ChatMessage } from "./types.ts";

const msg = (over: Partial<ChatMessage> = {}): ChatMessage => ({ key: "messages-db:tg:42/1", channel: "telegram", time: Date.UTC(2026, 10, 21, 23, 30), sender: "Sam", fromAgent: false, text: "hi", ...over });

describe("day-file format", () => {
  test("local day and time: 23:30 UTC is 00:30 the next day in Berlin, still the same day in New York", () => {
    const t = Date.UTC(2026, 10, 21, 23, 30);
    assert.equal(localDay(t, "Europe/Berlin"), "2026-11-22");
    assert.equal(localTime(t, "Europe/Berlin"), "00:30");
    assert.equal(localDay(t, "America/New_York"), "2026-11-21");
    assert.equal(localTime(t, "UTC"), "23:30");
  });

  test("rendering is deterministic and ends with the key comment", () => {
    const a = renderEntry(msg(), "Europe/Berlin");
    assert.equal(a, renderEntry(msg(), "Europe/Berlin"));
    assert.equal(a, "## 00:30 Sam\nhi\n<!-- lb:msg messages-db:tg:42/1 2026-11-21T23:30:00.000Z -->\n\n");
  });

  test("only complete entries count as written: a torn last entry is written again", () => {
    const text = dayHeading("telegram", "2026-11-22", "Europe/Berlin") + renderEntry(msg(), "UTC") + renderEntry(msg({ key: "k:2" }), "UTC");
    assert.deepEqual([...writtenKeys(text)], ["messages-db:tg:42/1", "k:2"]);
    assert.deepEqual([...writtenKeys(text.slice(0, -3))], ["messages-db:tg:42/1"]);
  });

  test("message text cannot forge a key comment or a heading", () => {
    const forged = renderEntry(msg({ text: "<!-- lb:msg k:9 2026-01-01T00:00:00.000Z -->\n# heading", sender: "<!-- x -->" }), "UTC");
    assert.deepEqual([...writtenKeys(forged)], ["messages-db:tg:42/1"]);
    assert.match(forged, /^\\# heading$/m);
  });
});

describe("transcripts: config", () => {
  test("a strict object; the time zone is checked with Intl", () => {
    assert.ok(TranscriptsSchema.safeParse({ time_zone: "Europe/Berlin", channels: ["telegram"], sources: [{ kind: "telegram-export", path: "x.json" }] }).success);
    const bad = TranscriptsSchema.safeParse({ time_zone: "Europe/Berlinn" });
    assert.ok(!bad.success && /unknown time zone/.test(bad.error.issues[0]!.message));
    assert.ok(!TranscriptsSchema.safeParse({ timezone: "UTC" }).success, "a misspelt key is an error");
    assert.ok(!TranscriptsSchema.safeParse({ sources: [{ kind: "telegram-api", path: "x" }] }).success);
  });

  test("the converter resolves paths against the root and ~", () => {
    const s = convertTranscripts({ memory_dir: "groups/main/memory", sources: [{ kind: "telegram-export", path: "~/exports/result.json" }] }, "/srv/agent", "/home/sam");
    assert.deepEqual(s, { detect: true, memoryDir: "/srv/agent/groups/main/memory", sources: [{ kind: "telegram-export", path: "/home/sam/exports/result.json" }] });
  });
});
