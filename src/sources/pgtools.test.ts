/**
 * @module sources/pgtools.test
 * PostgreSQL client plumbing without a server: connection environment from a url (the
 * password only in the environment), version parsing, pg_dump choice, error wording.
 */
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { PostgresItem } from "../agent/types.ts";
import { choosePgDump, classifyPgError, findPgBinaries, lastError, majorOfServer, parsePgVersion, PgError, pgConnection } from "./pgtools.ts";

const root = mkdtempSync(join(tmpdir(), "lifeboat-pgtools-test-"));
after(() => rmSync(root, { recursive: true, force: true }));
const item = (extra: Partial<PostgresItem> = {}): PostgresItem => ({ name: "db", kind: "postgres", class: "database", database: "agent", ...extra });

test("a url becomes libpq environment; the item's database wins over the url's path", () => {
  const c = pgConnection(item({ url: "postgres://bot:p%40ss%3Aw0rd@db.example:6543/other?sslmode=require" }), undefined, { PGHOST: "ignored" });
  assert.equal(c.env["PGHOST"], "db.example");
  assert.equal(c.env["PGPORT"], "6543");
  assert.equal(c.env["PGUSER"], "bot");
  assert.equal(c.env["PGPASSWORD"], "p@ss:w0rd");
  assert.equal(c.env["PGSSLMODE"], "require");
  assert.equal(c.env["PGDATABASE"], "agent");
  assert.equal(c.where, "db.example:6543");
  assert.equal(c.passwordFrom, "the item's url");
  assert.equal(pgConnection(item({ env: { PGPASSWORD: "x" } }), "postgres", {}).passwordFrom, "PGPASSWORD of the item's env");
  assert.equal(pgConnection(item(), undefined, {}).where, "the local socket, port 5432");
});

test("a bad url is rejected without echoing it (it may hold a password)", () => {
  assert.throws(() => pgConnection(item({ url: "mysql://u:secret@h/db" })), (e: unknown) => e instanceof PgError && !e.message.includes("secret"));
  assert.throws(() => pgConnection(item({ url: "postgres://h/db?frobnicate=1" })), /url parameter frobnicate is not supported/);
});

test("versions: pg_dump output and server_version_num", () => {
  assert.deepEqual(parsePgVersion("pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)\n"), { version: "15.20", major: 15 });
  assert.deepEqual(parsePgVersion("pg_dump (PostgreSQL) 9.6.24\n"), { version: "9.6.24", major: 9.6 });
  assert.deepEqual(parsePgVersion("pg_dump (PostgreSQL) 17beta1"), { version: "17", major: 17 });
  assert.equal(parsePgVersion("bash: pg_dump: not found"), undefined);
  assert.equal(majorOfServer(150020), 15);
  assert.equal(majorOfServer(90624), 9.6);
});

test("choosePgDump prefers the server's major, then the lowest newer one, else names the package", async () => {
  const fake = (dir: string, version: string) => {
    const d = join(root, dir);
    mkdirSync(d);
    writeFileSync(join(d, "pg_dump"), `#!/bin/sh\necho "pg_dump (PostgreSQL) ${version}"\n`);
    chmodSync(join(d, "pg_dump"), 0o755);
    return d;
  };
  const [v17, v15, v16, v96] = [fake("a", "17.2"), fake("b", "15.8"), fake("c", "16.4"), fake("d", "9.6.24")];
  assert.equal((choosePgDump(15, await findPgBinaries("pg_dump", { searchPath: [v17, v16, v15] }))).path, join(v15, "pg_dump"));
  assert.equal((choosePgDump(15, await findPgBinaries("pg_dump", { searchPath: [v17, v16] }))).version, "16.4");
  assert.equal((choosePgDump(9.6, await findPgBinaries("pg_dump", { searchPath: [v96] }))).major, 9.6);
  const old = await findPgBinaries("pg_dump", { searchPath: [v96, v15] });
  assert.throws(() => choosePgDump(16, old), (e: unknown) => e instanceof PgError && e.reason === "no-tools" &&
    /^pg_dump 16 or newer is needed for PostgreSQL 16 \(found 9\.6\.24 at .*, 15\.8 at .*\): apt-get install postgresql-client-16$/.test(e.message));
});

test("Debian's pg_wrapper is neither probed nor chosen when a real binary exists, and is used when none does", async () => {
  const wrapDir = join(root, "wrap");
  const realDir = join(root, "real");
  mkdirSync(wrapDir);
  mkdirSync(realDir);
  const ran = join(root, "wrapper-ran");
  writeFileSync(join(wrapDir, "pg_wrapper"), `#!/bin/sh\ntouch ${ran}\necho "pg_dump (PostgreSQL) 15.8"\n`, { mode: 0o755 });
  symlinkSync(join(wrapDir, "pg_wrapper"), join(wrapDir, "pg_dump"));
  writeFileSync(join(realDir, "pg_dump"), `#!/bin/sh\necho "pg_dump (PostgreSQL) 15.8"\n`, { mode: 0o755 });
  assert.deepEqual((await findPgBinaries("pg_dump", { searchPath: [wrapDir, realDir] })).map((b) => b.path), [join(realDir, "pg_dump")]);
  assert.equal(existsSync(ran), false);
  assert.deepEqual((await findPgBinaries("pg_dump", { searchPath: [wrapDir] })).map((b) => b.path), [join(wrapDir, "pg_dump")]);
});

test("libpq failures become one line that says what to do", () => {
  const c = pgConnection(item({ env: { PGHOST: "127.0.0.1", PGPORT: "1", PGPASSWORD: "x" } }), undefined, {});
  const cases: [string, string, RegExp][] = [
    ['psql: error: connection to server at "127.0.0.1", port 1 failed: Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?\n',
      "server-down", /^could not connect to PostgreSQL at 127\.0\.0\.1:1: connection refused — is the server running\?$/],
    ['psql: error: connection to server on socket "/tmp/.s.PGSQL.5432" failed: No such file or directory\n\tIs the server running locally and accepting connections on that socket?\n',
      "server-down", /connection refused — is the server running\?/],
    ['pg_dump: error: connection to server at "127.0.0.1", port 1 failed: FATAL:  password authentication failed for user "bot"\n',
      "auth", /^password authentication failed for user bot — check the password in PGPASSWORD of the item's env$/],
    ['psql: error: connection to server at "127.0.0.1", port 5432 failed: FATAL:  database "nope" does not exist\n',
      "no-database", /^database nope does not exist on 127\.0\.0\.1:1 — check the item's database name$/],
    ['psql: error: could not translate host name "db.invalid" to address: Name or service not known\n', "server-down", /unknown host db\.invalid/],
    ['psql:<stdin>:12: ERROR:  relation "x" already exists\n', "failed", /^psql failed: ERROR:  relation "x" already exists$/],
  ];
  for (const [stderr, reason, message] of cases) {
    const e = classifyPgError("psql", stderr, c);
    assert.equal(e.reason, reason, stderr);
    assert.match(e.message, message);
  }
  assert.equal(lastError("pg_dump: error: query failed: ERROR:  permission denied for table t\npg_dump: detail: Query was: LOCK TABLE t\n"),
    "query failed: ERROR:  permission denied for table t");
});
