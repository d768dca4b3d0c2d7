/**
 * @module notify/telegram
 * The Telegram notifier: one Bot API sendMessage call. The bot token is part of the URL
 * path (`/bot<token>/sendMessage`), so no error may show the URL: messages name the API's
 * origin and say where the token came from (`token_file …`), never what it is.
 * A 429 is reported with Telegram's retry_after rather than waited out: alerts/ owns retries.
 */
import { NotifyError } from "./errors.ts";
import { USER_AGENT, parseHttpUrl, parseJson, post, type HttpReply } from "./http.ts";
import { renderText } from "./render.ts";
import { describeSecret, readSecret } from "./secret.ts";
import type { AlertMessage, Notifier, SendResult, TelegramConfig } from "./types.ts";

/** Telegram refuses longer texts (counted in UTF-16 code units). */
export const TELEGRAM_MAX_TEXT = 4096;

/** BotReply is the part of a Bot API answer lifeboat reads. */
interface BotReply {
  ok?: boolean;
  result?: { message_id?: number };
  description?: string;
  error_code?: number;
  parameters?: { retry_after?: number };
}

/** createTelegramNotifier returns a notifier that sends to cfg.chatId through the Bot API at cfg.api. */
export function createTelegramNotifier(cfg: TelegramConfig): Notifier {
  return {
    name: cfg.name,
    kind: "telegram",
    timeoutMs: cfg.timeoutMs,
    send: (msg, signal) => sendTelegram(cfg, msg, signal),
  };
}

async function sendTelegram(cfg: TelegramConfig, msg: AlertMessage, signal: AbortSignal): Promise<SendResult> {
  const token = await readSecret(cfg.token, { ...cfg, key: "token" }, signal);
  // Real tokens are `<digits>:<base64url>`; anything else would change the URL's shape.
  if (!/^[A-Za-z0-9:_-]+$/.test(token)) {
    throw new NotifyError(cfg, "config", `${describeSecret(cfg.token, "token")} does not hold a bot token (expected 123456:ABC-…)`, { cause: new Error("malformed token"), secrets: [token] });
  }
  const api = parseHttpUrl(cfg, "api", cfg.api);
  const url = new URL(`${api.href.replace(/\/+$/, "")}/bot${token}/sendMessage`);
  const text = renderText(msg, { budget: { max: TELEGRAM_MAX_TEXT, unit: "utf16" } });
  const body = JSON.stringify({ chat_id: cfg.chatId, text, disable_web_page_preview: true });
  const headers = { "content-type": "application/json", "user-agent": USER_AGENT };
  const reply = await post(cfg, { url, headers, body, secrets: [token] }, signal);
  const json = (parseJson(reply.body) ?? {}) as BotReply;
  if (reply.status === 200 && json.ok === true && typeof json.result?.message_id === "number") return { detail: `message ${json.result.message_id}` };
  throw botRefusal(cfg, reply, json, token);
}

function botRefusal(cfg: TelegramConfig, reply: HttpReply, json: BotReply, token: string): NotifyError {
  const code = json.error_code ?? reply.status;
  const description = json.description ?? (reply.statusText || "no description");
  const cause = new Error(`HTTP ${reply.status}: ${reply.body.slice(0, 500)}`);
  return new NotifyError(cfg, "rejected", `Telegram answered ${code} ${description}: ${hintFor(cfg, code, json)}`, { cause, secrets: [token] });
}

function hintFor(cfg: TelegramConfig, code: number, json: BotReply): string {
  const retry = json.parameters?.retry_after;
  if (code === 429) return retry === undefined ? "too many messages, retry later" : `too many messages, retry after ${retry} s`;
  // The Bot API answers 404 Not Found, not 401, for a token that is not one at all.
  if (code === 401 || code === 404) return `check the bot token (${describeSecret(cfg.token, "token")})`;
  if (code === 403) return `the bot may not write to chat ${cfg.chatId}: start a chat with the bot, or add it to the group`;
  if (code === 400 && /chat/i.test(json.description ?? "")) return `check chat_id ${cfg.chatId}`;
  return code >= 500 ? "Telegram has trouble, try again later" : "see Telegram's description";
}
