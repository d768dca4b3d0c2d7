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
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { after, before, describe, it } from "node:test";
import { nanoclawV1 } from "../../src/testing/fixtures/index.ts";
import { verifySqliteFile } from "../../src/sources/sqlite.ts";
import { createAgentWorld, wipe, type AgentWorld } from "./agent-helpers.ts";
import { assertNoStackTrace } from "./helpers.ts";
import { startWriter, stopWriter, WRITER_CHAT, type Writer } from "../reliability/sqlite-writer.ts";

/** One message every 2 ms, each its own transaction (test/reliability/sqlite-writer.ts). */
const WRITES_PER_SECOND = 500;

const FIXTURE_MESSAGES = 2000;

function writerIds(db: DatabaseSync): number[] {
  return (db.prepare(`SELECT CAST(id AS INTEGER) AS n FROM messages WHERE chat_jid = '${WRITER_CHAT}' ORDER BY n`).all() as { n: number }[]).map((r) => r.n);
}

describe("a NanoClaw agent writing to messages.db every 2 ms during the backup", { timeout: 300_000 }, () => {
  let w: AgentWorld;
  let root: string;
  let writer: Writer | undefined;

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
    const dbPath = join(root, "store", "messages.db");
    const warmup = 20;
    writer = await startWriter(dbPath, WRITES_PER_SECOND, warmup);
    let written: number;
    try {
      const res = await w.ok(["backup", "--json"]);
      assertNoStackTrace(res.stderr);
    } finally {
      written = (await stopWriter(writer)).rows;
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
