import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { nanoclawV1, nanoclawV2 } from "../../testing/fixtures/index.ts";
import type { Item } from "../types.ts";
import { nanoclaw } from "./nanoclaw.ts";

let tmp: string;
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), "lifeboat-nanoclaw-"));
});
after(() => rm(tmp, { recursive: true, force: true }));

const shape = (it: Item | undefined) => (it === undefined ? undefined : { kind: it.kind, class: it.class, path: "path" in it ? it.path : undefined });

describe("nanoclaw v1 (P5)", () => {
  let root: string;
  let home: string;
  before(async () => {
    root = join(tmp, "v1", "nanoclaw");
    home = join(tmp, "v1", "home");
    await nanoclawV1(root, { home, messages: 300 });
  });

  test("detect finds the v1 store and group memory", async () => {
    const d = await nanoclaw.detect(root);
    assert.ok(d.confidence >= 0.9);
    assert.ok(d.evidence.includes("store/messages.db (NanoClaw v1 message store)"));
    assert.ok(d.evidence.includes("groups/{global,main,telegram_main}/CLAUDE.md"));
  });

  test("items, including the allowlists under the given home", async () => {
    const plan = await nanoclaw.plan(root, { home });
    assert.equal(plan.variant, "v1");
    const got = Object.fromEntries(plan.items.map((i) => [i.name, shape(i)]));
    assert.deepEqual(got, {
      "messages-db": { kind: "sqlite", class: "database", path: join(root, "store", "messages.db") },
      sessions: { kind: "files", class: "transcripts", path: join(root, "data", "sessions") },
      "whatsapp-auth": { kind: "files", class: "secret", path: join(root, "store", "auth") },
      env: { kind: "secret", class: "secret", path: join(root, ".env") },
      groups: { kind: "files", class: "memory", path: join(root, "groups") },
      "mount-allowlist": { kind: "files", class: "config", path: join(home, ".config", "nanoclaw", "mount-allowlist.json") },
      "sender-allowlist": { kind: "files", class: "config", path: join(home, ".config", "nanoclaw", "sender-allowlist.json") },
    });
    assert.equal(plan.items.find((i) => i.name === "mount-allowlist")?.required, false);
    assert.deepEqual(plan.skip, []);
  });

  test("runtime folders are named as left out, with reasons", async () => {
    const plan = await nanoclaw.plan(root, { home });
    const rootLevel = plan.excluded.filter((e) => e.item === null).map((e) => e.pattern);
    assert.deepEqual(rootLevel.sort(), ["data/env", "data/ipc", "data/registered_groups.json.migrated", "logs", "node_modules"]);
    assert.ok(plan.excluded.some((e) => e.item === "groups" && e.pattern === "**/logs/**"));
    assert.ok(plan.excluded.some((e) => e.item === "sessions" && e.pattern === "*/.claude/debug"));
    assert.ok(plan.notCovered.some((n) => n.includes("WhatsApp auth state")));
  });

  test("a pre-migration database is still NanoClaw v1", async () => {
    const r2 = join(tmp, "v1-old");
    await nanoclawV1(r2, { home, messages: 50, preMigration: true });
    assert.ok((await nanoclaw.detect(r2)).confidence >= 0.9);
  });
});

describe("nanoclaw v2 (P6)", () => {
  test("central database, two databases per session, the v1 store kept", async () => {
    const root = join(tmp, "v2");
    const fx = await nanoclawV2(root, { home: join(tmp, "v2-home") });
    const d = await nanoclaw.detect(root);
    assert.ok(d.evidence.includes("data/v2.db (NanoClaw v2 central database)"));
    const plan = await nanoclaw.plan(root, { home: fx.home });
    assert.equal(plan.variant, "v2");
    const names = plan.items.map((i) => i.name);
    assert.ok(names.includes("central-db") && names.includes("legacy-messages-db") && names.includes("groups"));
    const sessionDbs = plan.items.filter((i) => i.kind === "sqlite" && i.name.startsWith("session-"));
    assert.equal(sessionDbs.length, fx.sessions.length * 2);
    assert.equal(shape(plan.items.find((i) => i.name === `session-ag-main-${fx.sessions[0]}-inbound`))?.path, join(root, "data", "v2-sessions", "ag-main", fx.sessions[0]!, "inbound.db"));
    assert.ok(plan.excluded.some((e) => e.item === "sessions" && e.pattern === "**/.heartbeat"));
    assert.ok(plan.excluded.some((e) => e.item === "sessions" && e.coveredBy === `session-ag-main-${fx.sessions[0]}-outbound`));
  });
});
