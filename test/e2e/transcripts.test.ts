/**
 * `lifeboat transcripts sync` through the real CLI, twice, on a NanoClaw v1 and an OpenClaw
 * agent: day files appear in the preset's memory folders, the second run writes nothing and
 * leaves every byte as it was, and --json reports what was written.
 */
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { nanoclawV1, openclawFiles } from "../../src/testing/fixtures/index.ts";
import { hashTree } from "../../src/testing/index.ts";
import { createAgentWorld, type AgentWorld } from "./agent-helpers.ts";

describe("lifeboat transcripts sync", () => {
  let w: AgentWorld;
  let nc: string;
  let oc: string;
  before(async () => {
    w = await createAgentWorld({ init: false });
    nc = join(w.dir, "nanoclaw");
    oc = join(w.dir, "openclaw");
    await nanoclawV1(nc, { home: w.home, messages: 200 });
    await openclawFiles(oc);
    await w.writeConfig([{ name: "andy", preset: "nanoclaw", root: nc }, { name: "wren", preset: "openclaw", root: oc }]);
  });
  after(() => w.cleanup());

  test("first run writes day files, the second changes nothing", async () => {
    const env = { TZ: "Europe/Berlin" };
    const first = JSON.parse((await w.ok(["transcripts", "sync", "--json"], { env })).stdout) as SyncJson;
    assert.equal(first.message_type, "transcripts_sync");
    const andy = first.agents.find((a) => a.agent === "andy")!;
    const wren = first.agents.find((a) => a.agent === "wren")!;
    assert.equal(andy.time_zone, "Europe/Berlin");
    assert.equal(andy.written, 200, "every message of messages.db");
    assert.ok(wren.written > 0);
    assert.deepEqual(andy.sources.map((s) => [s.kind, s.error]), [["messages-db", undefined]]);
    assert.ok(andy.files.some((f) => f.startsWith(join(nc, "groups", "telegram_main", "memory", "telegram-"))), "a registered chat goes to its group");
    assert.ok(wren.files.every((f) => f.startsWith(join(oc, "workspace", "memory"))), "OpenClaw writes to the workspace memory");
    const day = await readFile(join(oc, "workspace", "memory", "telegram-2026-04-17.md"), "utf8");
    assert.match(day, /^# telegram 2026-04-17\n/);

    const trees = async () => [await hashTree(join(nc, "groups")), await hashTree(join(oc, "workspace", "memory"))];
    const before = await trees();
    const second = await w.ok(["transcripts", "sync"], { env });
    assert.match(second.stdout, /andy: 0 new messages/);
    assert.match(second.stdout, /wren: 0 new messages/);
    assert.deepEqual(await trees(), before, "the second run changed nothing");
    assert.deepEqual((await readdir(join(nc, "store"))).filter((n) => n.startsWith("messages.db")), ["messages.db"], "no -wal/-shm left behind");
  });

  test("--agent picks one agent; an unknown one is an error with a hint", async () => {
    const one = JSON.parse((await w.ok(["transcripts", "sync", "--agent", "wren", "--json"])).stdout) as SyncJson;
    assert.deepEqual(one.agents.map((a) => a.agent), ["wren"]);
    const bad = await w.cli(["transcripts", "sync", "--agent", "nobody"]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /no agent nobody/);
  });
});

interface SyncJson {
  message_type: string;
  written: number;
  agents: { agent: string; time_zone: string; written: number; files: string[]; sources: { kind: string; path: string; written: number; error?: string }[] }[];
}
