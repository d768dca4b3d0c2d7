/**
 * @module transcripts/messagesdb
 * NanoClaw v1 / Clawdie `store/messages.db` (agent-layouts.md §2.3): the agent's own record
 * of every chat, which is what a transcript must come from, since a bot cannot read
 * Telegram history back (§5.2). Opened read-only, and immutable when no writer is around, so
 * no -wal/-shm files are left behind (as drift/live.ts does). The cursor is the last rowid
 * read plus that row's key: NanoClaw stores with INSERT OR REPLACE and VACUUM may renumber
 * rowids, and either shows as a different row under the saved rowid, which restarts the
 * scan from the beginning (the keys already in the day files keep that free of duplicates).
 */
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { channelName, keyPart, type Batch, type ChatMessage, type TranscriptSource } from "./types.ts";
import { readOnlyTarget } from "../sources/sqliteopen.ts";

/** Rows per batch: the cursor is saved after each, so a huge first sync makes progress. */
const BATCH_ROWS = 5000;

/** NanoClaw's group folder rule (src/group-folder.ts); `global` is shared memory, not a chat's. */
const FOLDER = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

interface Cursor {
  rowid: number;
  key: string;
}

export interface MessagesDbOptions {
  path: string;
  /** Day files of chats without a registered group folder go here. */
  memoryDir: string;
  /** `<root>/groups`: a registered chat's day files go to its group's memory/ folder; absent: everything to memoryDir. */
  groupsDir?: string;
}

/** messagesDbSource reads a NanoClaw messages.db. */
export function messagesDbSource(o: MessagesDbOptions): TranscriptSource {
  return {
    id: `messages-db:${o.path}`,
    kind: "messages-db",
    path: o.path,
    memoryDir: o.memoryDir,
    read: (cursor, signal) => readMessages(o, cursor as Cursor | undefined, signal),
  };
}

async function readMessages(o: MessagesDbOptions, cursor: Cursor | undefined, signal?: AbortSignal): Promise<Batch> {
  const db = new DatabaseSync(await readOnlyTarget(o.path, signal), { readOnly: true, timeout: 2000 });
  try {
    const after = validCursor(db, cursor);
    const cols = columns(db, "messages");
    const folders = o.groupsDir === undefined ? new Map<string, string>() : groupFolders(db);
    const rows = db.prepare(selectSql(cols, columns(db, "chats"))).all(after, BATCH_ROWS) as unknown as Row[];
    signal?.throwIfAborted();
    const messages = rows.map((r) => toMessage(r, cols, folders, o));
    const last = rows.at(-1);
    const next: Cursor = last ? { rowid: Number(last.rid), key: `${last.chat_jid}/${last.id}` } : (cursor && after > 0 ? cursor : { rowid: 0, key: "" });
    return { messages, cursor: next, more: rows.length === BATCH_ROWS, unreadable: 0 };
  } catch (err) {
    throw new Error(`read ${o.path}`, { cause: err });
  } finally {
    db.close();
  }
}

/** validCursor is the rowid to read after, or 0 when the saved row is gone or renumbered. */
function validCursor(db: DatabaseSync, c: Cursor | undefined): number {
  if (typeof c?.rowid !== "number" || c.rowid <= 0) return 0;
  const row = db.prepare("SELECT chat_jid, id FROM messages WHERE rowid = ?").get(c.rowid) as { chat_jid: string; id: string } | undefined;
  return row && `${row.chat_jid}/${row.id}` === c.key ? c.rowid : 0;
}

interface Row {
  rid: number | bigint;
  id: string;
  chat_jid: string;
  sender: string | null;
  sender_name: string | null;
  content: string | null;
  timestamp: string | null;
  is_from_me: number | null;
  is_bot_message?: number | null;
  reply_to_message_content?: string | null;
  reply_to_sender_name?: string | null;
  chat_name: string | null;
  chat_channel?: string | null;
}

/** selectSql reads the migrated columns only where they exist (a pre-migration database lacks them, §2.3). */
function selectSql(cols: Set<string>, chatCols: Set<string>): string {
  const opt = ["is_bot_message", "reply_to_message_content", "reply_to_sender_name"].filter((c) => cols.has(c)).map((c) => `, m.${c}`).join("");
  const channel = chatCols.has("channel") ? ", c.channel AS chat_channel" : "";
  return `SELECT m.rowid AS rid, m.id, m.chat_jid, m.sender, m.sender_name, m.content, m.timestamp, m.is_from_me${opt}, c.name AS chat_name${channel}
    FROM messages m LEFT JOIN chats c ON c.jid = m.chat_jid WHERE m.rowid > ? ORDER BY m.rowid LIMIT ?`;
}

function toMessage(r: Row, cols: Set<string>, folders: Map<string, string>, o: MessagesDbOptions): ChatMessage {
  // Without is_bot_message (pre-migration), is_from_me is the best signal of the agent's side.
  const fromAgent = Boolean(cols.has("is_bot_message") ? r.is_bot_message : r.is_from_me);
  const sender = r.sender_name || r.sender || "?";
  let text = r.content ?? "";
  // NanoClaw prefixes its own replies with "<assistant name>: " (the backfill rule of §2.3).
  if (fromAgent && text.startsWith(`${sender}: `)) text = text.slice(sender.length + 2);
  const m: ChatMessage = { key: `messages-db:${keyPart(r.chat_jid)}/${keyPart(r.id)}`, channel: channelName(r.chat_channel || channelOfJid(r.chat_jid)), time: Date.parse(r.timestamp ?? ""), sender, fromAgent, text };
  if (r.chat_name) m.chat = r.chat_name;
  if (r.reply_to_message_content || r.reply_to_sender_name) {
    m.replyTo = {};
    if (r.reply_to_sender_name) m.replyTo.sender = r.reply_to_sender_name;
    if (r.reply_to_message_content) m.replyTo.text = r.reply_to_message_content;
  }
  const folder = folders.get(r.chat_jid);
  if (folder !== undefined && o.groupsDir !== undefined) m.memoryDir = join(o.groupsDir, folder, "memory");
  return m;
}

/** channelOfJid names the channel from a chat JID (§2.2): tg:…, dc:…, …@g.us / …@s.whatsapp.net. */
export function channelOfJid(jid: string): string {
  if (/@(g\.us|s\.whatsapp\.net|lid)$/.test(jid) || jid.startsWith("wa:")) return "whatsapp";
  const prefix = /^([a-z]+):/i.exec(jid)?.[1]?.toLowerCase();
  const known: Record<string, string> = { tg: "telegram", dc: "discord", sl: "slack", slack: "slack", sig: "signal", signal: "signal" };
  return prefix === undefined ? "chat" : (known[prefix] ?? prefix);
}

function columns(db: DatabaseSync, table: string): Set<string> {
  return new Set((db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name));
}

/** groupFolders maps registered chats to their group folder; unregistered chats go to the main memory folder. */
function groupFolders(db: DatabaseSync): Map<string, string> {
  const out = new Map<string, string>();
  if (!columns(db, "registered_groups").has("folder")) return out;
  for (const r of db.prepare("SELECT jid, folder FROM registered_groups").all() as { jid: string; folder: string }[]) {
    if (FOLDER.test(r.folder) && r.folder !== "global") out.set(r.jid, r.folder);
  }
  return out;
}

