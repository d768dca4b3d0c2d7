/**
 * @module bench/sqlite-capture
 * Which consistent SQLite copy deduplicates better across hourly snapshots, and with which
 * chunker. Builds a NanoClaw-style messages.db (WAL mode), simulates `--hours` hours of
 * activity (message inserts with random WhatsApp-style ids, router_state and scheduled_tasks
 * updates, task run logs) and after each hour captures the database with (a) node:sqlite
 * backup() in one step and (b) VACUUM INTO. Every capture is cut by each chunker; a chunk
 * is "new" when its sha256 was not seen in an earlier capture of the same method × chunker.
 *
 *   node_modules/.bin/node bench/sqlite-capture.ts [--messages 200000] [--hours 12]
 *     [--inserts 300] [--seed 1] [--work DIR] [--keep]
 *
 * Prints a markdown table per method × chunker: median new (never seen) chunk bytes per
 * hour over hours 1..N; the repository growth those cost (each new chunk zstd-3 compressed
 * as the repository stores it, plus per-blob pack/AEAD/index overhead, plus the file's
 * list of content ids, which changes every hour); chunks per capture; capture time.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { backup, DatabaseSync } from "node:sqlite";
import { createFastCdc, createFixedChunker, type Chunker } from "../src/chunker/index.ts";
import { maybeCompress } from "../src/repository/compress.ts";
import { Rng } from "./generate.ts";

const { values: args } = parseArgs({
  options: {
    messages: { type: "string", default: "200000" }, hours: { type: "string", default: "12" },
    inserts: { type: "string", default: "300" }, seed: { type: "string", default: "1" },
    work: { type: "string" }, keep: { type: "boolean", default: false },
  },
});
const MESSAGES = Number(args.messages);
const HOURS = Number(args.hours);
const INSERTS = Number(args.inserts);
const rng = new Rng(Number(args.seed));
const work = args.work ?? mkdtempSync(join(tmpdir(), "lifeboat-bench-sqlite-"));
const dbPath = join(work, "messages.db");

// Schema as NanoClaw's src/db.ts creates it (tables, primary keys and indexes).
const SCHEMA = `
PRAGMA journal_mode = WAL;
CREATE TABLE chats (jid TEXT PRIMARY KEY, name TEXT, last_message_time TEXT);
CREATE TABLE messages (id TEXT, chat_jid TEXT, sender TEXT, sender_name TEXT, content TEXT, timestamp TEXT,
  is_from_me INTEGER, is_bot_message INTEGER DEFAULT 0, PRIMARY KEY (id, chat_jid), FOREIGN KEY (chat_jid) REFERENCES chats(jid));
CREATE INDEX idx_timestamp ON messages(timestamp);
CREATE TABLE scheduled_tasks (id TEXT PRIMARY KEY, group_folder TEXT NOT NULL, chat_jid TEXT NOT NULL, prompt TEXT NOT NULL,
  schedule_type TEXT NOT NULL, schedule_value TEXT NOT NULL, next_run TEXT, last_run TEXT, last_result TEXT,
  status TEXT DEFAULT 'active', created_at TEXT NOT NULL);
CREATE INDEX idx_next_run ON scheduled_tasks(next_run);
CREATE TABLE task_run_logs (id INTEGER PRIMARY KEY AUTOINCREMENT, task_id TEXT NOT NULL, run_at TEXT NOT NULL,
  duration_ms INTEGER NOT NULL, status TEXT NOT NULL, result TEXT, error TEXT);
CREATE INDEX idx_task_run_logs ON task_run_logs(task_id, run_at);
CREATE TABLE router_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sessions (group_folder TEXT PRIMARY KEY, session_id TEXT NOT NULL);
CREATE TABLE registered_groups (jid TEXT PRIMARY KEY, name TEXT NOT NULL, folder TEXT NOT NULL UNIQUE,
  trigger_pattern TEXT NOT NULL, added_at TEXT NOT NULL, container_config TEXT, requires_trigger INTEGER DEFAULT 1);`;

const WORDS = ("the a to and of is it you that in for on with this be are have not at can do your will what if " +
  "agent task reminder meeting tomorrow please check the server deploy build failed passed email calendar note " +
  "summary search result link photo thanks ok sure later today morning schedule daily weekly report").split(" ");
const CHATS = Array.from({ length: 40 }, (_, i) => `1203630${String(4000 + i)}@g.us`);
const TASKS = Array.from({ length: 20 }, (_, i) => `task-${i}`);
let clock = Date.UTC(2026, 0, 1);

const hex = (n: number) => Array.from({ length: n }, () => "0123456789ABCDEF"[rng.below(16)]).join("");
const text = () => Array.from({ length: rng.logUniform(3, 120) }, () => WORDS[rng.below(WORDS.length)]).join(" ");

function insertMessages(db: DatabaseSync, n: number): void {
  const ins = db.prepare("INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  const chat = db.prepare("UPDATE chats SET last_message_time = ? WHERE jid = ?");
  db.exec("BEGIN");
  for (let i = 0; i < n; i++) {
    clock += rng.below(20_000);
    const jid = CHATS[rng.below(CHATS.length)]!;
    const ts = new Date(clock).toISOString();
    const bot = rng.below(3) === 0 ? 1 : 0;
    ins.run(`3EB0${hex(16)}`, jid, `4915${hex(8)}@s.whatsapp.net`, `user${rng.below(30)}`, text(), ts, bot, bot);
    chat.run(ts, jid);
  }
  db.exec("COMMIT");
}

function hourOfActivity(db: DatabaseSync): void {
  // Messages arrive in small bursts, each its own transaction, as an agent writes them.
  for (let left = INSERTS; left > 0; left -= 10) insertMessages(db, Math.min(10, left));
  const now = new Date(clock).toISOString();
  for (let i = 0; i < 30; i++) {
    db.prepare("INSERT OR REPLACE INTO router_state VALUES (?, ?)").run(`last_seen:${CHATS[rng.below(CHATS.length)]}`, now);
  }
  for (let i = 0; i < 6; i++) {
    const id = TASKS[rng.below(TASKS.length)]!;
    db.prepare("UPDATE scheduled_tasks SET last_run = ?, next_run = ?, last_result = ? WHERE id = ?").run(now, now, text(), id);
    db.prepare("INSERT INTO task_run_logs (task_id, run_at, duration_ms, status, result) VALUES (?, ?, ?, 'success', ?)")
      .run(id, now, rng.below(60_000), text());
  }
  db.prepare("INSERT OR REPLACE INTO sessions VALUES (?, ?)").run(`group-${rng.below(5)}`, hex(32));
}

function build(): DatabaseSync {
  const db = new DatabaseSync(dbPath);
  db.exec(SCHEMA);
  for (const jid of CHATS) db.prepare("INSERT INTO chats VALUES (?, ?, NULL)").run(jid, text().slice(0, 40));
  for (const jid of CHATS.slice(0, 5)) {
    db.prepare("INSERT INTO registered_groups VALUES (?, ?, ?, '@Andy', ?, NULL, 1)").run(jid, jid, `group-${jid.slice(7, 11)}`, "2026-01-01");
  }
  for (const id of TASKS) {
    db.prepare("INSERT INTO scheduled_tasks (id, group_folder, chat_jid, prompt, schedule_type, schedule_value, created_at) VALUES (?, 'main', ?, ?, 'cron', '0 * * * *', '2026-01-01')")
      .run(id, CHATS[0]!, text());
  }
  for (let done = 0; done < MESSAGES; done += 10_000) insertMessages(db, Math.min(10_000, MESSAGES - done));
  return db;
}

type Method = "backup" | "vacuum";
const CHUNKERS: [string, Chunker][] = (() => {
  const key = new Uint8Array(32).fill(7);
  return [
    ["fastcdc 1M (512K/1M/8M)", createFastCdc({ key })],
    ["fastcdc 64K (32K/64K/512K)", createFastCdc({ key, min: 32 << 10, avg: 64 << 10, max: 512 << 10 })],
    ["fixed 64K", createFixedChunker({ size: 64 << 10 })],
    ["fixed 16K", createFixedChunker({ size: 16 << 10 })],
    ["fixed 8K", createFixedChunker({ size: 8 << 10 })],
    ["fixed 4K (= page)", createFixedChunker({ size: 4 << 10 })],
  ];
})();

interface Series { seen: Set<string>; newBytes: number[]; stored: number[]; chunks: number[] }

// Per new blob: its pack header entry (42 B), AEAD nonce + tag (28 B) and its index entry
// ([id, type, offset, length, rawLength, compressed] as JSON, ~95 B, ~60 B after zstd).
const BLOB_OVERHEAD = 42 + 28 + 60;

async function capture(src: DatabaseSync, method: Method, out: string): Promise<number> {
  rmSync(out, { force: true });
  const t0 = performance.now();
  if (method === "backup") await backup(src, out, { rate: 0x7fffffff });
  else src.prepare("VACUUM INTO ?").run(out);
  return performance.now() - t0;
}

async function account(file: string, series: Series[]): Promise<void> {
  const data = readFileSync(file);
  for (const [i, [, chunker]] of CHUNKERS.entries()) {
    const s = series[i]!;
    let fresh = 0;
    let stored = 0;
    const ids: string[] = [];
    for await (const c of chunker.chunks((async function* () { yield data; })())) {
      const id = createHash("sha256").update(c).digest("hex");
      ids.push(id);
      if (s.seen.has(id)) continue;
      s.seen.add(id);
      fresh += c.length;
      stored += (maybeCompress(c)?.length ?? c.length) + BLOB_OVERHEAD;
    }
    // The file node's content list (hex ids in the tree blob) changes every hour: count it.
    stored += maybeCompress(Buffer.from(JSON.stringify(ids)))?.length ?? 0;
    s.newBytes.push(fresh);
    s.stored.push(stored);
    s.chunks.push(ids.length);
  }
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2; };
const mb = (n: number) => `${(n / 1e6).toFixed(2)} MB`;

async function main(): Promise<void> {
  const t0 = performance.now();
  const writer = build();
  console.error(`built ${dbPath} (${mb(statSync(dbPath).size)}, ${MESSAGES} messages) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const reader = new DatabaseSync(dbPath, { readOnly: true, timeout: 5000 });
  const methods: Method[] = ["backup", "vacuum"];
  const series = new Map(methods.map((m) => [m, CHUNKERS.map((): Series => ({ seen: new Set(), newBytes: [], stored: [], chunks: [] }))]));
  const times = new Map<Method, number[]>(methods.map((m) => [m, []]));
  const sizes = new Map<Method, number>();
  for (let hour = 0; hour <= HOURS; hour++) {
    if (hour > 0) hourOfActivity(writer);
    for (const m of methods) {
      const out = join(work, `capture-${m}.sqlite`);
      times.get(m)!.push(await capture(reader, m, out));
      sizes.set(m, statSync(out).size);
      await account(out, series.get(m)!);
    }
    console.error(`hour ${hour} captured`);
  }
  reader.close();
  writer.close();
  console.log(`\n${MESSAGES} messages, ${HOURS} hours × ${INSERTS} inserts (+30 router_state, 6 task updates/logs, 1 session);` +
    ` final size: backup ${mb(sizes.get("backup")!)}, VACUUM INTO ${mb(sizes.get("vacuum")!)}\n`);
  console.log(`| method | chunker | new bytes / hour (median) | repository growth / hour (median) | growth, hours 1-${HOURS} | chunks / capture | capture time (median) |`);
  console.log("|---|---|---:|---:|---:|---:|---:|");
  for (const m of methods) {
    for (const [i, [name]] of CHUNKERS.entries()) {
      const s = series.get(m)![i]!;
      const hourly = s.newBytes.slice(1);
      const grown = s.stored.slice(1);
      console.log(`| ${m === "backup" ? "backup() one step" : "VACUUM INTO"} | ${name} | ${mb(median(hourly))} | ${mb(median(grown))} | ${mb(grown.reduce((a, b) => a + b, 0))} | ${s.chunks.at(-1)} | ${median(times.get(m)!).toFixed(0)} ms |`);
    }
  }
  if (!args.keep) rmSync(work, { recursive: true, force: true });
}

await main();
