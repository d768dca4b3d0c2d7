/**
 * @module transcripts/sync
 * `lifeboat transcripts sync` for one agent: read each source after its cursor, append the
 * messages not yet in their day file (`<memory dir>/<channel>-<YYYY-MM-DD>.md`, the local day
 * in the configured zone), fsync, and only then save the cursor. Idempotent by construction:
 * before appending, the day file's complete key comments are read, and a message whose key
 * is there is skipped. So a crash between the append and the cursor save, a lost cursor, a
 * rotated transcript or a renumbered database costs a re-read, never a duplicate. Day files
 * are only ever appended to (O_APPEND), never rewritten.
 */
import { mkdir, open, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { isAbortError } from "../errors/index.ts";
import { dayHeading, localDay, renderEntry, writtenKeys } from "./format.ts";
import { cursorFile, readCursors, writeCursors } from "./state.ts";
import { withFileLock } from "../state/lock.ts";
import { syncDir } from "../util/durable.ts";
import type { ChatMessage, SourceKind, TranscriptSource } from "./types.ts";

export interface SyncOptions {
  agent: string;
  sources: TranscriptSource[];
  timeZone: string;
  /** Only these channels are written (absent: all). */
  channels?: string[] | undefined;
  /** lifeboat's state folder; the cursors go to <stateDir>/transcripts/<agent>.json. */
  stateDir: string;
  signal?: AbortSignal | undefined;
  /** Test seam: runs after a batch's appends are durable, before its cursor is saved. */
  afterAppend?: ((source: TranscriptSource) => void | Promise<void>) | undefined;
}

export interface SourceResult {
  id: string;
  kind: SourceKind;
  path: string;
  /** Messages appended by this run. */
  written: number;
  /** Messages read again whose key was already in their day file. */
  present: number;
  /** Messages of channels left out by `channels`. */
  filtered: number;
  /** Lines or rows that could not be read as messages. */
  unreadable: number;
  /** Day files appended to, sorted. */
  files: string[];
  error?: string;
}

export interface SyncResult {
  agent: string;
  timeZone: string;
  sources: SourceResult[];
  written: number;
  files: string[];
}

/** syncTranscripts runs one sync of one agent (under a per-agent lock); a failing source is reported, the others still run. */
export async function syncTranscripts(o: SyncOptions): Promise<SyncResult> {
  const path = cursorFile(o.stateDir, o.agent);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  // Two syncs of one agent would both see a key missing and both append it. A sync can run
  // for minutes, so its lock is never stale by age, only when its process is gone.
  const lock = { waitMs: 0, staleMs: Infinity, signal: o.signal, heldHint: `transcripts of agent ${o.agent} are being synced: wait for that run` };
  return withFileLock(path, lock, () => syncLocked(o, path));
}

async function syncLocked(o: SyncOptions, path: string): Promise<SyncResult> {
  const state = await readCursors(path, o.signal);
  const keys = new Map<string, Set<string>>();
  const sources: SourceResult[] = [];
  for (const src of o.sources) {
    const r: SourceResult = { id: src.id, kind: src.kind, path: src.path, written: 0, present: 0, filtered: 0, unreadable: 0, files: [] };
    sources.push(r);
    try {
      let more = true;
      while (more) {
        const batch = await src.read(state.cursors[src.id], o.signal);
        r.unreadable += batch.unreadable;
        await writeBatch(src, batch.messages, o, keys, r);
        await o.afterAppend?.(src);
        state.cursors[src.id] = batch.cursor;
        await writeCursors(path, state);
        more = batch.more;
      }
    } catch (err) {
      if (isAbortError(err) || o.signal?.aborted) throw err;
      r.error = describe(err);
    }
    r.files.sort();
  }
  const files = [...new Set(sources.flatMap((s) => s.files))].sort();
  return { agent: o.agent, timeZone: o.timeZone, sources, written: sources.reduce((n, s) => n + s.written, 0), files };
}

interface DayGroup {
  channel: string;
  day: string;
  messages: ChatMessage[];
}

async function writeBatch(src: TranscriptSource, messages: ChatMessage[], o: SyncOptions, keys: Map<string, Set<string>>, r: SourceResult): Promise<void> {
  const groups = new Map<string, DayGroup>();
  for (const m of [...messages].sort((a, b) => a.time - b.time || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
    if (!Number.isFinite(m.time)) { r.unreadable++; continue; }
    if (o.channels && !o.channels.includes(m.channel)) { r.filtered++; continue; }
    const day = localDay(m.time, o.timeZone);
    const file = join(m.memoryDir ?? src.memoryDir, `${m.channel}-${day}.md`);
    let g = groups.get(file);
    if (!g) groups.set(file, (g = { channel: m.channel, day, messages: [] }));
    g.messages.push(m);
  }
  for (const file of [...groups.keys()].sort()) {
    const g = groups.get(file)!;
    const have = keys.get(file) ?? (await keysIn(file, o.signal));
    keys.set(file, have);
    const fresh = g.messages.filter((m) => !have.has(m.key));
    r.present += g.messages.length - fresh.length;
    if (fresh.length === 0) continue;
    const unique = [...new Map(fresh.map((m) => [m.key, m])).values()];
    try {
      await appendDay(file, dayHeading(g.channel, g.day, o.timeZone), unique.map((m) => renderEntry(m, o.timeZone)).join(""), o.signal);
    } catch (err) {
      keys.delete(file); // what reached the file is unknown now: read it again if needed
      throw err;
    }
    for (const m of unique) have.add(m.key);
    r.written += unique.length;
    if (!r.files.includes(file)) r.files.push(file);
  }
}

async function keysIn(file: string, signal?: AbortSignal): Promise<Set<string>> {
  try {
    return writtenKeys(await readFile(file, { encoding: "utf8", signal }));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return new Set();
    throw new Error(`read ${file}`, { cause: err });
  }
}

/** appendDay appends `body` (after the heading, for a new or empty file) and fsyncs; existing bytes are never touched. */
async function appendDay(file: string, heading: string, body: string, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  await mkdir(dirname(file), { recursive: true });
  const fh = await open(file, "a+", 0o644);
  let size: number;
  try {
    size = (await fh.stat()).size;
    await fh.appendFile((size === 0 ? heading : await separator(fh, size)) + body);
    await fh.sync();
  } catch (err) {
    throw new Error(`append to ${file}`, { cause: err });
  } finally {
    await fh.close();
  }
  if (size === 0) await syncDir(dirname(file));
}

/** separator keeps one blank line between what the file ends with (ours, a torn fragment or someone's notes) and the new entries. */
async function separator(fh: Awaited<ReturnType<typeof open>>, size: number): Promise<string> {
  const tail = Buffer.alloc(Math.min(2, size));
  await fh.read(tail, 0, tail.length, size - tail.length);
  const s = tail.toString("latin1");
  return s.endsWith("\n\n") || (size === 1 && s === "\n") ? "" : s.endsWith("\n") ? "\n" : "\n\n";
}

function describe(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err; e instanceof Error && parts.length < 4; e = e.cause) parts.push(e.message);
  return parts.join(": ") || String(err);
}
