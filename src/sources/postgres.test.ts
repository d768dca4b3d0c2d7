/**
 * @module sources/postgres.test
 * PostgreSQL capture and restore against this machine's server (127.0.0.1:5432, trust
 * auth), each test in its own scratch database lifeboat_test_<random>, dropped at the end.
 * Covers: a round trip with text, jsonb, real[384] embeddings, a sequence and a view into a
 * new database with equal checksums; counts that match the dump under concurrent writes;
 * pg_dump killed or cut off half-way; the server down; a missing database; a wrong password
 * (from a stand-in server: the real one trusts every local connection); a pg_dump too old.
 */
import assert from "node:assert/strict";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync, writeSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { PostgresItem } from "../agent/types.ts";
import { readFile } from "../backup/filesaver.ts";
import { PgError, choosePsql } from "./pgtools.ts";
import { postgresChecksums, restorePostgres, createPostgresSource } from "./postgres.ts";
import { SourceError, type CaptureContext } from "./source.ts";

const ENV = { PGHOST: "127.0.0.1", PGPORT: "5432", PGUSER: "postgres" };
const root = mkdtempSync(join(tmpdir(), "lifeboat-pg-test-"));
const dbs: string[] = [];
const sql = (db: string, q: string) => execFileSync("psql", ["-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-c", q],
  { env: { ...process.env, ...ENV, PGDATABASE: db, PGOPTIONS: "-c client_min_messages=warning" }, encoding: "utf8" }).trim();
const reachable = (() => { try { return sql("postgres", "SELECT 1") === "1"; } catch { return false; } })();
const skip = reachable ? false : "no PostgreSQL server on 127.0.0.1:5432";
const item = (database: string, extra: Partial<PostgresItem> = {}): PostgresItem => ({ name: "pg", kind: "postgres", class: "database", database, env: ENV, ...extra });
const dbName = () => { const n = `lifeboat_test_${randomBytes(6).toString("hex")}`; dbs.push(n); return n; };
after(() => {
  if (reachable) for (const d of dbs) sql("postgres", `DROP DATABASE IF EXISTS ${d} WITH (FORCE)`);
  rmSync(root, { recursive: true, force: true });
});

/** scratch creates a database with text, jsonb, real[384] embeddings, a sequence and a view. */
function scratch(rows = 300): string {
  const db = dbName();
  sql("postgres", `CREATE DATABASE ${db}`);
  sql(db, `CREATE SCHEMA agent;
    CREATE TABLE agent.memories (id bigserial PRIMARY KEY, body text NOT NULL, meta jsonb, embedding real[], created_at timestamptz DEFAULT now());
    CREATE SEQUENCE ticket_seq START 1000;
    CREATE TABLE tickets (id int PRIMARY KEY DEFAULT nextval('ticket_seq'), title text, blob bytea);
    CREATE VIEW recent AS SELECT id, body FROM agent.memories ORDER BY id DESC LIMIT 5;
    INSERT INTO agent.memories (body, meta, embedding)
      SELECT 'memory ' || g || E' ünïcødé ''q'' \\t tab', jsonb_build_object('n', g, 'tags', jsonb_build_array('a', g)),
        (SELECT array_agg(random()::real) FROM generate_series(1, 384) WHERE g > 0) FROM generate_series(1, ${rows}) g;
    INSERT INTO tickets (title, blob) VALUES ('one', '\\x00ff'), (NULL, NULL), ('three', '\\x');
    CREATE TABLE "Weird ""Name""|x" (at timestamptz, span interval);
    INSERT INTO "Weird ""Name""|x" VALUES ('2026-01-02 03:04:05+07', '1 day 2 hours'), (NULL, NULL);
    SELECT nextval('ticket_seq');`);
  return db;
}

/** fakeContext writes saved streams to files; `onChunk` runs after each chunk is written. */
function fakeContext(onChunk?: (size: number) => void | Promise<void>, signal?: AbortSignal): CaptureContext & { files: Map<string, string> } {
  const files = new Map<string, string>();
  const out = mkdtempSync(join(root, "out-"));
  return {
    files, signal,
    async saveStream(name, input) {
      const path = join(out, name);
      files.set(name, path);
      const fd = openSync(path, "w");
      const h = createHash("sha256");
      let size = 0;
      try {
        for await (const c of input) { writeSync(fd, c); h.update(c); size += c.length; await onChunk?.(size); }
      } finally { closeSync(fd); }
      return { node: { name, type: "file", mode: 0o600, uid: 0, gid: 0, mtimeNs: "0", ctimeNs: "0", inode: "0", size }, size, sha256: h.digest("hex") };
    },
    savePath() { throw new Error("not used"); },
  };
}

const isSourceError = (re: RegExp, reason?: string) => (e: unknown) =>
  e instanceof SourceError && re.test(e.message) && (reason === undefined || (e.cause instanceof PgError && e.cause.reason === reason));

test("capture → restore into a new database: every table's checksum, the sequences and the view survive", { skip }, async () => {
  const src = scratch();
  const ctx = fakeContext();
  const { manifest } = await createPostgresSource(item(src)).capture(ctx);
  assert.deepEqual([...ctx.files.keys()], [`${src}.sql`]);
  assert.match(String(manifest.versions?.["server"]), /^15\./);
  assert.match(String(manifest.versions?.["pg_dump"]), /^15\./);
  assert.equal(manifest.versions?.["encoding"], "UTF8");
  assert.deepEqual(manifest.rowCounts, { "agent.memories": 300, "public.tickets": 3, 'public.Weird "Name"|x': 2 });
  const target = dbName();
  const got = await restorePostgres(item(src), readFile(ctx.files.get(`${src}.sql`)!), { database: target, expect: manifest });
  assert.equal(got.created, true);
  const [a, b] = [await postgresChecksums(item(src)), await postgresChecksums(item(target))];
  assert.deepEqual(b, a);
  assert.equal(manifest.tableHashScheme, "copy1");
  assert.deepEqual(got.tableHashes, manifest.tableHashes, "the loaded tables read back to the dumped rows");
  const seqs = "SELECT last_value || '/' || is_called FROM ticket_seq UNION ALL SELECT last_value || '/' || is_called FROM agent.memories_id_seq";
  assert.equal(sql(target, seqs), sql(src, seqs));
  assert.equal(sql(target, "SELECT count(*) FROM recent"), "5");
  assert.equal(sql(target, "SELECT array_length(embedding, 1) FROM agent.memories LIMIT 1"), "384");
  // 1000-1002 went to the three tickets, 1003 to the bare nextval: the next is 1004 in both.
  assert.equal(sql(target, "INSERT INTO tickets (title) VALUES ('next') RETURNING id"), "1004", "the sequence continues where it was");
});

test("row counts come from the dump's own snapshot while a writer inserts", { skip }, async () => {
  const src = scratch(50);
  const inserts = Array.from({ length: 3000 }, () => "INSERT INTO tickets (title) VALUES ('w'); SELECT pg_sleep(0.002);").join("\n");
  const writer = spawn("psql", ["-X", "-q", "-o", "/dev/null"], { env: { ...process.env, ...ENV, PGDATABASE: src }, stdio: ["pipe", "ignore", "ignore"] });
  writer.stdin.on("error", () => undefined); // EPIPE when it is killed mid-script
  writer.stdin.end(inserts);
  try {
    await new Promise((r) => setTimeout(r, 300));
    // A slow consumer widens the window between the counts and the end of the dump.
    const ctx = fakeContext(() => new Promise((r) => setTimeout(r, 20)));
    const { manifest } = await createPostgresSource(item(src)).capture(ctx);
    const n = manifest.rowCounts?.["public.tickets"] ?? 0;
    assert.ok(n > 3, `the writer was running (${n} tickets)`);
    const got = await restorePostgres(item(src), readFile(ctx.files.get(`${src}.sql`)!), { database: dbName(), expect: manifest });
    assert.equal(got.rowCounts["public.tickets"], n);
    assert.ok(Number(sql(src, "SELECT count(*) FROM tickets")) > n, "rows were added after the snapshot");
  } finally {
    writer.kill("SIGKILL");
  }
});

test("pg_dump killed half-way: capture rejects naming pg_dump and leaves no session behind", { skip }, async () => {
  const src = scratch(3000);
  let dump: ChildProcess | undefined;
  const spy = ((cmd: string, args: string[], o: object) => {
    const c = spawn(cmd, args, o);
    if (cmd.endsWith("pg_dump")) dump = c;
    return c;
  }) as typeof spawn;
  const ctx = fakeContext(() => { dump?.kill("SIGKILL"); });
  await assert.rejects(createPostgresSource(item(src), { spawn: spy }).capture(ctx),
    isSourceError(/^pg: pg_dump was killed by SIGKILL before the dump was complete/, "dump-failed"));
  assert.equal(sql("postgres", `SELECT count(*) FROM pg_stat_activity WHERE datname = '${src}'`), "0");
});

test("pg_dump's connection terminated half-way: capture rejects with pg_dump's error", { skip }, async () => {
  const src = scratch(3000);
  let once = false;
  const ctx = fakeContext(() => {
    if (once) return;
    once = true;
    sql("postgres", `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${src}' AND application_name = 'pg_dump'`);
  });
  await assert.rejects(createPostgresSource(item(src)).capture(ctx), isSourceError(/^pg: pg_dump exited with code 1: /, "dump-failed"));
});

test("an aborted capture kills pg_dump and rejects with the abort", { skip }, async () => {
  const src = scratch(3000);
  const ac = new AbortController();
  const ctx = fakeContext(() => ac.abort(), ac.signal);
  await assert.rejects(createPostgresSource(item(src)).capture(ctx), (e: unknown) => e instanceof Error && e.name === "AbortError");
  assert.equal(sql("postgres", `SELECT count(*) FROM pg_stat_activity WHERE datname = '${src}'`), "0");
});

test("server down, missing database: one-line errors that say which", { skip }, async () => {
  await assert.rejects(createPostgresSource(item("x", { env: { ...ENV, PGPORT: "1" } })).capture(fakeContext()),
    isSourceError(/^pg: could not connect to PostgreSQL at 127\.0\.0\.1:1: connection refused — is the server running\?$/, "server-down"));
  await assert.rejects(createPostgresSource(item("lifeboat_test_missing")).capture(fakeContext()),
    isSourceError(/^pg: database lifeboat_test_missing does not exist on 127\.0\.0\.1:5432/, "no-database"));
});

test("a wrong password is reported as such, and the password never appears on a command line", { skip }, async () => {
  // A stand-in server speaking just enough of the protocol (v3): refuse TLS/GSS, ask for a
  // cleartext password, answer 28P01 as PostgreSQL does.
  const heard: string[] = [];
  const server = createServer((sock) => {
    sock.on("data", (d: Buffer) => {
      const code = d.length >= 8 ? d.readInt32BE(4) : 0;
      if (code === 80877103 || code === 80877104) return void sock.write("N"); // SSLRequest, GSSENCRequest
      if (d[0] === 0x70) { // 'p': PasswordMessage
        heard.push(d.subarray(5, d.length - 1).toString());
        const fields = Buffer.from('SFATAL\0C28P01\0Mpassword authentication failed for user "agent"\0\0');
        const msg = Buffer.alloc(5); msg.write("E"); msg.writeInt32BE(4 + fields.length, 1);
        return void sock.end(Buffer.concat([msg, fields]));
      }
      sock.write(Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 3])); // AuthenticationCleartextPassword
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  const argv: string[] = [];
  const spy = ((cmd: string, args: string[], o: object) => { argv.push(cmd, ...args); return spawn(cmd, args, o); }) as typeof spawn;
  try {
    const it = item("agentdb", { env: {}, url: `postgres://agent:s3cr%21t@127.0.0.1:${port}/agentdb` });
    await assert.rejects(createPostgresSource(it, { spawn: spy }).capture(fakeContext()),
      isSourceError(/^pg: password authentication failed for user agent — check the password in the item's url$/, "auth"));
    assert.ok(heard.includes("s3cr!t"), "the url's password reached the server");
    assert.ok(argv.length > 0 && !argv.some((a) => a.includes("s3cr")), "no password in argv");
  } finally {
    server.close();
  }
});

test("only an old pg_dump on the search path: the error names the package to install", { skip }, async () => {
  const src = scratch(1);
  const dir = join(root, "old-tools");
  mkdirSync(dir);
  symlinkSync((await choosePsql()).path, join(dir, "psql"));
  writeFileSync(join(dir, "pg_dump"), '#!/bin/sh\necho "pg_dump (PostgreSQL) 9.6.24"\n', { mode: 0o755 });
  await assert.rejects(createPostgresSource(item(src), { searchPath: [dir] }).capture(fakeContext()),
    isSourceError(/pg_dump 15 or newer is needed for PostgreSQL 15 \(found 9\.6\.24 at .*\): apt-get install postgresql-client-15$/, "no-tools"));
});

test("a restore that does not match the manifest rolls back and drops the database it created", { skip }, async () => {
  const src = scratch(10);
  const ctx = fakeContext();
  const { manifest } = await createPostgresSource(item(src)).capture(ctx);
  const target = dbName();
  const expect = { rowCounts: { ...manifest.rowCounts, "public.tickets": 99 } };
  await assert.rejects(restorePostgres(item(src), readFile(ctx.files.get(`${src}.sql`)!), { database: target, expect }),
    (e: unknown) => e instanceof PgError && e.reason === "verify-failed" && /table public\.tickets: rows 3, expected 99/.test(e.message));
  assert.equal(sql("postgres", `SELECT count(*) FROM pg_database WHERE datname = '${target}'`), "0");
});

test("a dump whose rows were altered after capture fails its checksums and rolls back", { skip }, async () => {
  const src = scratch(10);
  const ctx = fakeContext();
  const { manifest } = await createPostgresSource(item(src)).capture(ctx);
  const path = ctx.files.get(`${src}.sql`)!;
  const text = readFileSync(path, "utf8");
  assert.match(text, /\tthree\t/);
  writeFileSync(path, text.replace("\tthree\t", "\tthr33\t")); // same row count, one value changed
  const target = dbName();
  await assert.rejects(restorePostgres(item(src), readFile(path), { database: target, expect: manifest }),
    (e: unknown) => e instanceof PgError && e.reason === "verify-failed" && /table public\.tickets: content hash/.test(e.message));
  assert.equal(sql("postgres", `SELECT count(*) FROM pg_database WHERE datname = '${target}'`), "0");
});

test("an aborted restore rolls back and drops the database it created", { skip }, async () => {
  const src = scratch(3000);
  const ctx = fakeContext();
  const { manifest } = await createPostgresSource(item(src)).capture(ctx);
  const target = dbName();
  const ac = new AbortController();
  async function* abortAfterFirst() {
    for await (const c of readFile(ctx.files.get(`${src}.sql`)!)) { yield c; ac.abort(); }
  }
  await assert.rejects(restorePostgres(item(src), abortAfterFirst(), { database: target, expect: manifest, signal: ac.signal }),
    (e: unknown) => e instanceof Error && e.name === "AbortError");
  assert.equal(sql("postgres", `SELECT count(*) FROM pg_database WHERE datname = '${target}'`), "0");
});
