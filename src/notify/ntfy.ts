/**
 * @module notify/ntfy
 * The ntfy notifier: one publish (POST /<topic>, the text as body, the rest in headers).
 * HTTP headers are ASCII, so a title with other characters goes as an RFC 2047 encoded word,
 * which ntfy decodes. ntfy turns a body over 4096 bytes into an attachment, so the text is
 * cut to fit. A topic on a public server is as secret as a password: errors show the origin.
 */
import { NotifyError, oneLine } from "./errors.ts";
import { USER_AGENT, parseHttpUrl, parseJson, post, refusal } from "./http.ts";
import { renderText } from "./render.ts";
import { describeSecret, readSecret } from "./secret.ts";
import type { AlertMessage, NtfyConfig, Notifier, SendResult, Severity } from "./types.ts";

/** NTFY_MAX_BODY is ntfy's limit for a message body, in bytes. */
export const NTFY_MAX_BODY = 4096;

/** Priority 5 ("urgent") makes phones ring through do-not-disturb; only critical earns it. */
const PRIORITY: Readonly<Record<Severity, string>> = { critical: "5", warning: "4", info: "3", resolved: "3" };

/** Tags that ntfy shows as emoji in front of the title. */
const TAG: Readonly<Record<Severity, string>> = {
  critical: "rotating_light",
  warning: "warning",
  info: "information_source",
  resolved: "white_check_mark",
};

/** createNtfyNotifier returns a notifier that publishes to cfg.topic on cfg.server. */
export function createNtfyNotifier(cfg: NtfyConfig): Notifier {
  return {
    name: cfg.name,
    kind: "ntfy",
    timeoutMs: cfg.timeoutMs,
    send: (msg, signal) => sendNtfy(cfg, msg, signal),
  };
}

async function sendNtfy(cfg: NtfyConfig, msg: AlertMessage, signal: AbortSignal): Promise<SendResult> {
  const token = cfg.token ? await readSecret(cfg.token, { ...cfg, key: "token" }, signal) : undefined;
  if (!/^[-_A-Za-z0-9]{1,64}$/.test(cfg.topic)) {
    throw new NotifyError(cfg, "config", "topic must be 1-64 letters, digits, - or _", { cause: new Error("invalid topic") });
  }
  const server = parseHttpUrl(cfg, "server", cfg.server);
  const url = new URL(`${server.href.replace(/\/+$/, "")}/${cfg.topic}`);
  const headers = ntfyHeaders(msg, token);
  const body = renderText(msg, { title: false, budget: { max: NTFY_MAX_BODY, unit: "utf8" } });
  const reply = await post(cfg, { url, headers, body, secrets: [token] }, signal);
  if (reply.status >= 200 && reply.status < 300) {
    const id = (parseJson(reply.body) as { id?: unknown } | undefined)?.id;
    return { detail: `HTTP ${reply.status}${typeof id === "string" ? ` id ${id}` : ""}` };
  }
  throw refusal(cfg, reply, url.origin, hintFor(cfg, reply.status), [token]);
}

/** ntfyHeaders builds the publish headers; Title is RFC 2047-encoded when it is not plain ASCII. */
export function ntfyHeaders(msg: AlertMessage, token: string | undefined): Record<string, string> {
  const tags = [TAG[msg.severity], msg.event, ...(msg.test ? ["test"] : [])];
  return {
    "content-type": "text/plain; charset=utf-8",
    "user-agent": USER_AGENT,
    title: encodeWord(`${msg.test ? "[TEST] " : ""}${oneLine(msg.title)}`),
    priority: PRIORITY[msg.severity],
    tags: tags.join(","),
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  };
}

/** encodeWord returns `s` as is when it is printable ASCII, else as one `=?UTF-8?B?…?=` word. */
export function encodeWord(s: string): string {
  // A plain title that looks like an encoded word would be decoded by ntfy: encode it too.
  if (/^[\x20-\x7e]*$/.test(s) && !s.includes("=?")) return s;
  return `=?UTF-8?B?${Buffer.from(s, "utf8").toString("base64")}?=`;
}

function hintFor(cfg: NtfyConfig, status: number): string {
  if (status === 401 || status === 403) {
    return cfg.token ? `check the token (${describeSecret(cfg.token, "token")}) and its write access to the topic` : "the topic needs a token: set token_file";
  }
  if (status === 429) return "ntfy's rate limit: fewer messages, or a token with a higher limit";
  if (status === 413) return "the message is too large for this server";
  return "";
}
