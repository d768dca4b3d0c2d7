/**
 * @module test/e2e/drill.test
 * Issue 9, "Drill": `lifeboat drill` restores an agent's snapshot into a sandbox, proves every
 * item and the preset's health check, records the result, and leaves the live agent and its
 * databases untouched. A damaged pack fails the drill (exit 5) with the item named and a
 * drill_failed alert; `--from-scratch` passes with only the repository and the password; the
 * PostgreSQL memory is proven in a scratch database that is dropped afterwards.
 */
import assert from "node:assert/strict";
import { mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createLocalBackend } from "../../src/backends/local/index.ts";
import { openRepository } from "../../src/repository/open.ts";
import { clawdie, openclawFiles, type ClawdieFixture } from "../../src/testing/fixtures/index.ts";
import { createAgentWorld, pgSkip, pgState, psql, treeState, type AgentWorld } from "./agent-helpers.ts";
import { findSnapshot } from "../../src/repository/snapshots.ts";
import { findNode } from "../../src/restore/stream.ts";
import { assertNoStackTrace, flipByte, packPath } from "./helpers.ts";

interface DrillDoc {
  ok: boolean;
  drills: { agent: string; ok: boolean; from_scratch: boolean; recovery_ms: number; sandbox: string | null; error?: string;
    items: { name: string; ok: boolean; ms: number; checks: string[]; restored_to: string; error?: string }[];
    health: { check: string; ok: boolean; detail: string }[]; warnings: string[] }[];
}

const doc = (stdout: string) => JSON.parse(stdout.trim().split("\n").at(-1)!) as DrillDoc;
const SECRET = "AAE-fixture-token";

async function allText(dir: string): Promise<string> {
  let out = "";
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out += await readFile(join(e.parentPath, e.name), "latin1");
  }
  return out;
}

describe("lifeboat drill on an OpenClaw agent", { timeout: 300_000 }, () => {
  let w: AgentWorld;
  let root: string;
  let sandboxes: string;

  before(async () => {
    w = await createAgentWorld();
    root = join(w.home, ".openclaw");
    await openclawFiles(root, { home: w.home });
    await w.writeConfig([{ name: "wren", preset: "openclaw", root }]);
    await w.ok(["backup"]);
    sandboxes = join(w.dir, "sandboxes");
    await mkdir(sandboxes);
  });
  after(() => w?.cleanup());

  it("proves every item and the preset's health, records the result, and touches nothing live", async () => {
    const live = await treeState(root);
    const res = await w.ok(["--json", "drill", "--sandbox", sandboxes]);
    const d = doc(res.stdout).drills[0]!;
    assert.equal(d.ok, true, JSON.stringify(d.items.filter((i) => !i.ok)));
    assert.ok(d.items.length > 5 && d.items.every((i) => i.ok && i.checks.length > 0));
    assert.ok(d.items.some((i) => i.restored_to === "memory"), "secrets are proven in memory");
    assert.ok(d.health.some((h) => h.check === "sessions" && h.ok), JSON.stringify(d.health));
    assert.ok(d.health.some((h) => h.check === "preset" && h.ok));
    assert.ok(d.recovery_ms > 0);
    assert.deepEqual(await readdir(sandboxes), [], "the sandbox is removed");
    assert.deepEqual(await treeState(root), live, "the live agent is untouched");
    const status = JSON.parse((await w.ok(["status", "--json"])).stdout) as { agents: { drill: { ok: boolean; recovery_ms: number } | null }[] };
    assert.equal(status.agents[0]!.drill?.ok, true);
    assert.match((await w.ok(["status"])).stdout, /ok \d/);
  });

  it("--keep leaves the sandbox: files identical to the live agent, secrets never written", async () => {
    const res = await w.ok(["--json", "drill", "--keep", "--sandbox", sandboxes]);
    const kept = doc(res.stdout).drills[0]!.sandbox!;
    assert.ok(kept.startsWith(sandboxes));
    const restored = join(kept, "root");
    assert.equal(await readFile(join(restored, "workspace", "SOUL.md"), "utf8"), await readFile(join(root, "workspace", "SOUL.md"), "utf8"));
    assert.ok(!(await allText(kept)).includes(SECRET), "no secret value in the sandbox");
    assert.ok((await readFile(join(root, ".env"), "utf8")).includes(SECRET), "the fixture's secret is what was searched for");
  });

  it("a damaged pack fails the drill with exit 5, names the item, and raises drill_failed", async () => {
    const repo = await openRepository(createLocalBackend(w.repo), w.password, { cacheDir: null });
    let pack: string;
    let at: number;
    try {
      // A byte inside SOUL.md's own blob: the workspace item, and only it, is damaged.
      await repo.loadIndex();
      const soul = (await findNode(repo, (await findSnapshot(repo, "latest")).tree, "workspace/workspace/SOUL.md"))!;
      const loc = repo.index.get(soul.content![0]!)!;
      pack = loc.packId;
      at = loc.offset + 8;
    } finally {
      await repo.close();
    }
    await flipByte(packPath(w.repo, pack), at);
    try {
      const res = await w.cli(["drill"]);
      assert.equal(res.code, 5, res.stderr);
      assertNoStackTrace(res.stderr);
      assert.match(res.stderr, /drill of wren failed: item workspace: \/workspace\/SOUL\.md: pack [0-9a-f]{64}: blob [0-9a-f]{8} is damaged/);
      assert.match(res.stdout, /FAIL workspace /);
      const failed = res.stdout.split("\n").filter((l) => /^\s+FAIL (?!health)/.test(l));
      assert.equal(failed.length, 1, `only the damaged item fails; the others are still proven:\n${res.stdout}`);
      const status = JSON.parse((await w.ok(["status", "--json"])).stdout) as { agents: { drill: { ok: boolean } | null; open_alerts: { event: string }[] }[] };
      assert.equal(status.agents[0]!.drill?.ok, false);
      assert.ok(status.agents[0]!.open_alerts.some((a) => a.event === "drill_failed"));
    } finally {
      await flipByte(packPath(w.repo, pack), at);
    }
    await w.ok(["drill"]);
    const status = JSON.parse((await w.ok(["status", "--json"])).stdout) as { agents: { open_alerts: { event: string }[] }[] };
    assert.ok(!status.agents[0]!.open_alerts.some((a) => a.event === "drill_failed"), "a passing drill resolves the alert");
  });

  it("--snapshot needs exactly one --agent", async () => {
    const res = await w.cli(["drill", "--snapshot", "latest"]);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /--snapshot needs exactly one --agent/);
  });
});

const skip = await pgSkip();

describe("lifeboat drill on a clawdie agent with PostgreSQL memory", { skip, timeout: 300_000 }, () => {
  let w: AgentWorld;
  let fx: ClawdieFixture;
  const scratch = () => psql("postgres", "SELECT datname FROM pg_database WHERE datname LIKE 'lifeboat_drill_%'");

  before(async () => {
    w = await createAgentWorld();
    const root = join(w.home, "clawdie-ai");
    fx = await clawdie(root, { home: w.home });
    await w.writeConfig([{ name: "clawdie", preset: "clawdie", root, items: [{ name: "memory-db", kind: "postgres", database: fx.databases.memory, env: fx.pgEnv }] }]);
    await w.ok(["backup"]);
  });
  after(async () => {
    await fx?.cleanup();
    await w?.cleanup();
  });

  it("loads the dump into a scratch database, proves it, and drops it; the live database is untouched", async () => {
    const before = await scratch();
    const live = await pgState(fx.databases.memory);
    const d = doc((await w.ok(["--json", "drill"])).stdout).drills[0]!;
    const mem = d.items.find((i) => i.name === "memory-db")!;
    assert.equal(mem.ok, true, mem.error);
    assert.match(mem.restored_to, /^postgres:lifeboat_drill_[0-9a-f]{6}_memory_db$/);
    assert.ok(mem.checks.some((c) => /row counts and checksums of \d+ table/.test(c)));
    assert.ok(d.health.some((h) => h.check === "store" && h.ok), JSON.stringify(d.health));
    assert.equal(await scratch(), before, "the scratch database is dropped");
    assert.deepEqual(await pgState(fx.databases.memory), live);
  });

  it("--from-scratch passes with only the repository location and password, and is recorded as such", async () => {
    const res = await w.ok(["--json", "drill", "--from-scratch"]);
    const d = doc(res.stdout).drills[0]!;
    assert.equal(d.ok, true, d.error);
    assert.equal(d.from_scratch, true);
    const status = JSON.parse((await w.ok(["status", "--json"])).stdout) as { agents: { drill: { from_scratch: boolean } | null }[] };
    assert.equal(status.agents[0]!.drill?.from_scratch, true);
  });
});
