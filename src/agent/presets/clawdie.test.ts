import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, before, describe, test } from "node:test";
import { clawdie as clawdieFixture, nanoclawV1, type ClawdieFixture } from "../../testing/fixtures/index.ts";
import { clawdie } from "./clawdie.ts";
import { nanoclaw } from "./nanoclaw.ts";

const run = promisify(execFile);
const PG = { PGHOST: "127.0.0.1", PGPORT: "5432", PGUSER: "postgres" };
const pgUp = await run("psql", ["-X", "-tA", "-d", "postgres", "-c", "SELECT 1"], { env: { ...process.env, ...PG } }).then(() => true, () => false);

let tmp: string;
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), "lifeboat-clawdie-"));
});
after(() => rm(tmp, { recursive: true, force: true }));

describe("clawdie preset", () => {
  test("plain NanoClaw is not clawdie", async () => {
    const root = join(tmp, "plain");
    await nanoclawV1(root, { home: join(tmp, "home"), messages: 20 });
    assert.equal((await clawdie.detect(root)).confidence, 0);
  });

  test("connection from options; skills_db regenerable and skipped", async () => {
    const root = join(tmp, "opts");
    await nanoclawV1(root, { home: join(tmp, "home"), messages: 20 });
    const plan = await clawdie.plan(root, { home: join(tmp, "home"), pg: { env: PG, databases: { memory: "m_db", skills: "s_db" } } });
    const pg = plan.items.filter((i) => i.kind === "postgres");
    assert.deepEqual(pg, [
      { kind: "postgres", name: "memory-db", database: "m_db", class: "database", required: true, env: PG },
      { kind: "postgres", name: "skills-db", database: "s_db", class: "database", required: false, regenerable: true, env: PG },
    ]);
    assert.deepEqual(plan.skip, ["skills-db"]);
    assert.ok(plan.items.some((i) => i.name === "messages-db"), "the NanoClaw v1 items are all there");
    assert.ok(plan.notCovered.some((n) => n.startsWith("skills-db")));
  });

  test("libpq defaults on localhost when nothing says otherwise", async () => {
    const root = join(tmp, "defaults");
    await nanoclawV1(root, { home: join(tmp, "home"), messages: 20 });
    const plan = await clawdie.plan(root);
    const mem = plan.items.find((i) => i.name === "memory-db");
    assert.deepEqual(mem?.kind === "postgres" ? [mem.database, mem.env] : null, ["memory_db", { PGHOST: "127.0.0.1", PGPORT: "5432" }]);
  });
});

describe("clawdie fixture against PostgreSQL", { skip: pgUp ? false : "no PostgreSQL on 127.0.0.1:5432" }, () => {
  let fx: ClawdieFixture;
  let root: string;
  before(async () => {
    root = join(tmp, "pg");
    fx = await clawdieFixture(root, { home: join(tmp, "pg-home"), messages: 50 });
  });
  after(() => fx?.cleanup());

  test("detect prefers clawdie over nanoclaw, with clawdie's markers as evidence", async () => {
    const c = await clawdie.detect(root);
    const n = await nanoclaw.detect(root);
    assert.ok(c.confidence > n.confidence);
    assert.ok(c.evidence.includes('package.json name "clawdie"'));
    assert.ok(c.evidence.includes(".env DATABASE_URL (PostgreSQL)"));
  });

  test("the .env DATABASE_URL is pointed at each database; its own dumps are left out", async () => {
    const plan = await clawdie.plan(root, { pg: { databases: fx.databases } });
    const urls = plan.items.filter((i) => i.kind === "postgres").map((i) => (i.kind === "postgres" ? i.url : ""));
    assert.deepEqual(urls, [`postgres://postgres@127.0.0.1:5432/${fx.databases.memory}`, `postgres://postgres@127.0.0.1:5432/${fx.databases.skills}`]);
    assert.ok(plan.excluded.some((e) => e.item === null && e.pattern === "memory_db.sql"));
  });

  test("the databases hold 384-float embeddings, jsonb, a sequence and a view", async () => {
    const q = async (db: string, sql: string) => (await run("psql", ["-X", "-tA", "-d", db, "-c", sql], { env: { ...process.env, ...fx.pgEnv } })).stdout.trim();
    assert.equal(await q(fx.databases.memory, "SELECT count(*) FROM memories WHERE array_length(embedding, 1) = 384"), "40");
    assert.equal(await q(fx.databases.memory, "SELECT count(*) FROM recent_memories"), "10");
    assert.equal(await q(fx.databases.memory, "SELECT metadata->>'source' FROM memories LIMIT 1"), "telegram");
    assert.equal(await q(fx.databases.memory, "SELECT count(*) FROM pg_sequences WHERE sequencename = 'memory_event_seq'"), "1");
    assert.equal(await q(fx.databases.skills, "SELECT count(*) FROM skills"), "12");
  });
});
