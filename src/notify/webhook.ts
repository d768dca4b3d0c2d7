/**
 * @module notify/webhook
 * The webhook notifier: POSTs the AlertMessage as JSON, exactly the shape of notify/types,
 * so a receiver written against docs/notify.md keeps working. Configured headers carry the
 * receiver's credentials; their values are secrets and never appear in an error.
 */
import { USER_AGENT, parseHttpUrl, post, refusal } from "./http.ts";
import type { AlertMessage, Notifier, SendResult, WebhookConfig } from "./types.ts";

/** createWebhookNotifier returns a notifier that POSTs to cfg.url; any 2xx is a delivery. */
export function createWebhookNotifier(cfg: WebhookConfig): Notifier {
  return {
    name: cfg.name,
    kind: "webhook",
    timeoutMs: cfg.timeoutMs,
    send: (msg, signal) => sendWebhook(cfg, msg, signal),
  };
}

async function sendWebhook(cfg: WebhookConfig, msg: AlertMessage, signal: AbortSignal): Promise<SendResult> {
  const url = parseHttpUrl(cfg, "url", cfg.url);
  // Configured headers come last, lower-cased so `Content-Type` replaces ours instead of joining it.
  const own = Object.fromEntries(Object.entries(cfg.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const headers = { "content-type": "application/json", "user-agent": USER_AGENT, ...own };
  const secrets = Object.values(cfg.headers);
  const reply = await post(cfg, { url, headers, body: JSON.stringify(msg), secrets }, signal);
  if (reply.status >= 200 && reply.status < 300) return { detail: `HTTP ${reply.status}` };
  throw refusal(cfg, reply, url.origin, hintFor(reply.status), secrets);
}

function hintFor(status: number): string {
  if (status === 401 || status === 403) return "check the credentials in headers";
  if (status === 404 || status === 405) return "check the url";
  if (status === 413) return "the receiver refuses the message size";
  return "";
}
