/**
 * @module transcripts/types
 * What every transcript source hands to the sync: chat messages in one shape, each with a
 * key that is unique across sources and stable across runs (it is written into the day
 * file and is what makes a re-run after a crash skip what is already there), and a cursor
 * that is only an optimisation: losing it costs a rescan, never a duplicate.
 */

/** SourceKind names where messages come from; it is also the prefix of every key. */
export type SourceKind = "messages-db" | "openclaw-sessions" | "telegram-export";

export const SOURCE_KINDS: readonly SourceKind[] = ["messages-db", "openclaw-sessions", "telegram-export"];

/** ChatMessage is one message as the markdown shows it. */
export interface ChatMessage {
  /** `<kind>:<id>`, no whitespace; the same message always gets the same key. */
  key: string;
  /** File-name safe channel: telegram, whatsapp, discord, ... */
  channel: string;
  /** The chat's name (a group, or the other side of a direct chat), when known. */
  chat?: string;
  /** Epoch milliseconds. */
  time: number;
  sender: string;
  /** Sent by the agent (a bot message, an assistant turn). */
  fromAgent: boolean;
  /** The text, already readable (entities rendered, envelopes stripped); may be empty. */
  text: string;
  replyTo?: { sender?: string; text?: string };
  /** Readable notes on attachments, e.g. "photo 1280×960", "voice message 0:07". */
  media?: string[];
  /** A service event in words ("pinned a message"): shown instead of text. */
  action?: string;
  forwardedFrom?: string;
  edited?: boolean;
  /** A memory folder chosen per message (a NanoClaw group's own folder); else the source's. */
  memoryDir?: string;
}

/** Batch is one read: messages after `cursor`, the cursor to save once they are written, and whether more remain. */
export interface Batch {
  messages: ChatMessage[];
  cursor: unknown;
  more: boolean;
  /** Lines or rows that could not be read (a torn JSONL line is not one: it is read next time). */
  unreadable: number;
}

/** TranscriptSource reads one store of chat messages. */
export interface TranscriptSource {
  /** Cursor key in the state file: `<kind>:<absolute path>`. */
  id: string;
  kind: SourceKind;
  path: string;
  /** Where day files go unless a message names its own folder. */
  memoryDir: string;
  /** read returns messages after `cursor` (undefined or unrecognised: from the start). */
  read(cursor: unknown, signal?: AbortSignal): Promise<Batch>;
}

/** channelName makes a channel safe and stable as a file-name part. */
export function channelName(raw: string | null | undefined): string {
  const c = (raw ?? "").toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "");
  return c === "" ? "chat" : c.slice(0, 32);
}

/** keyPart keeps an id usable inside a key (no whitespace, which ends the key in the comment). */
export function keyPart(id: string | number): string {
  return String(id).replace(/\s+/g, "_");
}
