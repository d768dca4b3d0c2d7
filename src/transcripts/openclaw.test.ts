import assert from "node:assert/strict";
import { appendFile, copyFile, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { AgentConfig } from "../model/agent.ts";
import { agentSources } from "./detect.ts";
import { assertGolden, countKeys, snapshot, sync, TESTDATA, tempDir } from "./_golden.ts";
import type { TranscriptSource } from "./types.ts";

describe("OpenClaw session transcripts", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let sessions: string;
  let memory: string;
  let torn: string;
  let sources: TranscriptSource[];
  before(async () => {
    ({ dir, cleanup } = await tempDir("openclaw"));
    sessions = join(dir, "agents", "main", "sessions");
    memory = join(dir, "workspace", "memory");
    await mkdir(sessions, { recursive: true });
    await mkdir(join(dir, "workspace"), { recursive: true });
    await writeFile(join(dir, "workspace", "IDENTITY.md"), "# IDENTITY.md\n\n- **Name:** Wren\n- **Emoji:** 🦞\n");
    await writeFile(join(sessions, "sessions.json"), JSON.stringify({
      "agent:main:main": { sessionId: "s-main", sessionFile: join(sessions, "s-main.jsonl"), deliveryContext: { channel: "telegram" }, origin: { provider: "telegram" } },
      "cron:job-1": { sessionId: "s-cron", sessionFile: join(sessions, "s-cron.jsonl"), deliveryContext: { channel: "telegram" } },
    }));
    torn = await readFile(join(TESTDATA, "openclaw-torn-line.txt"), "utf8");
    // The gateway is mid-append: the last line has no newline yet.
    await writeFile(join(sessions, "s-main.jsonl"), (await readFile(join(TESTDATA, "openclaw-session.jsonl"), "utf8")) + torn.slice(0, 90));
    await writeFile(join(sessions, "s-cron.jsonl"), `${JSON.stringify({ type: "message", id: "c1", timestamp: "2026-11-21T03:00:00.000Z", message: { role: "user", content: "Run daily-backup" } })}\n`);
    await writeFile(join(sessions, "s-main.checkpoint.c0ffee.jsonl"), "{\"type\":\"message\",\"id\":\"zz\"}\n");
    const agent: AgentConfig = {
      name: "wren", preset: "openclaw", root: dir, skip: [], hooks: {}, pidFiles: [],
      items: [{ kind: "files", name: "workspace", class: "identity", path: join(dir, "workspace") }, { kind: "files", name: "sessions-main", class: "transcripts", path: sessions }],
    };
    sources = await agentSources(agent);
  });
  after(() => cleanup());

  test("detects the sessions folder and writes to the workspace memory", () => {
    assert.deepEqual(sources.map((s) => [s.kind, s.path, s.memoryDir]), [["openclaw-sessions", sessions, memory]]);
  });

  test("syncs user and assistant text (no tools, no silent replies, no cron prompts) into the golden file", async () => {
    const r = await sync(dir, sources);
    assert.equal(r.sources[0]!.error, undefined);
    assert.equal(r.written, 3);
    await assertGolden(await readFile(join(memory, "telegram-2026-11-21.md"), "utf8"), "openclaw-telegram-2026-11-21.md");
  });

  test("a second run changes nothing; the torn last line is not read yet", async () => {
    const before = await snapshot(memory);
    const r = await sync(dir, sources);
    assert.equal(r.written, 0);
    assert.deepEqual(await snapshot(memory), before);
    assert.deepEqual([...before.keys()], ["telegram-2026-11-21.md"]);
  });

  test("once the line is complete it is read, on its local day (23:30 UTC → the next day in Berlin)", async () => {
    await appendFile(join(sessions, "s-main.jsonl"), `${torn.slice(90)}\n`);
    const r = await sync(dir, sources);
    assert.equal(r.written, 1);
    await assertGolden(await readFile(join(memory, "telegram-2026-11-22.md"), "utf8"), "openclaw-telegram-2026-11-22.md");
  });

  test("a rotated transcript (.reset.<ts>, gone from sessions.json) writes nothing twice", async () => {
    const before = await snapshot(memory);
    await rename(join(sessions, "s-main.jsonl"), join(sessions, "s-main.jsonl.reset.2026-11-22T10-00-00.000Z"));
    await writeFile(join(sessions, "sessions.json"), "{}");
    const r = await sync(dir, sources);
    assert.equal(r.written, 0);
    assert.equal(r.sources[0]!.present, 4);
    assert.deepEqual(await snapshot(memory), before);
  });

  test("a crash between append and cursor save writes nothing twice", async () => {
    const file = join(sessions, "s-new.jsonl");
    // A copy of the session (its header names s-main): its old entries are already written.
    await copyFile(join(TESTDATA, "openclaw-session.jsonl"), file);
    await appendFile(file, `${JSON.stringify({ type: "message", id: "n1", timestamp: "2026-11-22T09:00:00.000Z", message: { role: "user", content: [{ type: "text", text: "New session, new day" }] } })}\n`);
    const crash = await sync(dir, sources, { afterAppend: () => { throw new Error("simulated crash"); } });
    assert.equal(crash.sources[0]!.error, "simulated crash");
    assert.equal(crash.written, 1);
    const again = await sync(dir, sources);
    assert.equal(again.written, 0);
    const text = await readFile(join(memory, "telegram-2026-11-22.md"), "utf8");
    assert.equal(countKeys(text, "openclaw-sessions:s-main/n1"), 1);
  });
});
