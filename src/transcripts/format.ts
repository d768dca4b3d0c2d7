/**
 * @module transcripts/format
 * The day-file markdown (docs/transcripts.md): pure and deterministic, so the same messages
 * always give the same bytes. A day file opens with `# <channel> <day>` and a day comment;
 * each entry is a `## HH:MM sender` heading, the text, and a closing key comment:
 *
 *     ## 07:26 Andy (agent) · Family
 *     > ↩ Sam: Good morning
 *
 *     Morning!
 *     <!-- lb:msg messages-db:tg:-100123/5002 2026-04-17T05:26:13.000Z -->
 *
 * The key comment comes LAST on purpose: an append torn by a crash leaves entries whose
 * comment line is complete (written in full) and at most one fragment without one, which
 * does not count as written, so the message is appended again whole.
 */
import type { ChatMessage } from "./types.ts";

/** KEY_LINE matches a complete key comment (its newline included); group 1 is the key. */
const KEY_LINE = /^<!-- lb:msg (\S+) (\S+) -->\n/gm;

/** Quote length in a reply line: enough to recognise the message. */
const QUOTE_CHARS = 100;

/** writtenKeys returns the keys of the complete entries in a day file's text. */
export function writtenKeys(text: string): Set<string> {
  const keys = new Set<string>();
  for (const m of text.matchAll(KEY_LINE)) keys.add(m[1]!);
  return keys;
}

/** dayHeading starts a new day file. */
export function dayHeading(channel: string, day: string, timeZone: string): string {
  return `# ${channel} ${day}\n<!-- lb:day ${channel} ${day} ${timeZone} -->\n\n`;
}

/** renderEntry is one message's block, ending with its key comment and a blank line. */
export function renderEntry(m: ChatMessage, timeZone: string): string {
  const lines = [heading(m, timeZone)];
  if (m.forwardedFrom) lines.push(`> forwarded from ${oneLine(m.forwardedFrom)}`);
  if (m.replyTo) lines.push(`> ↩ ${replyLine(m.replyTo)}`);
  if (lines.length > 1) lines.push("");
  if (m.action) lines.push(`_${oneLine(m.action)}_`);
  if (m.text.trim() !== "") lines.push(...bodyLines(m.text));
  for (const note of m.media ?? []) lines.push(`[${oneLine(note)}]`);
  lines.push(`<!-- lb:msg ${m.key} ${new Date(m.time).toISOString()} -->`);
  return `${lines.join("\n")}\n\n`;
}

function heading(m: ChatMessage, timeZone: string): string {
  let h = `## ${localTime(m.time, timeZone)} ${oneLine(m.sender) || "?"}`;
  if (m.fromAgent) h += " (agent)";
  if (m.chat && m.chat !== m.sender) h += ` · ${oneLine(m.chat)}`;
  if (m.edited) h += " (edited)";
  return h;
}

function replyLine(r: NonNullable<ChatMessage["replyTo"]>): string {
  const quote = oneLine(r.text ?? "");
  const cut = [...quote].length > QUOTE_CHARS ? `${[...quote].slice(0, QUOTE_CHARS).join("")}…` : quote;
  if (r.sender && cut) return `${oneLine(r.sender)}: ${cut}`;
  return r.sender ? oneLine(r.sender) : cut || "an earlier message";
}

/**
 * bodyLines escapes what could be mistaken for structure: `<!--` (a forged key comment
 * would make a later message look written) and a leading `#` (a heading inside the text).
 */
function bodyLines(text: string): string[] {
  return escape(text.replace(/\r\n?/g, "\n").replace(/^\n+|\s+$/g, "")).split("\n").map((l) => (/^\s*#/.test(l) ? l.replace("#", "\\#") : l));
}

function escape(s: string): string {
  return s.replaceAll("<!--", "&lt;!--");
}

function oneLine(s: string): string {
  return escape(s.replace(/\s+/g, " ").trim());
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();
const timeFormats = new Map<string, Intl.DateTimeFormat>();

function formatter(cache: Map<string, Intl.DateTimeFormat>, timeZone: string, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  let f = cache.get(timeZone);
  if (!f) cache.set(timeZone, (f = new Intl.DateTimeFormat("en-CA", { timeZone, ...opts })));
  return f;
}

/** localDay is the calendar day (YYYY-MM-DD) of `time` in `timeZone`. */
export function localDay(time: number, timeZone: string): string {
  const parts = formatter(dayFormats, timeZone, { year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(time);
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  return `${get("year")}-${get("month")}-${get("day")}`;
}

/** localTime is HH:MM (24 h) of `time` in `timeZone`. */
export function localTime(time: number, timeZone: string): string {
  const parts = formatter(timeFormats, timeZone, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(time);
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  return `${get("hour")}:${get("minute")}`;
}

/** isTimeZone is true for a zone Intl knows (IANA names such as Europe/Berlin, or UTC). */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** systemTimeZone is the zone of this process (TZ, else the system's). */
export function systemTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}
