import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { after, before, describe, test } from "node:test";
import { writeMessagesDb } from "../testing/fixtures/_messagesDb.ts";
import { rng } from "../testing/fixtures/_random.ts";
import { assertGolden, countKeys, snapshot, sync, tempDir } from "./_golden.ts";
import { channelOfJid, messagesDbSource } from "./messagesdb.ts";
import { readCursors, cursorFile } from "./state.ts";

type Msg = [id: string, jid: string, sender: string, name: string, content: string, time: string, fromMe: number, bot: number, reply?: [string, string, string]];

const MESSAGES: Msg[] = [
  ["5001", "tg:42", "42", "Sam", "Good morning ☀️\nAny plans?", "2026-11-21T07:05:00.000Z", 0, 0],
  ["5002", "tg:42", "bot", "Andy", "Andy: Morning! Climbing at 10.", "2026-11-21T07:05:30.000Z", 1, 1, ["5001", "Good morning ☀️ Any plans?", "Sam"]],
  ["5003", "tg:-1001234567890", "43", "Mia", "# not a heading <!-- lb:msg messages-db:tg:42/5009 x -->", "2026-11-21T12:00:00.000Z", 0, 0],
  // 23:30 UTC is 00:30 the next day in Berlin: it belongs to 2026-11-22's file.
  ["5004", "tg:42", "42", "Sam", "Still up?", "2026-11-21T23:30:00.000Z", 0, 0],
  ["3EB0AA", "4915112345678@s.whatsapp.net", "4915112345678", "Sam", "Bought the rope 🧗", "2026-11-21T15:00:00.000Z", 1, 0],
];

function buildDb(path: string, preMigration = false): void {
  const db = new DatabaseSync(path);
  try {
    db.exec("PRAGMA journal_mode=WAL");
    writeMessagesDb(db, rng(1), 0, preMigration);
    for (const m of MESSAGES) insert(db, m, preMigration);
  } finally {
    db.close();
  }
}

function insert(db: DatabaseSync, m: Msg, preMigration = false): void {
  if (preMigration) {
    db.prepare("INSERT OR REPLACE INTO messages (id, chat_jid, sender, sender_name, content, timestamp, is_from_me) VALUES (?, ?, ?, ?, ?, ?, ?)").run(...m.slice(0, 7) as [string, string, string, string, string, string, number]);
    return;
  }
  db.prepare(`INSERT OR REPLACE INTO messages (id, chat_jid, sender, sender_name, content, timestamp, is_from_me, is_bot_message, reply_to_message_id, reply_to_message_content, reply_to_sender_name)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(...m.slice(0, 8) as [string, string, string, string, string, string, number, number], ...(m[8] ?? [null, null, null]));
}

describe("messages.db source", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let db: string;
  const source = () => messagesDbSource({ path: db, memoryDir: join(dir, "groups", "main", "memory"), groupsDir: join(dir, "groups") });
  before(async () => {
    ({ dir, cleanup } = await tempDir("msgdb"));
    db = join(dir, "messages.db");
    buildDb(db);
  });
  after(() => cleanup());

  test("syncs into the golden day files, per group folder and local day", async () => {
    const r = await sync(dir, [source()]);
    assert.equal(r.sources[0]!.error, undefined);
    assert.equal(r.written, 5);
    const groups = join(dir, "groups");
    await assertGolden(await readFile(join(groups, "telegram_main", "memory", "telegram-2026-11-21.md"), "utf8"), "messagesdb-telegram-2026-11-21.md");
    await assertGolden(await readFile(join(groups, "telegram_main", "memory", "telegram-2026-11-22.md"), "utf8"), "messagesdb-telegram-2026-11-22.md");
    await assertGolden(await readFile(join(groups, "main", "memory", "telegram-2026-11-21.md"), "utf8"), "messagesdb-group-telegram-2026-11-21.md");
    await assertGolden(await readFile(join(groups, "main", "memory", "whatsapp-2026-11-21.md"), "utf8"), "messagesdb-whatsapp-2026-11-21.md");
  });

  test("a second run changes nothing, and the database gets no sidecars", async () => {
    const before = await snapshot(join(dir, "groups"));
    const r = await sync(dir, [source()]);
    assert.equal(r.written, 0);
    assert.deepEqual(await snapshot(join(dir, "groups")), before);
    assert.deepEqual((await readdir(dir)).filter((n) => n.startsWith("messages.db")), ["messages.db"]);
  });

  test("a crash between append and cursor save writes nothing twice", async () => {
    const w = new DatabaseSync(db);
    insert(w, ["5005", "tg:42", "42", "Sam", "After the crash", "2026-11-22T08:00:00.000Z", 0, 0]);
    w.close();
    const crash = await sync(dir, [source()], { afterAppend: () => { throw new Error("simulated crash"); } });
    assert.equal(crash.sources[0]!.error, "simulated crash");
    assert.equal(crash.written, 1);
    const again = await sync(dir, [source()]);
    assert.equal(again.written, 0);
    assert.equal(again.sources[0]!.present, 1);
    const text = await readFile(join(dir, "groups", "telegram_main", "memory", "telegram-2026-11-22.md"), "utf8");
    assert.equal(countKeys(text, "messages-db:tg:42/5005"), 1);
  });

  test("a message arriving later for an earlier day is appended to that day's file", async () => {
    const w = new DatabaseSync(db);
    insert(w, ["5000", "tg:42", "42", "Sam", "Sent from the plane yesterday", "2026-11-21T06:00:00.000Z", 0, 0]);
    w.close();
    const r = await sync(dir, [source()]);
    assert.equal(r.written, 1);
    const text = await readFile(join(dir, "groups", "telegram_main", "memory", "telegram-2026-11-21.md"), "utf8");
    assert.ok(text.trimEnd().endsWith("<!-- lb:msg messages-db:tg:42/5000 2026-11-21T06:00:00.000Z -->"), text);
    assert.equal(countKeys(text, "messages-db:tg:42/5001"), 1);
  });

  test("INSERT OR REPLACE of the last row (a new rowid) and VACUUM rescan without duplicates", async () => {
    const w = new DatabaseSync(db);
    insert(w, ["5000", "tg:42", "42", "Sam", "Sent from the plane yesterday", "2026-11-21T06:00:00.000Z", 0, 0]);
    w.exec("DELETE FROM messages WHERE id = '5003'; VACUUM");
    w.close();
    const r = await sync(dir, [source()]);
    assert.equal(r.written, 0);
    assert.ok(r.sources[0]!.present >= 5, "rescanned from the start");
    const state = await readCursors(cursorFile(join(dir, "state"), "test"));
    assert.ok(state.cursors[source().id], "cursor saved");
  });

  test("a pre-migration database (no is_bot_message, no reply columns) still reads", async () => {
    const { dir: d2, cleanup: c2 } = await tempDir("premig");
    try {
      buildDb(join(d2, "old.db"), true);
      const r = await sync(d2, [messagesDbSource({ path: join(d2, "old.db"), memoryDir: join(d2, "memory") })]);
      assert.equal(r.written, 5);
      const text = await readFile(join(d2, "memory", "whatsapp-2026-11-21.md"), "utf8");
      assert.match(text, /## 16:00 Sam \(agent\) · Sam \(WhatsApp\)\nBought the rope/, "is_from_me is the agent's side without is_bot_message");
    } finally {
      await c2();
    }
  });

  test("channels from JIDs", () => {
    assert.equal(channelOfJid("tg:-100123"), "telegram");
    assert.equal(channelOfJid("120363@g.us"), "whatsapp");
    assert.equal(channelOfJid("4915@s.whatsapp.net"), "whatsapp");
    assert.equal(channelOfJid("dc:123"), "discord");
    assert.equal(channelOfJid("odd"), "chat");
  });
});
