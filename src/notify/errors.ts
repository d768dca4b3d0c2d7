/**
 * @module notify/errors
 * NotifyError: why one notifier could not deliver, in one line that names the notifier and
 * says what to fix. A notifier's secrets (bot token, ntfy token, SMTP password, webhook
 * header values) never reach the message or the cause: every NotifyError is built with the
 * secrets it must not show, and scrubs both. `problem` lets the caller branch without
 * parsing text: a "config" problem needs the user, "unreachable" and "timeout" may pass.
 */
import type { NotifierKind } from "./types.ts";

/** NotifyProblem says which side failed: the far side refused, or could not be reached, or stayed silent, or the config is wrong. */
export type NotifyProblem = "unreachable" | "rejected" | "timeout" | "config";

/** Who names a notifier in messages; a Notifier and a NotifierConfig both are one. */
export interface Who {
  readonly name: string;
  readonly kind: NotifierKind;
}

export interface NotifyErrorOptions {
  /** The underlying error; always given, so the chain is there for LIFEBOAT_DEBUG=1. */
  cause: unknown;
  /** Values that must not appear in the message or the cause. */
  secrets?: readonly (string | undefined)[];
}

/** NotifyError is a failed delivery: `telegram "phone": Telegram answered 401 Unauthorized: ...`. */
export class NotifyError extends Error {
  readonly notifier: string;
  readonly kind: NotifierKind;
  readonly problem: NotifyProblem;
  constructor(who: Who, problem: NotifyProblem, message: string, opts: NotifyErrorOptions) {
    const secrets = (opts.secrets ?? []).filter((s): s is string => typeof s === "string");
    super(oneLine(redact(`${who.kind} "${who.name}": ${message}`, secrets)), { cause: safeCause(opts.cause, secrets) });
    this.name = "NotifyError";
    this.notifier = who.name;
    this.kind = who.kind;
    this.problem = problem;
  }
}

// Shorter values would blank out ordinary words; no real token or password is this short.
const MIN_SECRET = 4;

/**
 * redact replaces each secret in `text` with `***`, and a Telegram bot token in a URL path
 * (`/bot123:ABC/`) with `bot***` even when the caller did not list it, because undici and
 * proxies echo URLs into their errors.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text.replace(/\bbot\d+:[A-Za-z0-9_-]+/g, "bot***");
  for (const s of secrets) if (s.length >= MIN_SECRET) out = out.replaceAll(s, "***");
  return out;
}

/** oneLine folds line breaks: a message stays one line in logs, and a header value stays valid. */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, " ").trim();
}

/** chainText is every message of an error's cause chain, the way a debug print shows it. */
function chainText(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 8; depth++) {
    parts.push(String(e));
    e = e instanceof Error ? e.cause : undefined;
  }
  return parts.join("\n");
}

/** safeCause keeps the cause unless its chain shows a secret; then it becomes a redacted copy. */
function safeCause(cause: unknown, secrets: readonly string[]): unknown {
  const text = chainText(cause);
  if (redact(text, secrets) === text) return cause;
  const copy = new Error(redact(text, secrets));
  copy.name = cause instanceof Error ? cause.name : "Error";
  return copy;
}

/** causeText is the innermost useful reason of an error: "connect ECONNREFUSED 127.0.0.1:9". */
export function causeText(err: unknown): string {
  let e: unknown = err;
  // undici wraps socket errors as TypeError("fetch failed") with the real reason as cause.
  while (e instanceof Error && e.cause instanceof Error && /^fetch failed$/i.test(e.message)) e = e.cause;
  return e instanceof Error ? e.message : String(e);
}
