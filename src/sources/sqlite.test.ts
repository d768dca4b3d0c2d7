/**
 * @module sources/sqlite.test
 * SQLite capture on real files: round trip through a fake CaptureContext, type-exact table
 * hashes, failures (missing file, damaged database, failing consumer) that leave no
 * temporary copy behind, and 20 captures under a writer inserting every 2-5 ms.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { after, test } from "node:test";
import type { SqliteItem } from "../agent/types.ts";
import { compareTableStats, sqliteTableStats, verifySqliteFile } from "./dbverify.ts";
import { SourceError, type CaptureContext } from "./source.ts";
import { createSqliteSource } from "./sqlite.ts";

const root = mkdtempSync(join(tmpdir(), "lifeboat-sqlite-test-"));
after(() => rmSync(root, { recursive: true, force: true }));
let seq = 0;
const fresh = () => { const d = join(root, String(seq++)); rmSync(d, { recursive: true, force: true }); return mkdtempSync(d); };
const item = (path: string): SqliteItem => ({ name: "messages", kind: "sqlite", class: "database", path });

/** fakeContext saves streams as files in `out` and records their names. */
function fakeContext(out: string, onChunk?: (n: number) => void): CaptureContext & { saved: string[] } {
  const saved: string[] = [];
  return {
    saved,
    async saveStream(name, input, opts) {
      saved.push(name);
      const fd = openSync(join(out, name), "w");
      const h = createHash("sha256");
      let size = 0;
      try {
        for await (const c of input) { writeSync(fd, c); h.update(c); size += c.length; onChunk?.(size); }
      } finally { closeSync(fd); }
      const node = { name, type: "file" as const, mode: opts?.mode ?? 0o600, uid: 0, gid: 0, mtimeNs: "0", ctimeNs: "0", inode: "0", size };
      return { node, size, sha256: h.digest("hex") };
    },
    savePath() { throw new Error("not used"); },
  };
}

const leftovers = (dir: string) => readdirSync(dir).filter((f) => f.startsWith(".lifeboat-capture-"));

function makeDb(path: string): void {
  const db = new DatabaseSync(path);
  db.exec(`PRAGMA journal_mode = WAL; PRAGMA user_version = 7;
    CREATE TABLE messages (id TEXT, chat_jid TEXT, content TEXT, ts REAL, big INTEGER, raw BLOB, PRIMARY KEY (id, chat_jid));
    CREATE INDEX idx_ts ON messages(ts);
    CREATE TABLE kv (k TEXT PRIMARY KEY, v) WITHOUT ROWID;
    CREATE TABLE logs (id INTEGER PRIMARY KEY AUTOINCREMENT, line TEXT);
    CREATE VIRTUAL TABLE notes USING fts5(body);
    CREATE VIEW recent AS SELECT * FROM messages ORDER BY ts DESC LIMIT 10;`);
  const ins = db.prepare("INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?)");
  for (let i = 0; i < 500; i++) ins.run(`m${i}`, `chat${i % 7}`, i % 10 ? `hello ${i} ünïcødé` : null, i / 3, 2n ** 62n + BigInt(i), Buffer.from([i & 255, 0, 1]));
  db.prepare("INSERT INTO kv VALUES ('a', 1), ('b', 1.0), ('c', '1'), ('d', x'31')").run();
  for (let i = 0; i < 50; i++) db.prepare("INSERT INTO logs (line) VALUES (?)").run(`line ${i}`);
  db.exec("DELETE FROM logs WHERE id > 40; INSERT INTO notes (body) VALUES ('the quick brown fox'), ('lifeboat backups');");
  db.close();
}

test("capture round trip: the stored copy passes integrity_check with the source's row counts and equal table hashes", async () => {
  const dir = fresh();
  const out = fresh();
  const path = join(dir, "messages.db");
  makeDb(path);
  const modes = new Set<number>();
  const ctx = fakeContext(out, () => { for (const f of leftovers(dir)) modes.add(statSync(join(dir, f)).mode & 0o777); });
  const captured = await createSqliteSource(item(path)).capture(ctx);
  assert.deepEqual(ctx.saved, ["messages.db"]); // never -wal, -shm or -journal
  assert.deepEqual([...modes], [0o600], "the plaintext copy beside the database is private");
  const m = captured.manifest;
  assert.equal(m.versions?.["journal_mode"], "wal");
  assert.equal(m.versions?.["page_size"], 4096);
  assert.equal(m.versions?.["user_version"], 7);
  assert.match(String(m.versions?.["sqlite_version"]), /^3\.\d+\.\d+$/);
  assert.equal(m.rowCounts?.["messages"], 500);
  assert.equal(m.rowCounts?.["sqlite_sequence"], 1);
  assert.ok(m.rowCounts?.["notes_data"] !== undefined, "fts5 shadow tables are covered");
  assert.equal(m.rowCounts?.["notes"], undefined, "the fts5 virtual table itself is not read");
  const restored = await verifySqliteFile(join(out, "messages.db"));
  assert.equal(restored.integrity, "ok");
  const source = await verifySqliteFile(path);
  assert.deepEqual(restored.rowCounts, source.rowCounts);
  assert.deepEqual(restored.tableHashes, source.tableHashes);
  assert.equal(m.tableHashes, undefined, "capture records row counts only: the file's sha256 covers the content");
  assert.deepEqual(m.rowCounts, source.rowCounts);
  assert.equal(compareTableStats({ rowCounts: m.rowCounts! }, restored), "");
  assert.deepEqual(leftovers(dir), []);
});

test("table hashes tell 1, 1.0, '1' and x'31' apart, and compareTableStats names the table", () => {
  const db = new DatabaseSync(":memory:");
  db.exec("CREATE TABLE t (v); INSERT INTO t VALUES (1);");
  const hashes = new Set<string>();
  for (const v of ["1", "1.0", "'1'", "x'31'", "NULL"]) {
    db.exec(`UPDATE t SET v = ${v}`);
    hashes.add(sqliteTableStats(db).tableHashes["t"]!);
  }
  assert.equal(hashes.size, 5);
  const before = sqliteTableStats(db);
  db.exec("INSERT INTO t VALUES (2)");
  assert.match(compareTableStats(before, sqliteTableStats(db)), /table t: rows 2, expected 1/);
  db.close();
});

test("a missing database is a SourceError that says so", async () => {
  const dir = fresh();
  await assert.rejects(createSqliteSource(item(join(dir, "nope.db"))).capture(fakeContext(fresh())),
    (err: unknown) => err instanceof SourceError && /nope\.db does not exist/.test(err.message));
});

test("a damaged database fails quick_check and the temporary copy is deleted", async () => {
  const dir = fresh();
  const path = join(dir, "messages.db");
  makeDb(path);
  const db = new DatabaseSync(path);
  const { rootpage } = db.prepare("SELECT rootpage FROM sqlite_schema WHERE name = 'messages'").get() as { rootpage: number };
  db.close();
  // Garble the b-tree header of the messages table's root page: backup() copies pages as
  // they are, so only the check on the copy can notice.
  const fd = openSync(path, "r+");
  writeSync(fd, Buffer.alloc(64, 0xa5), 0, 64, (rootpage - 1) * 4096);
  closeSync(fd);
  await assert.rejects(createSqliteSource(item(path)).capture(fakeContext(fresh())),
    (err: unknown) => err instanceof SourceError && /fails quick_check/.test(err.message));
  assert.deepEqual(leftovers(dir), []);
});

test("a consumer that fails mid-stream leaves no temporary copy", async () => {
  const dir = fresh();
  const path = join(dir, "messages.db");
  makeDb(path);
  const ctx = fakeContext(fresh(), () => { throw new Error("repository full"); });
  await assert.rejects(createSqliteSource(item(path)).capture(ctx), /repository full/);
  assert.deepEqual(leftovers(dir), []);
});

// The writer commits {insert id N, set counter.last = N} every 2-5 ms, so a consistent copy
// holds ids 1..N without gaps and counter.last = N.
const WRITER = `
import { DatabaseSync } from "node:sqlite";
import { randomBytes } from "node:crypto";
const db = new DatabaseSync(process.argv[2], { timeout: 10000 });
let id = db.prepare("SELECT coalesce(max(id), 0) AS n FROM seq").get().n;
const step = () => {
  id++;
  db.exec("BEGIN IMMEDIATE");
  db.prepare("INSERT INTO seq VALUES (?, ?)").run(id, randomBytes(300));
  db.prepare("UPDATE counter SET last = ?").run(id);
  db.exec("COMMIT");
  if (id === ${"${START}"} + 1) process.stdout.write("started\\n");
  setTimeout(step, 2 + Math.random() * 3);
};
step();
`;

for (const mode of ["wal", "delete"]) {
  test(`20 captures under a writer inserting every 2-5 ms (${mode} mode) finish and hold a consistent prefix`, { timeout: 120_000 }, async (t) => {
    const dir = fresh();
    const path = join(dir, "messages.db");
    const db = new DatabaseSync(path);
    db.exec(`PRAGMA journal_mode = ${mode}; CREATE TABLE seq (id INTEGER PRIMARY KEY, payload BLOB); CREATE TABLE counter (last INTEGER);
      INSERT INTO counter VALUES (0); CREATE TABLE ballast (b BLOB);`);
    const ins = db.prepare("INSERT INTO ballast VALUES (randomblob(4000))");
    for (let i = 0; i < 2000; i++) ins.run(); // ~8 MB, so a copy takes a while
    db.close();
    const script = join(dir, "writer.mjs");
    writeFileSync(script, WRITER.replace("${START}", "0"));
    const writer = spawn(process.execPath, [script, path], { stdio: ["ignore", "pipe", "inherit"] });
    try {
      await new Promise<void>((resolve, reject) => { writer.stdout.once("data", () => resolve()); writer.once("exit", reject); });
      const seen: number[] = [];
      let slowest = 0;
      for (let i = 0; i < 20; i++) {
        const out = fresh();
        const t0 = performance.now();
        const captured = await createSqliteSource(item(path)).capture(fakeContext(out));
        slowest = Math.max(slowest, performance.now() - t0);
        const copy = join(out, "messages.db");
        const v = await verifySqliteFile(copy);
        assert.equal(v.integrity, "ok");
        const c = new DatabaseSync(copy, { readOnly: true });
        const r = c.prepare("SELECT count(*) AS n, min(id) AS lo, max(id) AS hi, (SELECT last FROM counter) AS last FROM seq").get() as Record<string, number>;
        c.close();
        assert.equal(r["lo"], 1);
        assert.equal(r["n"], r["hi"], "ids 1..N without gaps");
        assert.equal(r["last"], r["hi"], "counter and rows from the same transaction");
        assert.equal(captured.manifest.rowCounts?.["seq"], r["n"]);
        seen.push(r["n"]!);
        assert.deepEqual(leftovers(dir), []);
      }
      assert.ok(seen.at(-1)! > seen[0]!, `the writer kept writing during the captures (${seen[0]} → ${seen.at(-1)})`);
      t.diagnostic(`slowest capture ${slowest.toFixed(0)} ms; rows ${seen[0]} → ${seen.at(-1)}`);
    } finally {
      writer.kill("SIGKILL");
    }
  });
}
