/**
 * @module notify/render
 * The plain-text form of an alert that people read (Telegram, ntfy, e-mail, a command's
 * LIFEBOAT_TEXT). The webhook sends the AlertMessage itself. Transports cap their message
 * size, so rendering can fit a budget: the alert's text is cut, never the title or the
 * facts that say which agent on which host, and never in the middle of a character.
 */
import { oneLine } from "./errors.ts";
import type { AlertMessage, Severity } from "./types.ts";

const MARKERS: Readonly<Record<Severity, string>> = {
  critical: "🚨 CRITICAL",
  warning: "⚠️ WARNING",
  info: "ℹ️ INFO",
  resolved: "✅ resolved",
};

const TEST_NOTE = "This is a test from `lifeboat notify test`: nothing is wrong.";
const CUT = "\n… (cut)";

/** Budget caps a rendering, in UTF-16 code units (Telegram) or UTF-8 bytes (ntfy). */
export interface Budget {
  max: number;
  unit: "utf16" | "utf8";
}

export interface RenderOptions {
  /** Leave out the title line, for transports that carry the title apart (ntfy's Title header). */
  title?: boolean;
  budget?: Budget;
}

/** renderTitle is the first line: severity marker, `[TEST]` for tests, the title. */
export function renderTitle(msg: AlertMessage): string {
  return `${MARKERS[msg.severity]}${msg.test ? " [TEST]" : ""} ${oneLine(msg.title)}`;
}

/** renderText renders the alert as plain text: title line, text, then agent, host, time, event. */
export function renderText(msg: AlertMessage, opts: RenderOptions = {}): string {
  const head = opts.title === false ? "" : `${renderTitle(msg)}\n\n`;
  const facts = [msg.agent ? `agent: ${msg.agent}` : "", `host: ${msg.host}`, `time: ${msg.time}`, `event: ${msg.event}`];
  const tail = `\n\n${facts.filter(Boolean).join("\n")}${msg.test ? `\n\n${TEST_NOTE}` : ""}`;
  const text = msg.text.trim();
  if (!opts.budget || size(head + text + tail, opts.budget.unit) <= opts.budget.max) return head + text + tail;
  const room = opts.budget.max - size(head + tail + CUT, opts.budget.unit);
  // A budget too small for the frame still yields a message that fits: cut everything.
  if (room < 0) return truncate(head + text + tail, opts.budget);
  return head + truncate(text, { ...opts.budget, max: room }) + CUT + tail;
}

/** truncate returns the longest prefix of `s` within the budget, whole code points only. */
export function truncate(s: string, budget: Budget): string {
  if (size(s, budget.unit) <= budget.max) return s;
  let used = 0;
  let out = "";
  for (const ch of s) {
    const n = size(ch, budget.unit);
    if (used + n > budget.max) break;
    used += n;
    out += ch;
  }
  return out;
}

function size(s: string, unit: Budget["unit"]): number {
  return unit === "utf8" ? Buffer.byteLength(s, "utf8") : s.length;
}
