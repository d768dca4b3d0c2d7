/**
 * @module transcripts/openclaw
 * OpenClaw files-era session transcripts (agent-layouts.md §1.4): `agents/<id>/sessions/`
 * holds one append-only JSONL (pi-coding-agent v3) per session plus sessions.json, which
 * says each session's channel. Only `message` entries of role user/assistant with text are
 * chat; tool calls, thinking and results are not. Files are read from the byte offset saved
 * in the cursor, whole lines only: a last line without its newline is being written and is
 * read next time. Rotated copies (`.reset.<ts>`, `.deleted.<ts>`) hold the same session ids
 * and entry ids, so their keys are the ones already written; checkpoints are copies, skipped.
 */
import { createReadStream } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { parseInbound } from "./_envelope.ts";
import { channelName, keyPart, type Batch, type ChatMessage, type TranscriptSource } from "./types.ts";

/** Assistant turns OpenClaw never delivers (silent replies, heartbeat acknowledgements). */
const SILENT = new Set(["NO_REPLY", "HEARTBEAT_OK"]);

interface SessionInfo {
  channel?: string;
  chat?: string;
  /** cron:/hook: sessions run jobs; their "user" turn is a job prompt, not a chat. */
  job?: boolean;
}

interface Cursor {
  files: Record<string, { offset: number; session: string }>;
  /** What sessions.json said of a session, kept for when its file is rotated out of the index. */
  sessions: Record<string, SessionInfo>;
}

export interface OpenclawOptions {
  /** The sessions folder, e.g. <root>/agents/main/sessions. */
  path: string;
  memoryDir: string;
  /** How the agent's own turns are signed (its IDENTITY.md name, else its id). */
  agentName: string;
}

export function openclawSource(o: OpenclawOptions): TranscriptSource {
  return {
    id: `openclaw-sessions:${o.path}`,
    kind: "openclaw-sessions",
    path: o.path,
    memoryDir: o.memoryDir,
    read: (cursor, signal) => readSessions(o, cursor as Partial<Cursor> | undefined, signal),
  };
}

/** isTranscriptFile: live transcripts and their rotated copies; not locks, not checkpoints. */
export function isTranscriptFile(name: string): boolean {
  return /\.jsonl(\.(reset|deleted)\.[^/]+)?$/.test(name) && !name.includes(".checkpoint.");
}

async function readSessions(o: OpenclawOptions, saved: Partial<Cursor> | undefined, signal?: AbortSignal): Promise<Batch> {
  const index = await sessionIndex(o.path);
  const next: Cursor = { files: {}, sessions: { ...saved?.sessions, ...index } };
  const only = new Set(Object.values(index).filter((s) => !s.job && s.channel).map((s) => s.channel));
  const fallback = only.size === 1 ? [...only][0] : undefined;
  const messages: ChatMessage[] = [];
  let unreadable = 0;
  const names = (await readdir(o.path)).filter(isTranscriptFile).sort();
  for (const name of names) {
    signal?.throwIfAborted();
    const prev = saved?.files?.[name];
    const size = (await stat(join(o.path, name))).size;
    // A file shorter than what was read was rewritten: read it again, keys skip what is written.
    let start = prev && prev.offset <= size ? prev.offset : 0;
    let session = start > 0 ? prev!.session : sessionOfName(name);
    start = await readLines(join(o.path, name), start, signal, (line) => {
      const e = parseLine(line);
      if (e === null) return void unreadable++;
      if (e.type === "session" && typeof e.id === "string") session = e.id;
      const info = next.sessions[session] ?? {};
      if (info.job) return;
      const m = toMessage(e, session, info, fallback, o.agentName);
      if (m) messages.push(m);
    });
    next.files[name] = { offset: start, session };
  }
  const live = new Set(Object.values(next.files).map((f) => f.session));
  next.sessions = Object.fromEntries(Object.entries(next.sessions).filter(([id]) => live.has(id)));
  return { messages, cursor: next, more: false, unreadable };
}

type Entry = Record<string, unknown>;

function parseLine(line: string): Entry | null {
  try {
    const v: unknown = JSON.parse(line);
    return v !== null && typeof v === "object" ? (v as Entry) : null;
  } catch {
    return null;
  }
}

function toMessage(e: Entry, session: string, info: SessionInfo, fallback: string | undefined, agentName: string): ChatMessage | null {
  const msg = e.message as { role?: string; content?: unknown; timestamp?: unknown } | undefined;
  if (e.type !== "message" || typeof e.id !== "string" || (msg?.role !== "user" && msg?.role !== "assistant")) return null;
  const raw = textOf(msg.content);
  const time = typeof msg.timestamp === "number" ? msg.timestamp : Date.parse(String(e.timestamp));
  const base = { key: `openclaw-sessions:${keyPart(session)}/${keyPart(e.id)}`, time };
  if (msg.role === "assistant") {
    if (raw.trim() === "" || SILENT.has(raw.trim())) return null;
    return withChat({ ...base, channel: channelName(info.channel ?? fallback), sender: agentName, fromAgent: true, text: raw }, info.chat);
  }
  const inb = parseInbound(raw);
  const m: ChatMessage = { ...base, channel: channelName(info.channel ?? inb.channel ?? fallback), sender: inb.sender ?? "user", fromAgent: false, text: inb.text };
  if (inb.replyTo) m.replyTo = inb.replyTo;
  return withChat(m, info.chat ?? inb.chat);
}

function withChat(m: ChatMessage, chat: string | undefined): ChatMessage {
  if (chat !== undefined) m.chat = chat;
  return m;
}

/** textOf joins a message's text parts (assistant thinking and tool calls are not chat). */
function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.filter((p): p is { type: "text"; text: string } => p?.type === "text" && typeof p.text === "string").map((p) => p.text).join("\n\n");
}

/** sessionOfName: `<uuid>.jsonl`, `<uuid>-topic-7.jsonl`, `<uuid>.jsonl.reset.<ts>` → the file's session until its header says otherwise. */
function sessionOfName(name: string): string {
  return name.slice(0, name.indexOf(".jsonl"));
}

/** sessionIndex reads sessions.json: per session id, its channel and chat (a missing or torn index is empty). */
async function sessionIndex(dir: string): Promise<Record<string, SessionInfo>> {
  const raw = await readFile(join(dir, "sessions.json"), "utf8").catch(() => "{}");
  const entries = parseLine(raw) ?? {};
  const out: Record<string, SessionInfo> = {};
  for (const [key, v] of Object.entries(entries)) {
    const s = v as { sessionId?: unknown; deliveryContext?: { channel?: unknown }; origin?: { provider?: unknown }; displayName?: unknown; subject?: unknown; room?: unknown };
    if (typeof s?.sessionId !== "string") continue;
    const channel = [s.deliveryContext?.channel, s.origin?.provider, /:(telegram|whatsapp|discord|slack|signal|imessage):/.exec(key)?.[1]].find((c) => typeof c === "string");
    const chat = [s.displayName, s.subject, s.room].find((c) => typeof c === "string" && c !== "");
    out[s.sessionId] = { ...(typeof channel === "string" ? { channel } : {}), ...(typeof chat === "string" ? { chat } : {}), ...(/^(cron|hook):/.test(key) ? { job: true } : {}) };
  }
  return out;
}

/** readLines calls `onLine` for each complete line from `start` and returns the offset after the last one. */
async function readLines(path: string, start: number, signal: AbortSignal | undefined, onLine: (line: string) => void): Promise<number> {
  let offset = start;
  let carry = Buffer.alloc(0);
  for await (const chunk of createReadStream(path, { start, signal }) as AsyncIterable<Buffer>) {
    let buf = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    for (let nl = buf.indexOf(10); nl >= 0; nl = buf.indexOf(10)) {
      const line = buf.subarray(0, nl).toString("utf8").trim();
      if (line !== "") onLine(line);
      offset += nl + 1;
      buf = buf.subarray(nl + 1);
    }
    carry = Buffer.from(buf);
  }
  return offset;
}
