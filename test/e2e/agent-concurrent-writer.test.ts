/**
 * @module test/e2e/agent-concurrent-writer.test
 * Issue 3, "Must show" 2: a NanoClaw agent keeps writing while it is backed up. A second
 * process inserts a message into store/messages.db every 2 ms (WAL mode, one transaction per
 * message, ids 1, 2, 3, ... in order) for the whole `lifeboat backup`. The backup finishes;
 * after the project folder is wiped and restored, messages.db passes integrity_check and
 * holds a consistent prefix of the writes: ids 1..N with no gap, N between what was written
 * before the backup started and what was written when it ended, and the fixture's own
 * messages all there. No timing is asserted.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { after, before, describe, it } from "node:test";
import { nanoclawV1 } from "../../src/testing/fixtures/index.ts";
import { verifySqliteFile } from "../../src/sources/sqlite.ts";
import { createAgentWorld, wipe, type AgentWorld } from "./agent-helpers.ts";
import { assertNoStackTrace } from "./helpers.ts";

const FIXTURE_MESSAGES = 2000;
const WRITER_CHAT = "tg:writer";

/**
 * The writer: WAL mode, one INSERT per tick, each its own transaction. It prints
 * "wrote <n>" after each of the first few rows (so the test knows it is running) and its
 * final count when told to stop with SIGTERM.
 */
const WRITER = `
import { DatabaseSync } from "node:sqlite";
const db = new DatabaseSync(process.argv[2], { timeout: 10000 });
db.exec("PRAGMA journal_mode=WAL");
// messages.chat_jid references chats (and node:sqlite enforces foreign keys): a chat first.
db.exec("INSERT OR IGNORE INTO chats (jid, name, channel, is_group) VALUES ('${WRITER_CHAT}', 'Writer', 'telegram', 0)");
const insert = db.prepare("INSERT INTO messages (id, chat_jid, sender, sender_name, content, timestamp, is_from_me, is_bot_message) VALUES (?, '${WRITER_CHAT}', 'writer', 'Writer', ?, ?, 0, 0)");
let n = 0;
const timer = setInterval(() => {
  n++;
  insert.run(String(n), "message " + n + " from the writer", new Date().toISOString());
  if (n <= 25) process.stdout.write("wrote " + n + "\\n");
}, 2);
process.on("SIGTERM", () => {
  clearInterval(timer);
  db.close();
  process.stdout.write("stopped at " + n + "\\n");
  process.exit(0);
});
`;

/** startWriter runs the writer and resolves once it has committed `warmup` rows. */
async function startWriter(script: string, db: string, warmup: number): Promise<{ child: ChildProcess; out: () => string }> {
  const child = spawn(process.execPath, [script, db], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stderr!.setEncoding("utf8").on("data", (d: string) => { err += d; });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      if (out.includes(`wrote ${warmup}\n`)) resolve();
    });
    child.on("exit", (code) => reject(new Error(`writer exited early (${code}): ${err}`)));
  });
  return { child, out: () => out };
}

/** stopWriter stops the writer and returns how many rows it committed. */
async function stopWriter(w: { child: ChildProcess; out: () => string }): Promise<number> {
  const exited = new Promise<number | null>((r) => w.child.on("exit", (code) => r(code)));
  w.child.kill("SIGTERM");
  assert.equal(await exited, 0, `writer failed: ${w.out()}`);
  const m = /stopped at (\d+)/.exec(w.out());
  assert.ok(m, `writer output: ${w.out()}`);
  return Number(m[1]);
}

function writerIds(db: DatabaseSync): number[] {
  return (db.prepare(`SELECT CAST(id AS INTEGER) AS n FROM messages WHERE chat_jid = '${WRITER_CHAT}' ORDER BY n`).all() as { n: number }[]).map((r) => r.n);
}

describe("a NanoClaw agent writing to messages.db every 2 ms during the backup", { timeout: 300_000 }, () => {
  let w: AgentWorld;
  let root: string;
  let writer: { child: ChildProcess; out: () => string } | undefined;

  before(async () => {
    w = await createAgentWorld();
    root = join(w.home, "nanoclaw");
    await nanoclawV1(root, { home: w.home, messages: FIXTURE_MESSAGES });
    await w.writeConfig([{ name: "andy", preset: "nanoclaw", root }]);
  });

  after(async () => {
    if (writer && writer.child.exitCode === null) writer.child.kill("SIGKILL");
    await w?.cleanup();
  });

  it("backs up, and the restored database is intact and holds ids 1..N of the writes", async (t) => {
    const script = join(w.dir, "writer.mjs");
    await writeFile(script, WRITER);
    const dbPath = join(root, "store", "messages.db");
    const warmup = 20;
    writer = await startWriter(script, dbPath, warmup);
    let written: number;
    try {
      const res = await w.ok(["backup", "--json"]);
      assertNoStackTrace(res.stderr);
    } finally {
      written = await stopWriter(writer);
    }
    assert.ok(written > warmup, `the writer kept writing during the backup (${written} rows)`);

    // The live database has every write, in order (the test's own reference).
    const live = new DatabaseSync(dbPath, { readOnly: true });
    try {
      assert.deepEqual(writerIds(live), Array.from({ length: written }, (_, i) => i + 1));
    } finally {
      live.close();
    }

    await wipe(root, join(w.home, ".config", "nanoclaw"));
    const res = await w.ok(["restore", "latest", "--agent", "andy"]);
    assertNoStackTrace(res.stderr);
    assert.match(res.stdout, /restored messages-db → .*messages\.db \(sha256 of 1 file\(s\), integrity_check ok, row counts of \d+ table\(s\) equal\)/);

    const v = await verifySqliteFile(dbPath);
    assert.equal(v.integrity, "ok", "integrity_check of the restored messages.db");
    const db = new DatabaseSync(dbPath, { readOnly: true });
    try {
      const ids = writerIds(db);
      const n = ids.length;
      assert.deepEqual(ids, Array.from({ length: n }, (_, i) => i + 1), "a prefix of the writes, no gaps");
      assert.ok(n >= warmup && n <= written, `N=${n} lies between ${warmup} (before the backup) and ${written} (after)`);
      t.diagnostic(`writer committed ${written} rows in all; the backup holds the first ${n}`);
      const own = db.prepare(`SELECT count(*) AS c FROM messages WHERE chat_jid <> '${WRITER_CHAT}'`).get() as { c: number };
      assert.equal(own.c, FIXTURE_MESSAGES, "the fixture's messages are all there");
      // Each row is whole: the content matches its id.
      const bad = db.prepare(`SELECT count(*) AS c FROM messages WHERE chat_jid = '${WRITER_CHAT}' AND content <> 'message ' || id || ' from the writer'`).get() as { c: number };
      assert.equal(bad.c, 0);
    } finally {
      db.close();
    }
  });
});
