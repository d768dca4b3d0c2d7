import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { DatabaseSync } from "node:sqlite";
import { AGENT_DIR_WORKSPACE, openclawFiles, openclawSqlite, TEAM } from "../../testing/fixtures/index.ts";
import type { Item } from "../types.ts";
import { openclaw } from "./openclaw.ts";

let tmp: string;
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), "lifeboat-openclaw-"));
});
after(() => rm(tmp, { recursive: true, force: true }));

const byName = (items: Item[]) => new Map(items.map((i) => [i.name, i]));
const shape = (it: Item | undefined) => (it === undefined ? undefined : { kind: it.kind, class: it.class, path: "path" in it ? it.path : undefined });

describe("openclaw files era, one agent (P1)", () => {
  let root: string;
  before(async () => {
    root = join(tmp, "p1", ".openclaw");
    await openclawFiles(root);
  });

  test("detect is confident and says why", async () => {
    const d = await openclaw.detect(root);
    assert.ok(d.confidence >= 0.9, `confidence ${d.confidence}`);
    assert.ok(d.evidence.includes("openclaw.json (JSON5 config)"));
    assert.ok(d.evidence.some((e) => e.startsWith("agents/<id>/ for main")));
  });

  test("items: one class each, absolute paths, secrets apart", async () => {
    const plan = await openclaw.plan(root);
    assert.equal(plan.variant, "files");
    const items = byName(plan.items);
    const expect: Record<string, [Item["kind"], Item["class"], string]> = {
      config: ["files", "config", "openclaw.json"],
      env: ["secret", "secret", ".env"],
      credentials: ["files", "secret", "credentials"],
      cron: ["files", "config", "cron"],
      "agent-main": ["files", "config", "agents/main/agent"],
      "agent-main-auth": ["secret", "secret", "agents/main/agent/auth-profiles.json"],
      "sessions-main": ["files", "transcripts", "agents/main/sessions"],
      "memory-index-main": ["sqlite", "database", "memory/main.sqlite"],
      workspace: ["files", "identity", "workspace"],
      memory: ["files", "memory", "workspace/memory"],
      state: ["files", "state", ""],
    };
    for (const [name, [kind, cls, rel]] of Object.entries(expect)) {
      assert.deepEqual(shape(items.get(name)), { kind, class: cls, path: join(root, rel) }, name);
    }
    assert.equal(plan.items.length, Object.keys(expect).length, [...items.keys()].join(","));
    for (const it of plan.items) assert.match(it.name, /^[a-z0-9][a-z0-9._-]*$/);
  });

  test("the memory index is regenerable and skipped by default", async () => {
    const plan = await openclaw.plan(root);
    assert.deepEqual(plan.skip, ["memory-index-main"]);
    assert.equal(byName(plan.items).get("memory-index-main")?.regenerable, true);
    assert.ok(plan.notCovered.some((n) => n.includes("openclaw memory index --force")));
  });

  test("exclusions carry reasons: volatile, preset-specific, covered by other items", async () => {
    const plan = await openclaw.plan(root);
    const state = plan.excluded.filter((e) => e.item === "state");
    assert.ok(state.some((e) => e.pattern === "**/*.lock" && e.reason.includes("lock")));
    assert.ok(state.some((e) => e.pattern === "telegram/update-offset-*.json"));
    assert.ok(state.some((e) => e.pattern === "workspace" && e.coveredBy === "workspace"));
    assert.ok(state.some((e) => e.pattern === "memory/main.sqlite" && e.coveredBy === "memory-index-main"));
    assert.ok(plan.excluded.some((e) => e.item === "workspace" && e.pattern === "memory" && e.coveredBy === "memory"));
    assert.ok(plan.excluded.some((e) => e.item === "cron" && e.pattern === "runs"));
    // Covered paths and VOLATILE are applied by the files source; `exclude` keeps the preset's own.
    const stateItem = byName(plan.items).get("state");
    assert.ok(stateItem?.kind === "files" && stateItem.exclude?.includes("plugin-skills") && !stateItem.exclude.includes("workspace"));
  });

  test("pid files, path rewrites and what no backup covers", async () => {
    const plan = await openclaw.plan(root);
    assert.ok(plan.pidFiles.includes("agents/*/sessions/*.jsonl.lock"));
    assert.deepEqual(plan.pathRewrites.map((r) => [r.files, r.keys]), [["agents/*/sessions/sessions.json", ["sessionFile"]], ["openclaw.json", ["workspace", "agentDir"]]]);
    assert.ok(plan.notCovered.some((n) => n.includes("Telegram")));
  });
});

describe("openclaw team of 8 (P2)", () => {
  let root: string;
  before(async () => {
    root = join(tmp, "p2");
    await openclawFiles(root, { agents: 8, missingWorkspace: true });
  });

  test("8 workspaces, including the agents/<id>/workspace variant (#11717)", async () => {
    const plan = await openclaw.plan(root);
    const ws = plan.items.filter((i) => i.class === "identity");
    assert.equal(ws.length, 8);
    const items = byName(plan.items);
    assert.equal(shape(items.get("workspace"))?.path, join(root, "workspace"));
    assert.equal(shape(items.get("workspace-coder"))?.path, join(root, "workspace-coder"));
    assert.equal(shape(items.get(`workspace-${AGENT_DIR_WORKSPACE}`))?.path, join(root, "agents", AGENT_DIR_WORKSPACE, "workspace"));
    for (const id of TEAM) {
      assert.ok(items.has(`sessions-${id}`), `sessions-${id}`);
      assert.ok(items.has(`agent-${id}-auth`), `agent-${id}-auth`);
      assert.ok(items.has(id === "main" ? "memory" : `memory-${id}`));
    }
    assert.deepEqual(plan.skip.sort(), ["memory-index-coder", "memory-index-main"]);
  });

  test("an agent without a workspace is a warning, WhatsApp creds are time travel", async () => {
    const plan = await openclaw.plan(root);
    assert.ok(plan.warnings.some((w) => w.startsWith("agent intern: no workspace found")));
    assert.ok(plan.notCovered.some((n) => n.includes("WhatsApp") && n.includes("time travel")));
  });

  test("the keyed agents.entries shape (2026.9) gives the same agents", async () => {
    const r2 = join(tmp, "p2-entries");
    await openclawFiles(r2, { agents: 8, configShape: "entries" });
    const names = (await openclaw.plan(r2)).items.map((i) => i.name).sort();
    const base = (await openclaw.plan(root)).items.map((i) => i.name).filter((n) => !n.startsWith("agent-intern")).sort();
    assert.deepEqual(names, base);
  });
});

describe("openclaw edge cases", () => {
  test("two workspaces for one agent: both backed up, with a warning", async () => {
    const root = join(tmp, "dual");
    await openclawFiles(root);
    await mkdir(join(root, "workspace-main"));
    await writeFile(join(root, "workspace-main", "SOUL.md"), "# stray\n");
    const plan = await openclaw.plan(root);
    assert.deepEqual(plan.items.filter((i) => i.class === "identity").map((i) => i.name), ["workspace", "workspace-2"]);
    assert.ok(plan.warnings.some((w) => w.includes("2 workspaces")));
  });

  test("a broken config falls back to folders; an unknown database gets its own item", async () => {
    const root = join(tmp, "broken");
    await openclawFiles(root);
    await writeFile(join(root, "openclaw.json"), "{ agents: [ ");
    const db = new DatabaseSync(join(root, "lcm.db"));
    db.exec("CREATE TABLE t (x)");
    db.close();
    const plan = await openclaw.plan(root);
    assert.ok(plan.warnings.some((w) => w.startsWith("openclaw.json: not valid JSON5")));
    assert.ok(plan.items.some((i) => i.name === "workspace"));
    assert.deepEqual(shape(plan.items.find((i) => i.name === "sqlite-lcm")), { kind: "sqlite", class: "database", path: join(root, "lcm.db") });
  });

  test("~ in the config resolves against the given home", async () => {
    const home = join(tmp, "tilde-home");
    const root = join(home, ".openclaw");
    await openclawFiles(root, { agents: 8, home });
    assert.match(await readFile(join(root, "openclaw.json"), "utf8"), /workspace: "~\/\.openclaw\/workspace-coder"/);
    const plan = await openclaw.plan(root, { home });
    assert.equal(shape(plan.items.find((i) => i.name === "workspace-coder"))?.path, join(root, "workspace-coder"));
    assert.ok(!plan.warnings.some((w) => w.includes("workspaces (")), "the ~ path and workspace-coder are one folder");
  });

  test("a Clawdbot-era folder is recognised by its legacy config name", async () => {
    const root = join(tmp, "legacy", ".clawdbot");
    await openclawFiles(root);
    await rename(join(root, "openclaw.json"), join(root, "clawdbot.json"));
    const d = await openclaw.detect(root);
    assert.ok(d.evidence.includes("clawdbot.json (Clawdbot-era config)"));
    assert.equal(shape((await openclaw.plan(root)).items.find((i) => i.name === "config"))?.path, join(root, "clawdbot.json"));
  });
});

describe("openclaw SQLite era (P4)", () => {
  test("state and agent databases, no empty agent folder item", async () => {
    const root = join(tmp, "p4");
    await openclawSqlite(root);
    const d = await openclaw.detect(root);
    assert.ok(d.evidence.some((e) => e.startsWith("state/openclaw.sqlite")));
    const plan = await openclaw.plan(root);
    assert.equal(plan.variant, "sqlite");
    const items = byName(plan.items);
    assert.deepEqual(shape(items.get("state-db")), { kind: "sqlite", class: "database", path: join(root, "state", "openclaw.sqlite") });
    assert.deepEqual(shape(items.get("agent-db-main")), { kind: "sqlite", class: "database", path: join(root, "agents", "main", "agent", "openclaw-agent.sqlite") });
    assert.equal(items.get("state-db")?.required, true);
    assert.ok(!items.has("agent-main"));
    assert.ok(items.has("sessions-main"), "leftover JSONL migration sources are kept");
    assert.ok(plan.notCovered.some((n) => n.includes("newer schema")));
  });
});
