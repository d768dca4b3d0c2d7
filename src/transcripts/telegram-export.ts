/**
 * @module transcripts/telegram-export
 * A Telegram Desktop export, `result.json` (agent-layouts.md §5.1): the only way to Telegram
 * history a bot never stored, since the Bot API has none (§5.2). Both shapes are read: a
 * single chat `{name, type, id, messages}` and a full export `{chats: {list}, left_chats:
 * {list}}`. An export is a snapshot, written again by a later export; the cursor is the file's
 * size and mtime (unchanged: nothing to read) and the highest message id per chat.
 */
import { readFile, stat } from "node:fs/promises";
import { keyPart, type Batch, type ChatMessage, type TranscriptSource } from "./types.ts";
import { actionText, mediaNotes, renderText, type TgMessage } from "./_telegram.ts";

interface TgChat {
  id?: number | string;
  name?: string;
  type?: string;
  messages?: TgMessage[];
}

interface Cursor {
  size: number;
  mtimeMs: number;
  seen: Record<string, number>;
}

export interface TelegramExportOptions {
  path: string;
  memoryDir: string;
}

export function telegramExportSource(o: TelegramExportOptions): TranscriptSource {
  return {
    id: `telegram-export:${o.path}`,
    kind: "telegram-export",
    path: o.path,
    memoryDir: o.memoryDir,
    read: (cursor, signal) => readExport(o.path, cursor as Partial<Cursor> | undefined, signal),
  };
}

async function readExport(path: string, saved: Partial<Cursor> | undefined, signal?: AbortSignal): Promise<Batch> {
  const st = await stat(path);
  if (saved?.size === st.size && saved.mtimeMs === st.mtimeMs) return { messages: [], cursor: saved, more: false, unreadable: 0 };
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(path, { encoding: "utf8", signal }));
  } catch (err) {
    throw new Error(`read Telegram export ${path}`, { cause: err });
  }
  const seen: Record<string, number> = { ...saved?.seen };
  const messages: ChatMessage[] = [];
  let unreadable = 0;
  for (const chat of chatsOf(doc)) {
    const chatId = String(chat.id ?? chat.name ?? "chat");
    const byId = new Map((chat.messages ?? []).map((m) => [m.id, m]));
    const after = seen[chatId] ?? -Infinity;
    for (const m of chat.messages ?? []) {
      if (typeof m.id !== "number" || m.id <= after) continue;
      seen[chatId] = Math.max(seen[chatId] ?? -Infinity, m.id);
      const msg = toMessage(m, chat, chatId, byId);
      if (msg === null) unreadable++;
      else messages.push(msg);
    }
  }
  return { messages, cursor: { size: st.size, mtimeMs: st.mtimeMs, seen }, more: false, unreadable };
}

/** chatsOf accepts a single-chat export or a full export (chats and left chats). */
function chatsOf(doc: unknown): TgChat[] {
  if (doc === null || typeof doc !== "object") throw new Error("not a Telegram export: the file is not a JSON object");
  const d = doc as { messages?: unknown; chats?: { list?: TgChat[] }; left_chats?: { list?: TgChat[] } };
  if (Array.isArray(d.messages)) return [d as TgChat];
  if (Array.isArray(d.chats?.list)) return [...d.chats.list, ...(d.left_chats?.list ?? [])];
  throw new Error("not a Telegram export: neither `messages` nor `chats.list`");
}

const SAVED_NAMES: Record<string, string> = { saved_messages: "Saved Messages", replies: "Replies" };

function toMessage(m: TgMessage, chat: TgChat, chatId: string, byId: Map<unknown, TgMessage>): ChatMessage | null {
  // date_unixtime is a string of seconds; `date` is local time without a zone, a last resort.
  const time = m.date_unixtime !== undefined ? Number(m.date_unixtime) * 1000 : Date.parse(m.date ?? "");
  if (!Number.isFinite(time) || m.type === "unsupported") return null;
  const service = m.type === "service";
  const out: ChatMessage = {
    key: `telegram-export:${keyPart(chatId)}/${m.id}`, channel: "telegram", time,
    sender: (service ? m.actor : m.from) ?? m.author ?? chat.name ?? "?", fromAgent: false, text: renderText(m.text),
  };
  const chatName = chat.name ?? SAVED_NAMES[chat.type ?? ""];
  if (chatName !== undefined) out.chat = chatName;
  if (service) out.action = actionText(m);
  const media = mediaNotes(m);
  if (media.length > 0) out.media = media;
  if (m.forwarded_from) out.forwardedFrom = m.forwarded_from;
  if (m.edited) out.edited = true;
  if (m.reply_to_message_id !== undefined) {
    const orig = byId.get(m.reply_to_message_id);
    out.replyTo = orig ? { sender: orig.from ?? orig.actor ?? "?", text: renderText(orig.text) || mediaNotes(orig).join(", ") } : { text: `message ${m.reply_to_message_id}` };
  }
  return out;
}
