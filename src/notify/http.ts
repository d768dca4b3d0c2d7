/**
 * @module notify/http
 * One HTTP POST for the webhook, Telegram and ntfy notifiers, with the failure split they
 * all need: the far side could not be reached (no answer at all) versus it answered with a
 * refusal (the caller reads the status). Messages show only the URL's origin: a webhook path
 * (Slack's) or an ntfy topic is as good as a password, and Telegram's has the bot token.
 */
import { TOOL_VERSION } from "../version.ts";
import { NotifyError, causeText, type Who } from "./errors.ts";

/** HttpReply is the far side's answer; the body is cut at MAX_BODY. */
export interface HttpReply {
  status: number;
  statusText: string;
  body: string;
}

export interface PostRequest {
  url: URL;
  headers: Record<string, string>;
  body: string;
  /** Values that must not appear in errors (header values, tokens). */
  secrets: readonly (string | undefined)[];
}

// Enough for any error description; a far side that streams more is not worth reading.
const MAX_BODY = 64 * 1024;

export const USER_AGENT = `lifeboat/${TOOL_VERSION}`;

/** parseHttpUrl checks a configured URL; the message names the key, not the value (it may hold a secret). */
export function parseHttpUrl(who: Who, key: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch (err) {
    throw new NotifyError(who, "config", `${key} is not a URL: write it as https://host/path`, { cause: new Error("invalid URL", { cause: err }), secrets: [value] });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new NotifyError(who, "config", `${key} must start with https:// or http://, not ${url.protocol}`, { cause: new Error("unsupported protocol") });
  if (url.username || url.password) throw new NotifyError(who, "config", `${key} has a user:password part: send credentials in a header instead`, { cause: new Error("credentials in URL"), secrets: [value, url.password] });
  return url;
}

/**
 * post sends `req` and returns any answer, whatever its status. It throws NotifyError
 * "unreachable" when there is no answer, "config" for a header fetch would refuse, and the
 * signal's reason when the signal aborts (sendOne turns a timeout into "timeout").
 */
export async function post(who: Who, req: PostRequest, signal: AbortSignal): Promise<HttpReply> {
  checkHeaders(who, req.headers);
  signal.throwIfAborted();
  let res: Response;
  try {
    // Following a redirect would turn the POST into a GET that delivers nothing.
    res = await fetch(req.url, { method: "POST", headers: req.headers, body: req.body, signal, redirect: "manual" });
  } catch (err) {
    signal.throwIfAborted();
    throw new NotifyError(who, "unreachable", `cannot reach ${req.url.origin}: ${causeText(err)}`, { cause: err, secrets: req.secrets });
  }
  try {
    return { status: res.status, statusText: res.statusText, body: await readBody(res) };
  } catch (err) {
    signal.throwIfAborted();
    throw new NotifyError(who, "unreachable", `${req.url.origin} dropped the connection while answering: ${causeText(err)}`, { cause: err, secrets: req.secrets });
  }
}

/** checkHeaders refuses what fetch would refuse with the value in its message. */
function checkHeaders(who: Who, headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(headers)) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new NotifyError(who, "config", `header name ${JSON.stringify(name)} is not a valid HTTP header name`, { cause: new Error("invalid header name") });
    if (!/^[\t\x20-\x7e]*$/.test(value)) throw new NotifyError(who, "config", `header ${name} has a line break or a non-ASCII character in its value`, { cause: new Error("invalid header value"), secrets: [value] });
  }
}

async function readBody(res: Response): Promise<string> {
  if (!res.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    chunks.push(chunk);
    size += chunk.byteLength;
    if (size >= MAX_BODY) break;
  }
  return Buffer.concat(chunks).subarray(0, MAX_BODY).toString("utf8");
}

/** refusal is the error for an answer that is not a success: `https://x answered HTTP 500 Internal Server Error`. */
export function refusal(who: Who, reply: HttpReply, origin: string, hint: string, secrets: readonly (string | undefined)[]): NotifyError {
  const status = `HTTP ${reply.status}${reply.statusText ? ` ${reply.statusText}` : ""}`;
  const why = reply.status >= 300 && reply.status < 400 ? "redirects elsewhere: configure the final address" : hint;
  const cause = new Error(`${status}: ${reply.body.slice(0, 500)}`);
  return new NotifyError(who, "rejected", `${origin} answered ${status}${why ? `: ${why}` : ""}`, { cause, secrets });
}

/** parseJson returns the body as JSON, or undefined for anything else (a proxy's HTML page). */
export function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}
