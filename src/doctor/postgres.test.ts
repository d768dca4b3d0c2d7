/**
 * @module doctor/postgres.test
 * The PostgreSQL probe: a server that is down, missing client tools, and (when a server
 * runs on 127.0.0.1:5432, as the clawdie fixture expects) a reachable database with its
 * versions. The live case is skipped when no server answers.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import type { PostgresItem } from "../agent/types.ts";
import { checkPostgres } from "./postgres.ts";
import { customAgent } from "./_testkit.ts";

const item = (name: string, env: Record<string, string>, extra: Partial<PostgresItem> = {}): PostgresItem =>
  ({ kind: "postgres", name, class: "database", required: true, database: "postgres", env, ...extra });

const LOCAL = { PGHOST: "127.0.0.1", PGPORT: "5432", PGUSER: "postgres" };

function serverUp(): boolean {
  try {
    execFileSync("psql", ["-X", "-At", "-c", "SELECT 1"], { env: { ...process.env, ...LOCAL, PGDATABASE: "postgres", PGCONNECT_TIMEOUT: "3" }, stdio: "pipe" });
    return true;
  } catch {
    return false;
  }
}

test("a server that is down (port 1) is an error that says to start it or fix the item", async () => {
  const found = await checkPostgres(customAgent("c", "/", [item("memory-db", { PGHOST: "127.0.0.1", PGPORT: "1" })]));
  assert.equal(found.length, 1);
  const f = found[0]!;
  assert.deepEqual([f.level, f.check, f.agent, f.item], ["error", "postgres", "c", "memory-db"]);
  assert.match(f.message, /memory-db: could not connect to PostgreSQL at 127\.0\.0\.1:1: connection refused/);
  assert.match(f.fix ?? "", /start PostgreSQL .*PGHOST\/PGPORT/);
});

test("no client tools: an error with the package to install; skipped items are not probed", async () => {
  const agent = customAgent("c", "/", [item("memory-db", LOCAL), item("skills-db", LOCAL, { regenerable: true })], { skip: ["skills-db"] });
  const found = await checkPostgres(agent, { searchPath: [] });
  assert.equal(found.length, 1);
  assert.match(found[0]!.message, /psql is needed/);
  assert.match(found[0]!.fix ?? "", /apt-get install postgresql-client/);
});

test("a bad url is reported without echoing the password", async () => {
  const found = await checkPostgres(customAgent("c", "/", [item("db", {}, { url: "mysql://u:s3cret@h/db" })]));
  assert.equal(found[0]!.level, "error");
  assert.doesNotMatch(JSON.stringify(found), /s3cret/);
});

test("a reachable server: ok with the server version and the pg_dump chosen for it", { skip: serverUp() ? false : "no PostgreSQL on 127.0.0.1:5432" }, async () => {
  const found = await checkPostgres(customAgent("c", "/", [item("main", LOCAL)]));
  assert.equal(found[0]!.level, "ok", JSON.stringify(found));
  assert.match(found[0]!.message, /main: database postgres on 127\.0\.0\.1:5432, PostgreSQL \d+\.\d+.*, pg_dump \d+\.\d+ \(\/.*pg_dump\)/);
  const missing = await checkPostgres(customAgent("c", "/", [item("gone", LOCAL, { database: "lifeboat_doctor_no_such_db" })]));
  assert.match(missing[0]!.message, /database lifeboat_doctor_no_such_db does not exist/);
  assert.match(missing[0]!.fix ?? "", /check the item's database name/);
});
