import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { hermes as hermesFixture } from "../../testing/fixtures/index.ts";
import { hermes } from "./hermes.ts";

let tmp: string;
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), "lifeboat-hermes-"));
});
after(() => rm(tmp, { recursive: true, force: true }));

test("hermes: detect and plan ~/.hermes (P8)", async () => {
  const root = join(tmp, ".hermes");
  await hermesFixture(root);
  const d = await hermes.detect(root);
  assert.ok(d.confidence >= 0.9);
  assert.ok(d.evidence.includes("state.db (Hermes session store)"));
  const plan = await hermes.plan(root);
  const got = Object.fromEntries(plan.items.map((i) => [i.name, `${i.kind}/${i.class}`]));
  assert.deepEqual(got, {
    config: "files/config", env: "secret/secret", soul: "files/identity", "agents-md": "files/identity",
    memories: "files/memory", skills: "files/memory", sessions: "files/transcripts", cron: "files/config",
    "mcp-tokens": "files/secret", pairing: "files/config", "state-db": "sqlite/database", "kanban-db": "sqlite/database",
    state: "files/state",
  });
  assert.ok(plan.excluded.some((e) => e.item === "state" && e.pattern === "hermes-agent"));
  assert.ok(plan.excluded.some((e) => e.item === "state" && e.coveredBy === "state-db"));
});
