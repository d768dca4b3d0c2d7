/**
 * @module test/e2e/agent-clawdie.test
 * Issue 3, "Must show" 1 for clawdie (NanoClaw v1 plus PostgreSQL): `agent detect` names
 * clawdie; `lifeboat backup` captures the project folder, its SQLite message store and both
 * PostgreSQL databases; then the folder is wiped, the databases are DROPped, and
 * `lifeboat restore latest --agent clawdie` brings back every captured file byte-identical,
 * messages.db passing integrity_check with identical per-table hashes, the secrets at 0600,
 * and every PostgreSQL table with the same row count and checksum as before.
 *
 * The fixture creates databases with random names, which the preset cannot guess (it
 * defaults to memory_db / skills_db), so lifeboat.yaml overrides both postgres items with
 * `kind: postgres, database: <name>, env: {PGHOST, PGPORT, PGUSER}` as docs/config.md shows.
 * skills-db is regenerable and skipped by default; the override (no `regenerable: true`)
 * takes it back in, so both databases are proven.
 */
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { generateIdentity, identityToRecipient } from "age-encryption";
import { after, before, describe, it } from "node:test";
import { clawdie, type ClawdieFixture } from "../../src/testing/fixtures/index.ts";
import type { TableStats } from "../../src/sources/dbverify.ts";
import {
  assertRestoreOrder, assertRestored, createAgentWorld, databaseExists, detectedPreset, dropDatabase, latestManifest,
  pgSkip, pgState, planLines, recordState, treeState, wipe, type AgentState, type AgentWorld,
} from "./agent-helpers.ts";
import { assertNoStackTrace, jsonLines, summaryOf } from "./helpers.ts";

/** What the clawdie preset (the NanoClaw v1 plan) leaves out, relative to the project folder. */
const CLAWDIE_LEFT_OUT = [
  /^data\/ipc\//, /^data\/env\//, /(?:^|\/)logs\//, /^node_modules\//, /^data\/[^/]+\.json\.migrated$/,
  /^data\/sessions\/[^/]+\/\.claude\/debug\//,
  /^package\.json$/, /^src\//, // the checkout: kept in git
  /^memory_db\.sql$/, // clawdie's own pg_dump output: the database itself is captured
];

const skip = await pgSkip();

describe("clawdie with PostgreSQL: backup, wipe the tree and drop the databases, restore", { skip, timeout: 300_000 }, () => {
  let w: AgentWorld;
  let fx: ClawdieFixture;
  let root: string;
  let dirs: string[];
  let state: AgentState;
  const pgBefore = new Map<string, TableStats>();

  before(async () => {
    w = await createAgentWorld();
    root = join(w.home, "clawdie-ai");
    fx = await clawdie(root, { home: w.home });
    dirs = [root, join(w.home, ".config", "nanoclaw")];
    const pg = (name: string, database: string) => ({ name, kind: "postgres", database, env: fx.pgEnv });
    await w.writeConfig([{
      name: "clawdie", preset: "clawdie", root,
      items: [pg("memory-db", fx.databases.memory), pg("skills-db", fx.databases.skills)],
    }]);
  });

  after(async () => {
    await fx?.cleanup();
    await w?.cleanup();
  });

  it("agent detect names the clawdie preset (not plain NanoClaw)", async () => {
    const got = await detectedPreset(w, root);
    assert.equal(got.preset, "clawdie");
    assert.equal(got.root, root);
  });

  it("backup captures files, SQLite and both PostgreSQL databases; restore after a wipe and DROP gives them all back", async () => {
    const treeBefore = await treeState(...dirs);
    for (const db of [fx.databases.memory, fx.databases.skills]) pgBefore.set(db, await pgState(db, fx.pgEnv));

    const res = await w.ok(["backup", "--json"]);
    assertNoStackTrace(res.stderr);
    const s = summaryOf<{ agents: { agent: string; items: string[]; skipped: unknown[] }[] }>(res);
    assert.equal(s.agents.length, 1);
    assert.ok(s.agents[0]!.items.includes("memory-db") && s.agents[0]!.items.includes("skills-db"), `items: ${s.agents[0]!.items.join(", ")}`);
    assert.equal((await w.snapshots()).length, 1);

    const m = await latestManifest(w, "clawdie");
    for (const [name, db] of [["memory-db", fx.databases.memory], ["skills-db", fx.databases.skills]] as const) {
      const item = m.items.find((i) => i.name === name);
      assert.equal(item?.source, db, `${name} dumps ${db}`);
      assert.deepEqual(item.rowCounts, pgBefore.get(db)!.rowCounts, `${name}: the manifest's row counts are the database's`);
    }
    assert.ok(m.items.some((i) => i.kind === "sqlite" && i.name === "messages-db"), "messages.db captured through SQLite");
    state = { ...(await recordState(dirs, m, w.dir)), tree: treeBefore };

    // The machine is lost: the project folder, the allowlists and both databases.
    await wipe(...dirs);
    for (const db of [fx.databases.memory, fx.databases.skills]) await dropDatabase(db, fx.pgEnv);
    for (const db of [fx.databases.memory, fx.databases.skills]) assert.equal(await databaseExists(db, fx.pgEnv), false);

    const r = await w.ok(["restore", "latest", "--agent", "clawdie"]);
    assertNoStackTrace(r.stderr);
    const plan = planLines(r.stdout);
    assertRestoreOrder(plan);
    // Databases come after secrets and config and before the files.
    const at = (name: string) => plan.findIndex((p) => p.name === name);
    assert.ok(at("env") < at("memory-db") && at("memory-db") < at("groups"), plan.map((p) => p.name).join(", "));
    assert.match(r.stdout, new RegExp(`restored memory-db → database ${fx.databases.memory} \\(row counts and checksums of \\d+ table\\(s\\) equal\\)`));

    await assertRestored(state, m, { leftOut: CLAWDIE_LEFT_OUT });
    for (const [db, want] of pgBefore) {
      const got = await pgState(db, fx.pgEnv);
      assert.deepEqual(got.rowCounts, want.rowCounts, `${db}: row counts`);
      assert.deepEqual(got.tableHashes, want.tableHashes, `${db}: per-table checksums`);
      assert.ok(Object.values(want.rowCounts).some((n) => n > 0), `${db} held data`);
      assert.deepEqual(Object.keys(want.tableHashes).sort(), Object.keys(want.rowCounts).sort(), `${db}: a checksum for every table`);
    }
  });

  // Issue 6, "Must show": the same story from a portable export instead of the repository.
  it("export, wipe and DROP, import: files, SQLite and both PostgreSQL databases come back from the archive alone", async () => {
    assert.ok(state, "the backup test ran");
    const out = join(w.dir, "exports");
    await mkdir(out);
    const identity = await generateIdentity();
    const key = join(w.dir, "export.agekey");
    await writeFile(key, `${identity}\n`, { mode: 0o600 });
    const res = await w.ok(["export", "latest", "--agent", "clawdie", "--output", out, "--encrypt-secrets", `age:${await identityToRecipient(identity)}`, "--json"]);
    const { archive } = jsonLines(res.stdout).find((v) => (v as { message_type?: string }).message_type === "export") as { archive: string };

    await wipe(...dirs);
    for (const db of [fx.databases.memory, fx.databases.skills]) await dropDatabase(db, fx.pgEnv);
    const r = await w.ok(["import", archive, "--identity", key]);
    assertNoStackTrace(r.stderr);
    await assertRestored(state, await latestManifest(w, "clawdie"), { leftOut: CLAWDIE_LEFT_OUT });
    for (const [db, want] of pgBefore) {
      const got = await pgState(db, fx.pgEnv);
      assert.deepEqual(got.rowCounts, want.rowCounts, `${db}: row counts after import`);
      assert.deepEqual(got.tableHashes, want.tableHashes, `${db}: per-table checksums after import`);
    }
  });
});
