/**
 * @module test/e2e/agent-roundtrip.test
 * Issue 3, "Must show" 1 (without PostgreSQL; clawdie is in agent-clawdie.test.ts): one
 * lifeboat.yaml with four agents — OpenClaw files era with one agent, an OpenClaw team of 8,
 * OpenClaw SQLite era, NanoClaw v1 — `agent detect` names each preset, `lifeboat backup`
 * with no paths takes one snapshot per agent, then each agent's tree is wiped (rm -rf) and
 * `lifeboat restore latest --agent NAME` brings it back: every captured file byte-identical
 * (content, mode, mtime), every SQLite database passing integrity_check with identical
 * per-table hashes, secrets at 0600, and nothing lost but what the preset leaves out on
 * purpose (volatile files, regenerable indexes, caches).
 */
import assert from "node:assert/strict";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { generateIdentity, identityToRecipient } from "age-encryption";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { nanoclawV1, openclawFiles, openclawSqlite, TEAM, type OpenclawFixture } from "../../src/testing/fixtures/index.ts";
import {
  assertRestored, createAgentWorld, detectedPreset, latestManifest, planLines, assertRestoreOrder, recordState, treeState, wipe,
  type AgentState, type AgentWorld, type TreeState,
} from "./agent-helpers.ts";
import { assertNoStackTrace, jsonLines, summaryOf } from "./helpers.ts";

/** What the OpenClaw preset leaves out on purpose (agent detect's "Leaves out"), relative to the root. */
const OPENCLAW_LEFT_OUT = [
  /\.lock$/, // session write locks: belong to a running gateway
  /-(?:wal|shm)$/, // SQLite sidecars: databases are captured through the engine
  /^logs\//,
  /^telegram\/update-offset-[^/]+\.json$/, // a restored offset replays or skips updates
  /^cron\/runs\//, // rotated run history
  /^backups\/[^/]+-openclaw-backup\.tar\.gz$/, // OpenClaw's own backups: not nested
  /(?:^|\/)node_modules\//,
  /^plugin-skills\//, // generated symlink index
  /^memory\/[^/]+\.sqlite$/, // the memory search index: regenerable, skipped by default
];

/** What the NanoClaw preset leaves out, relative to the project folder. */
const NANOCLAW_LEFT_OUT = [
  /^data\/ipc\//, // messages in flight
  /^data\/env\//, // rewritten at every container start
  /(?:^|\/)logs\//,
  /^node_modules\//,
  /^data\/[^/]+\.json\.migrated$/, // already imported into messages.db
  /^data\/sessions\/[^/]+\/\.claude\/debug\//, // Claude Code runtime cache
  /^package\.json$/, /^src\//, // the checkout: kept in git, not agent state
];

/** stable drops what opening a database may change: folders (mtimes) and SQLite sidecars. */
function stable(t: TreeState | undefined): TreeState {
  return new Map([...(t ?? [])].filter(([p, e]) => e.type !== "dir" && !/-(?:wal|shm)$/.test(p)));
}

interface Agent {
  name: string;
  preset: string;
  root: string;
  /** Every folder the agent's items live in (the root first). */
  dirs: string[];
  leftOut: RegExp[];
  treeBefore?: TreeState;
  state?: AgentState;
}

describe("agents of every preset: backup the whole config, wipe each tree, restore it", { timeout: 300_000 }, () => {
  let w: AgentWorld;
  let agents: Agent[];
  let team: OpenclawFixture;

  before(async () => {
    w = await createAgentWorld();
    const home = w.home;
    const wren = join(home, "wren", ".openclaw");
    const teamRoot = join(home, "team", ".openclaw");
    const ledger = join(home, "ledger", ".openclaw");
    const andy = join(home, "nanoclaw");
    await openclawFiles(wren, { agents: 1, home });
    team = await openclawFiles(teamRoot, { agents: 8, home, seed: 2 });
    await openclawSqlite(ledger);
    await nanoclawV1(andy, { home });
    agents = [
      { name: "wren", preset: "openclaw", root: wren, dirs: [wren], leftOut: OPENCLAW_LEFT_OUT },
      { name: "team", preset: "openclaw", root: teamRoot, dirs: [teamRoot], leftOut: OPENCLAW_LEFT_OUT },
      { name: "ledger", preset: "openclaw", root: ledger, dirs: [ledger], leftOut: OPENCLAW_LEFT_OUT },
      // NanoClaw keeps its allowlists in ~/.config/nanoclaw: part of the agent, wiped with it.
      { name: "andy", preset: "nanoclaw", root: andy, dirs: [andy, join(home, ".config", "nanoclaw")], leftOut: NANOCLAW_LEFT_OUT },
    ];
    await w.writeConfig(agents.map((a) => ({ name: a.name, preset: a.preset, root: a.root })));
  });

  after(() => w?.cleanup());

  it("agent detect recognises each fixture and names its preset", async () => {
    const got = await Promise.all(agents.map((a) => detectedPreset(w, a.root)));
    assert.deepEqual(got.map((g) => [g.preset, g.root]), agents.map((a) => [a.preset, a.root]));
    for (const g of got) assert.ok(g.confidence >= 0.5, `confident: ${JSON.stringify(g)}`);
  });

  it("lifeboat backup with no paths takes one snapshot per configured agent and changes nothing", async () => {
    for (const a of agents) a.treeBefore = await treeState(...a.dirs);
    const res = await w.ok(["backup", "--json"]);
    assertNoStackTrace(res.stderr);
    const s = summaryOf<{ agents: { agent: string; items: string[]; errors: unknown[] }[] }>(res);
    assert.deepEqual(s.agents.map((x) => x.agent), agents.map((a) => a.name));
    for (const x of s.agents) assert.deepEqual(x.errors, [], `${x.agent}: no unreadable files`);
    const listed = await w.snapshots();
    assert.deepEqual(listed.map((sn) => sn.agent).sort(), agents.map((a) => a.name).sort(), "one snapshot per agent");
    for (const a of agents) {
      // The backup only reads: every file and link is as it was. (Not compared: folder mtimes
      // and SQLite's -wal/-shm, which SQLite itself creates or updates when a WAL database is
      // opened, even read-only.)
      assert.deepEqual(stable(await treeState(...a.dirs)), stable(a.treeBefore), `${a.name}: tree unchanged by the backup`);
      const m = await latestManifest(w, a.name);
      assert.equal(m.preset, a.preset);
      assert.equal(m.root, a.root);
      const state = await recordState(a.dirs, m, w.dir);
      a.state = { ...state, tree: a.treeBefore! };
    }
  });

  for (const name of ["wren", "team", "ledger", "andy"]) {
    it(`restore latest --agent ${name} brings the wiped agent back identical`, async () => {
      const a = agents.find((x) => x.name === name)!;
      assert.ok(a.state, "the backup test ran");
      await wipe(...a.dirs);
      const res = await w.ok(["restore", "latest", "--agent", name]);
      assertNoStackTrace(res.stderr);
      assertRestoreOrder(planLines(res.stdout));
      const m = await latestManifest(w, name);
      await assertRestored(a.state, m, { leftOut: a.leftOut });
      // Nothing stood in the way, so there was nothing to keep: no pre-restore snapshot.
      assert.doesNotMatch(res.stdout, /previous state is in snapshot/);

      if (name === "team") {
        // All 8 workspaces (one of them only at agents/scribe/workspace) are back.
        assert.deepEqual(Object.keys(team.workspaces).sort(), [...TEAM].sort());
        for (const [id, ws] of Object.entries(team.workspaces)) {
          assert.match(await readFile(join(ws, "SOUL.md"), "utf8"), new RegExp(`You are ${id[0]!.toUpperCase()}${id.slice(1)}\\.`), `workspace of ${id}`);
        }
        const items = m.items.map((i) => i.name);
        for (const id of TEAM) assert.ok(items.includes(id === "main" ? "workspace" : `workspace-${id}`), `workspace item of ${id}`);
      }
      if (name === "ledger") {
        const dbs = m.items.filter((i) => i.kind === "sqlite").map((i) => i.name).sort();
        assert.deepEqual(dbs, ["agent-db-main", "state-db"], "both SQLite-era databases captured as databases");
      }
      if (name === "andy") {
        assert.ok(m.items.some((i) => i.name === "sender-allowlist" && i.source.startsWith(join(w.home, ".config", "nanoclaw"))), "allowlist outside the root captured");
      }
    });
  }

  // Issue 6, "Must show": export → wipe → import gives the same agent back, for every preset.
  for (const name of ["wren", "team", "ledger", "andy"]) {
    it(`export --agent ${name}, wipe, import: the agent comes back identical from the archive alone`, async () => {
      const a = agents.find((x) => x.name === name)!;
      assert.ok(a.state, "the backup test ran");
      const out = join(w.dir, `exports-${name}`);
      await mkdir(out);
      const identity = await generateIdentity();
      const key = join(w.dir, `${name}.agekey`);
      await writeFile(key, `${identity}\n`, { mode: 0o600 });
      const res0 = await w.ok(["export", "latest", "--agent", name, "--output", out, "--encrypt-secrets", `age:${await identityToRecipient(identity)}`, "--json"]);
      const exported = jsonLines(res0.stdout).find((v) => (v as { message_type?: string }).message_type === "export") as { archive: string };
      await wipe(...a.dirs);
      // OpenClaw workspaces link skills into /opt: the import must be told to accept such links.
      const refusedRes = await w.cli(["import", exported.archive, "--identity", key]);
      if (name !== "andy") assert.match(refusedRes.stderr, /--allow-outside-symlinks/);
      const res = name === "andy" ? refusedRes : await w.ok(["import", exported.archive, "--identity", key, "--allow-outside-symlinks"]);
      assert.equal(res.code, 0, res.stderr);
      assertNoStackTrace(res.stderr);
      await assertRestored(a.state, await latestManifest(w, name), { leftOut: a.leftOut });
    });
  }
});
