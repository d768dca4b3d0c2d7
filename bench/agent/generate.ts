/**
 * @module bench/agent/generate
 * A deterministic, realistic agent state for the Performance benchmarks: OpenClaw-style
 * identity and memory markdown, a year of daily logs, 90 days of Telegram transcripts,
 * session JSONL transcripts, a NanoClaw v1 store/messages.db (~600k messages at scale 1),
 * group CLAUDE.md files, a 0600 .env and a PostgreSQL memory database. `hourStep` then adds
 * one hour of activity and returns how many bytes of new logical data it wrote.
 *
 * The same (seed, scale) gives the same bytes, names and mtimes; PostgreSQL rows carry
 * timestamps derived from the generated clock, never the wall clock.
 *
 *   node_modules/.bin/node bench/agent/generate.ts --out /tmp/agent --scale 0.05 --seed 1 --pg-database lb_agent
 *   node_modules/.bin/node bench/agent/generate.ts --out /tmp/agent --hour 1 --seed 1 --pg-database lb_agent
 *   node_modules/.bin/node bench/agent/generate.ts --drop-pg lb_agent
 */
import { spawnSync } from "node:child_process";
import { appendFileSync, chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { Rng } from "../generate.ts";
import { CHATS, writeMessagesDb } from "../../src/testing/fixtures/_messagesDb.ts";
import { rng as fixtureRng } from "../../src/testing/fixtures/_random.ts";

const KiB = 1024;
const MiB = 1024 * KiB;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The generated "now": the end of the year of history, and hour 0 of hourStep. */
const T0 = Date.UTC(2026, 3, 17, 0, 0, 0);
const AGENT = "Andy";
const USER = "Sam";

export interface PgOptions {
  database: string;
  host?: string;
  port?: number;
  user?: string;
}

export interface GenerateAgentOptions {
  seed: number;
  /** 1 is the full size (~600k messages, 365 days of logs, ~300 sessions). */
  scale: number;
  /** Omit to skip the PostgreSQL part. */
  pg?: PgOptions;
}

export interface GenerateAgentStats {
  files: number;
  bytes: number;
  messages: number;
  pgRows: number;
  ms: number;
}

export interface HourStepOptions {
  seed: number;
  /** 1, 2, 3, ...: the hour after generation this step simulates. */
  hour: number;
  pg?: PgOptions;
}

// ---------------------------------------------------------------------------------------
// Text.

const WORDS = (
  "the of and to a in is it you that was for on are with as be at have this from or by not but what some we can out " +
  "all there when up use your how an each which do their time if will way about many then them would like so these " +
  "make see has look more day could go come did no most my over know than call first who may down been now find any " +
  "new work part take get place made where after back only year every good give name very just think say help before " +
  "move right old same tell does set want also small end put home read check again later tomorrow morning evening " +
  "agent memory session tool call result user assistant model prompt token context file folder backup restore " +
  "snapshot config error warning message task plan step done todo note project meeting schedule email calendar " +
  "reminder search browser page login deploy server database query index cache request response status retry timeout " +
  "queue worker job cron heartbeat gateway channel telegram whatsapp summary decision preference identity goal review " +
  "draft commit branch merge test build release function value return import package version install update remove " +
  "create open close write append list show verify encrypt key groceries trip budget weather flight hotel dentist " +
  "invoice climbing garden plants coffee recipe podcast birthday gift train ticket doctor insurance tax receipt"
).split(" ");
const EXTRA = ["今天的会议很顺利。", "記憶を整理しました。", "🚀 shipped it", "☕️ coffee first", "✅ done", "🦞", "naïve café", "👍"];

class Text {
  readonly r: Rng;
  private recent = "";

  constructor(r: Rng) {
    this.r = r;
  }

  word(): string {
    // Zipf-like: low indexes much more often.
    const u = this.r.float();
    return WORDS[Math.floor(u * u * u * WORDS.length)]!;
  }

  sentence(min = 5, max = 18): string {
    // A share of sentences repeat recent text, as agent text does (quotes, templates).
    if (this.recent.length > 400 && this.r.below(100) < 15) {
      const n = 30 + this.r.below(200);
      const from = this.r.below(this.recent.length - n);
      return this.recent.slice(from, from + n).trim() + ".";
    }
    const n = min + this.r.below(max - min + 1);
    const w: string[] = [];
    for (let i = 0; i < n; i++) w.push(this.word());
    let s = w.join(" ");
    s = s[0]!.toUpperCase() + s.slice(1) + (this.r.below(10) < 8 ? "." : "?");
    if (this.r.below(12) === 0) s += " " + EXTRA[this.r.below(EXTRA.length)]!;
    this.recent = (this.recent + " " + s).slice(-4096);
    return s;
  }

  paragraph(n = 3): string {
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(this.sentence());
    return out.join(" ");
  }

  hex(n: number): string {
    let s = "";
    while (s.length < n) s += this.r.next().toString(16).padStart(8, "0");
    return s.slice(0, n);
  }

  uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${"89ab"[this.r.below(4)]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  /** markdown returns about `size` bytes of headed sections, lists and prose. */
  markdown(title: string, size: number): string {
    let s = `# ${title}\n\n`;
    while (s.length < size) {
      const k = this.r.below(10);
      if (k < 2) s += `## ${this.word()[0]!.toUpperCase()}${this.word().slice(1)} ${this.word()}\n\n`;
      else if (k < 6) {
        for (let i = 2 + this.r.below(5); i > 0; i--) s += `- ${this.sentence(4, 14)}\n`;
        s += "\n";
      } else s += this.paragraph(2 + this.r.below(4)) + "\n\n";
    }
    return s;
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function isoDay(ms: number): string {
  return iso(ms).slice(0, 10);
}

function hhmm(ms: number): string {
  return iso(ms).slice(11, 16);
}

function count(n: number, scale: number, min: number): number {
  return Math.max(min, Math.round(n * scale));
}

// ---------------------------------------------------------------------------------------
// Files.

class Writer {
  files = 0;
  bytes = 0;

  put(path: string, data: string | Buffer, mtime?: number, mode?: number): number {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, data, mode === undefined ? undefined : { mode });
    if (mode !== undefined) chmodSync(path, mode);
    if (mtime !== undefined) utimesSync(path, mtime / 1000, mtime / 1000);
    const n = typeof data === "string" ? Buffer.byteLength(data) : data.length;
    this.files++;
    this.bytes += n;
    return n;
  }

  append(path: string, data: string, mtime?: number): number {
    mkdirSync(dirname(path), { recursive: true });
    appendFileSync(path, data);
    if (mtime !== undefined) utimesSync(path, mtime / 1000, mtime / 1000);
    const n = Buffer.byteLength(data);
    this.bytes += n;
    return n;
  }
}

function identity(w: Writer, dir: string, t: Text): void {
  const m = T0 - 200 * DAY;
  w.put(join(dir, "SOUL.md"), `# SOUL.md - Who You Are\n\nYou are ${AGENT}. Be genuinely helpful, not performatively helpful.\n\n${t.markdown("Core truths", 2500).slice(2)}\n## Boundaries\n- Private things stay private. 🔒\n`, m);
  w.put(join(dir, "IDENTITY.md"), `# IDENTITY.md\n\n- **Name:** ${AGENT}\n- **Creature:** lobster 🦞\n- **Vibe:** calm, dry humour\n- **Emoji:** 🦞\n\n${t.paragraph(4)}\n`, m);
  w.put(join(dir, "USER.md"), `# USER.md\n\n- **Name:** ${USER}\n- **Timezone:** Europe/Berlin\n- **Notes:** 日本語も少し話せる。\n\n${t.markdown("Preferences", 1800).slice(2)}`, m + DAY);
  w.put(join(dir, "AGENTS.md"), `# AGENTS.md - Your Workspace\n\n## Every Session\n1. Read SOUL.md\n2. Read USER.md\n3. Read memory/YYYY-MM-DD.md (today + yesterday)\n\n${t.markdown("Rules", 7000).slice(2)}`, m + 2 * DAY);
  w.put(join(dir, "TOOLS.md"), `# TOOLS.md\n\n- ssh host: homelab\n- camera: front-door\n- calendar: caldav://cal.example.org/sam\n\n${t.markdown("Notes", 1500).slice(2)}`, m + 3 * DAY);
  w.put(join(dir, "HEARTBEAT.md"), "# HEARTBEAT.md\n\n- check email\n- check calendar\n- check weather before 8am\n", m + 3 * DAY);
}

function memoryMd(t: Text, size: number): string {
  return t.markdown("MEMORY.md", size);
}

function dailyLog(t: Text, dayStart: number): string {
  // Median ~4 KB, log-normal-ish spread 1-16 KB.
  const size = Math.round(4 * KiB * Math.pow(2, (t.r.float() + t.r.float() + t.r.float() - 1.5) * 1.6));
  let s = `# ${isoDay(dayStart)}\n\n`;
  let ms = dayStart + 7 * HOUR;
  while (s.length < size) {
    ms += t.r.below(40) * 60_000;
    s += `- ${hhmm(ms)} ${t.sentence(6, 22)}${t.r.below(3) === 0 ? " " + t.sentence() : ""}\n`;
  }
  return s;
}

function telegramLines(t: Text, from: number, n: number): string {
  let s = "";
  let ms = from;
  for (let i = 0; i < n; i++) {
    ms += 20_000 + t.r.below(600_000);
    const who = t.r.below(2) === 0 ? USER : AGENT;
    s += `**${who}** (${hhmm(ms)}): ${who === USER ? t.sentence(2, 14) : t.paragraph(1 + t.r.below(3))}\n\n`;
  }
  return s;
}

/** session returns an OpenClaw (pi-coding-agent v3) JSONL transcript of about `size` bytes. */
function session(t: Text, id: string, start: number, size: number): string {
  const lines: string[] = [JSON.stringify({ type: "session", version: 3, id, timestamp: iso(start), cwd: "/home/sam/.openclaw/workspace" })];
  let bytes = lines[0]!.length;
  let parent: string | null = null;
  let ms = start;
  const entry = (e: Record<string, unknown>) => {
    const eid = t.hex(8);
    ms += 500 + t.r.below(20_000);
    const line = JSON.stringify({ type: e["type"] ?? "message", id: eid, parentId: parent, timestamp: iso(ms), ...e });
    lines.push(line);
    bytes += line.length + 1;
    parent = eid;
  };
  entry({ type: "model_change", provider: "anthropic", modelId: "claude-sonnet-4-5" });
  entry({ type: "thinking_level_change", thinkingLevel: "low" });
  let turn = 0;
  while (bytes < size) {
    turn++;
    const mid = 1000 + turn;
    entry({ type: "message", message: { role: "user", content: [{ type: "text", text: `Conversation info (untrusted metadata):\n\`\`\`json\n{"message_id": "${mid}", "sender_id": "42"}\n\`\`\`\n[message_id: ${mid}]\n${USER}: ${t.sentence()}` }], timestamp: ms } });
    const tools = t.r.below(4);
    for (let k = 0; k < tools; k++) {
      const callId = `toolu_${t.hex(24)}`;
      const tool = ["read", "exec", "web_search", "memory_search", "write"][t.r.below(5)]!;
      entry({ type: "message", message: { role: "assistant", content: [{ type: "thinking", thinking: t.paragraph(2) }, { type: "toolCall", id: callId, name: tool, arguments: { path: `memory/${isoDay(ms - t.r.below(30) * DAY)}.md`, query: t.sentence(3, 8) } }], api: "anthropic-messages", provider: "anthropic", model: "claude-sonnet-4-5", usage: { input: 2000 + t.r.below(90000), output: 50 + t.r.below(2000), cacheRead: t.r.below(80000), cacheWrite: 0, totalTokens: 0 }, stopReason: "toolUse", timestamp: ms } });
      // Tool results are the bulk: file contents, command output, search pages.
      const big = t.r.below(8) === 0 ? 20 + t.r.below(120) : 2 + t.r.below(12);
      entry({ type: "message", message: { role: "toolResult", toolCallId: callId, toolName: tool, content: [{ type: "text", text: t.paragraph(big) }], isError: t.r.below(30) === 0, timestamp: ms } });
    }
    entry({ type: "message", message: { role: "assistant", content: [{ type: "text", text: t.paragraph(1 + t.r.below(6)) }], api: "anthropic-messages", provider: "anthropic", model: "claude-sonnet-4-5", usage: { input: 2000 + t.r.below(90000), output: 50 + t.r.below(2000), cacheRead: t.r.below(80000), cacheWrite: 0, totalTokens: 0 }, stopReason: "stop", timestamp: ms } });
  }
  return lines.join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------
// messages.db

function messageRow(t: Text, i: number, ms: number): [string, string, string, string, string, string, number, number] {
  const chat = CHATS[t.r.below(8) < 5 ? 0 : t.r.below(CHATS.length)]!;
  const bot = t.r.below(2);
  const id = chat.channel === "telegram" ? String(5000 + i) : `3EB0${t.hex(16).toUpperCase()}`;
  const body = t.r.below(10) === 0 ? t.paragraph(3 + t.r.below(8)) : bot ? t.paragraph(1 + t.r.below(2)) : t.sentence(2, 16);
  return [id, chat.jid, bot ? "bot" : "42", bot ? AGENT : USER, bot ? `${AGENT}: ${body}` : body, iso(ms), bot, bot];
}

const INSERT_MSG = "INSERT INTO messages (id, chat_jid, sender, sender_name, content, timestamp, is_from_me, is_bot_message) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";

function routerState(db: DatabaseSync, ms: number): void {
  db.prepare("INSERT OR REPLACE INTO router_state VALUES ('last_timestamp', ?)").run(iso(ms));
  db.prepare("INSERT OR REPLACE INTO router_state VALUES ('last_agent_timestamp', ?)").run(JSON.stringify(Object.fromEntries(CHATS.map((c) => [c.jid, iso(ms)]))));
  db.prepare("UPDATE chats SET last_message_time = ?").run(iso(ms));
}

function messagesDb(path: string, t: Text, seed: number, n: number): number {
  mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;");
  db.exec("BEGIN");
  writeMessagesDb(db, fixtureRng(seed), 0, false);
  db.exec("COMMIT");
  const ins = db.prepare(INSERT_MSG);
  const from = T0 - 365 * DAY;
  const step = (365 * DAY) / Math.max(1, n);
  let bytes = 0;
  const batch = 50_000;
  for (let i = 0; i < n; i += batch) {
    db.exec("BEGIN");
    for (let k = i; k < Math.min(n, i + batch); k++) {
      const row = messageRow(t, k, Math.round(from + k * step));
      bytes += row[4].length + row[5].length + row[0].length + 20;
      ins.run(...row);
    }
    db.exec("COMMIT");
  }
  // A task run log per day of history.
  db.exec("BEGIN");
  const log = db.prepare("INSERT INTO task_run_logs (task_id, run_at, duration_ms, status, result, error) VALUES (?, ?, ?, ?, ?, ?)");
  for (let d = 0; d < 365; d++) log.run("task-brief", iso(from + d * DAY + 8 * HOUR), 4000 + t.r.below(9000), d % 23 === 7 ? "error" : "success", d % 23 === 7 ? null : t.sentence(), d % 23 === 7 ? "container timeout" : null);
  routerState(db, T0);
  db.exec("COMMIT");
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
  return bytes;
}

// ---------------------------------------------------------------------------------------
// PostgreSQL (through psql: the project has no pg client dependency).

function psql(pg: PgOptions, database: string, sql: string, input?: string): string {
  const args = ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", pg.host ?? "127.0.0.1", "-p", String(pg.port ?? 5432), "-U", pg.user ?? "postgres", "-d", database, "-tA"];
  const res = input === undefined
    ? spawnSync("psql", [...args, "-c", sql], { encoding: "utf8", maxBuffer: 64 * MiB })
    : spawnSync("psql", [...args, "-c", sql], { input, encoding: "utf8", maxBuffer: 64 * MiB });
  if (res.status !== 0) throw new Error(`psql ${database}: ${res.stderr || res.error?.message}`);
  return res.stdout;
}

function validIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`);
  return name;
}

function copyEscape(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r");
}

/** memoryRows returns COPY text for `n` memories, created at `from + i * step`. */
function memoryRows(t: Text, n: number, from: number, step: number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const emb: string[] = [];
    for (let k = 0; k < 384; k++) emb.push((t.r.float() * 2 - 1).toFixed(5));
    const meta = { source: ["telegram", "whatsapp", "session", "heartbeat", "daily"][t.r.below(5)], importance: t.r.below(10), tags: [t.word(), t.word()], session: t.uuid() };
    out.push(`${copyEscape(t.paragraph(1 + t.r.below(4)))}\t${copyEscape(JSON.stringify(meta))}\t{${emb.join(",")}}\t${iso(Math.round(from + i * step))}\n`);
  }
  return out.join("");
}

const COPY_MEMORIES = "COPY memories (text, metadata, embedding, created_at) FROM STDIN";

function pgCreate(pg: PgOptions, t: Text, n: number): number {
  const db = validIdent(pg.database);
  if (psql(pg, "postgres", `SELECT 1 FROM pg_database WHERE datname = '${db}'`).trim() !== "1") psql(pg, "postgres", `CREATE DATABASE ${db}`);
  psql(pg, db, `DROP VIEW IF EXISTS recent_memories; DROP TABLE IF EXISTS memories; DROP SEQUENCE IF EXISTS memory_event_seq;
CREATE TABLE memories (id serial PRIMARY KEY, text text NOT NULL, metadata jsonb NOT NULL DEFAULT '{}', embedding real[] NOT NULL, created_at timestamptz NOT NULL);
CREATE INDEX memories_created_at ON memories (created_at);
CREATE SEQUENCE memory_event_seq;
CREATE VIEW recent_memories AS SELECT id, text, metadata, created_at FROM memories ORDER BY created_at DESC LIMIT 100;`);
  let bytes = 0;
  const batch = 5000;
  const from = T0 - 365 * DAY;
  const step = (365 * DAY) / Math.max(1, n);
  for (let i = 0; i < n; i += batch) {
    const rows = memoryRows(t, Math.min(batch, n - i), from + i * step, step);
    bytes += Buffer.byteLength(rows);
    psql(pg, db, COPY_MEMORIES, rows);
  }
  psql(pg, db, `SELECT setval('memory_event_seq', ${n}); ANALYZE memories;`);
  return bytes;
}

// ---------------------------------------------------------------------------------------
// API

export function generateAgent(dir: string, opts: GenerateAgentOptions): GenerateAgentStats {
  const started = performance.now();
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new Error(`${dir} is not empty`);
  const { seed, scale } = opts;
  const t = new Text(new Rng(seed));
  const w = new Writer();

  identity(w, dir, t);
  w.put(join(dir, "MEMORY.md"), memoryMd(t, 12 * KiB), T0 - HOUR);

  const days = count(365, scale, 7);
  for (let d = days; d >= 1; d--) {
    const day = T0 - d * DAY;
    w.put(join(dir, "memory", `${isoDay(day)}.md`), dailyLog(t, day), day + 23 * HOUR);
  }
  const tgDays = count(90, scale, 3);
  for (let d = tgDays; d >= 1; d--) {
    const day = T0 - d * DAY;
    w.put(join(dir, "memory", `telegram-${isoDay(day)}.md`), `# Telegram ${isoDay(day)}\n\n` + telegramLines(t, day + 7 * HOUR, 20 + t.r.below(80)), day + 23 * HOUR);
  }
  w.put(join(dir, "memory", "heartbeat-state.json"), JSON.stringify({ lastChecks: { email: T0 / 1000 - 600, calendar: T0 / 1000 - 1200, weather: null } }, null, 2) + "\n", T0);

  const sessions = count(300, scale, 5);
  const index: Record<string, unknown> = {};
  for (let i = 0; i < sessions; i++) {
    const id = t.uuid();
    const start = T0 - 365 * DAY + Math.floor(((i + t.r.float()) / sessions) * 365 * DAY);
    const size = t.r.logUniform(3 * KiB, 2 * MiB);
    const text = session(t, id, start, size);
    w.put(join(dir, "sessions", `${id}.jsonl`), text, start + HOUR);
    index[`agent:main:s${i}`] = { sessionId: id, updatedAt: start + HOUR, file: `${id}.jsonl` };
  }
  w.put(join(dir, "sessions", "sessions.json"), JSON.stringify(index, null, 2) + "\n", T0);
  w.put(join(dir, "session-state.json"), sessionState(t, 0), T0);

  for (const [g, name] of [["main", "Sam (WhatsApp)"], ["telegram_main", "Sam"], ["family", "Family"], ["climbing", "Climbing crew"]] as const) {
    w.put(join(dir, "groups", g, "CLAUDE.md"), `# ${name}\n\nYou are ${AGENT}, a personal assistant in "${name}".\n\n${t.markdown("Memory", 2000 + t.r.below(6000)).slice(2)}`, T0 - 30 * DAY);
  }
  w.put(join(dir, ".env"), `TELEGRAM_BOT_TOKEN=${t.r.next()}:${t.hex(35)}\nANTHROPIC_API_KEY=sk-ant-${t.hex(48)}\nASSISTANT_NAME=${AGENT}\n`, T0 - 200 * DAY, 0o600);

  const n = Math.round(600_000 * scale);
  const dbPath = join(dir, "store", "messages.db");
  w.bytes += messagesDb(dbPath, t, seed, n);
  w.files++;
  utimesSync(dbPath, T0 / 1000, T0 / 1000);

  const pgRows = opts.pg ? Math.round(30_000 * scale) : 0;
  if (opts.pg) w.bytes += pgCreate(opts.pg, new Text(new Rng(seed ^ 0x9e37)), pgRows);
  return { files: w.files, bytes: w.bytes, messages: n, pgRows, ms: Math.round(performance.now() - started) };
}

function sessionState(t: Text, hour: number): string {
  const now = T0 + hour * HOUR;
  return JSON.stringify({
    version: 2,
    updatedAt: iso(now),
    activeSession: t.uuid(),
    model: "claude-sonnet-4-5",
    contextTokens: t.r.below(180_000),
    queue: Array.from({ length: t.r.below(4) }, () => ({ id: t.hex(12), text: t.sentence(3, 10), at: iso(now - t.r.below(HOUR)) })),
    channels: Object.fromEntries(CHATS.map((c) => [c.jid, { lastSeen: iso(now - t.r.below(HOUR)), unread: t.r.below(5) }])),
  }, null, 2) + "\n";
}

/** hourStep adds one hour of activity at T0 + hour; returns bytes of new logical data. */
export function hourStep(dir: string, opts: HourStepOptions): number {
  const { seed, hour } = opts;
  if (!Number.isInteger(hour) || hour < 1) throw new Error("hour must be an integer ≥ 1");
  const t = new Text(new Rng((seed * 1_000_003 + hour * 7919) >>> 0));
  const w = new Writer();
  const start = T0 + (hour - 1) * HOUR;
  const now = T0 + hour * HOUR;

  // messages.db: a few hundred messages and the router state.
  const db = new DatabaseSync(join(dir, "store", "messages.db"));
  db.exec("PRAGMA journal_mode = WAL");
  const ins = db.prepare(INSERT_MSG);
  const n = 150 + t.r.below(300);
  db.exec("BEGIN");
  for (let i = 0; i < n; i++) {
    const row = messageRow(t, 10_000_000 + hour * 1000 + i, Math.round(start + (i * HOUR) / n));
    w.bytes += row[4].length + row[5].length + row[0].length + 20;
    ins.run(...row);
  }
  if (hour % 24 === 8) db.prepare("INSERT INTO task_run_logs (task_id, run_at, duration_ms, status, result, error) VALUES ('task-brief', ?, ?, 'success', ?, NULL)").run(iso(start), 4000 + t.r.below(9000), t.sentence());
  routerState(db, now);
  db.exec("COMMIT");
  db.close();

  // Today's daily log and Telegram transcript.
  const day = isoDay(start);
  const log = join(dir, "memory", `${day}.md`);
  let add = "";
  if (!existsSync(log)) add += `# ${day}\n\n`;
  for (let i = 2 + t.r.below(8); i > 0; i--) add += `- ${hhmm(start + t.r.below(HOUR))} ${t.sentence(6, 22)}\n`;
  w.append(log, add, now);
  const tg = join(dir, "memory", `telegram-${day}.md`);
  w.append(tg, (existsSync(tg) ? "" : `# Telegram ${day}\n\n`) + telegramLines(t, start, 5 + t.r.below(20)), now);

  // A new session transcript and the rewritten session state.
  const id = t.uuid();
  w.put(join(dir, "sessions", `${id}.jsonl`), session(t, id, start, t.r.logUniform(3 * KiB, 256 * KiB)), now);
  w.put(join(dir, "session-state.json"), sessionState(t, hour), now);

  // MEMORY.md: an edit every 6 hours (one section rewritten, a line appended).
  if (hour % 6 === 0) {
    const path = join(dir, "MEMORY.md");
    const lines = readFileSync(path, "utf8").split("\n");
    const at = 2 + t.r.below(Math.max(1, lines.length - 3));
    const fresh = [`- ${t.sentence()}`, `- ${t.sentence()}`];
    lines.splice(at, Math.min(2, lines.length - at), ...fresh);
    lines.push(`- ${isoDay(now)}: ${t.sentence()}`, "");
    const text = lines.join("\n").replace(/\n+$/, "\n");
    writeFileSync(path, text);
    utimesSync(path, now / 1000, now / 1000);
    w.bytes += fresh.reduce((s, l) => s + Buffer.byteLength(l) + 1, 0) + 64;
  }

  if (opts.pg) {
    const rows = memoryRows(t, 20 + t.r.below(60), start, HOUR / 80);
    w.bytes += Buffer.byteLength(rows);
    psql(opts.pg, validIdent(opts.pg.database), COPY_MEMORIES, rows);
    psql(opts.pg, opts.pg.database, "SELECT nextval('memory_event_seq')");
  }
  return w.bytes;
}

/** dirSize returns the total size of regular files under dir. */
export function dirSize(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += statSync(join(e.parentPath, e.name)).size;
  }
  return total;
}

export function dropPgDatabase(pg: PgOptions): void {
  psql(pg, "postgres", `DROP DATABASE IF EXISTS ${validIdent(pg.database)}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: "string" },
      scale: { type: "string", default: "1" },
      seed: { type: "string", default: "1" },
      "pg-database": { type: "string" },
      hour: { type: "string" },
      "drop-pg": { type: "string" },
    },
  });
  if (values["drop-pg"] !== undefined) {
    dropPgDatabase({ database: values["drop-pg"] });
    return;
  }
  if (values.out === undefined) throw new Error("--out DIR is required");
  const seed = Number(values.seed);
  const pg = values["pg-database"] === undefined ? undefined : { database: values["pg-database"] };
  if (values.hour !== undefined) {
    const started = performance.now();
    const bytes = hourStep(values.out, { seed, hour: Number(values.hour), pg });
    console.log(JSON.stringify({ hour: Number(values.hour), bytes, ms: Math.round(performance.now() - started), size: dirSize(values.out) }));
    return;
  }
  const stats = generateAgent(values.out, { seed, scale: Number(values.scale), pg });
  console.log(JSON.stringify({ ...stats, size: dirSize(values.out) }));
}

if (import.meta.main) await main();
