/**
 * @module notify/types
 * What an alert is and what a notifier must do with it. alerts/ decides when to send
 * (events, rate limits, all-clear); notify/ only delivers, one transport per kind.
 * Secrets (bot tokens, SMTP passwords) are referenced, never inlined into messages or errors.
 */

/** EventKind is what happened; each kind routes to the notifiers lifeboat.yaml names. */
export type EventKind = "backup_failed" | "backup_stale" | "drift_found" | "restore_done" | "drill_failed" | "check_failed";

export const EVENT_KINDS: readonly EventKind[] = ["backup_failed", "backup_stale", "drift_found", "restore_done", "drill_failed", "check_failed"];

/** Severity: "resolved" is the all-clear after an alert; "info" is news (a restore done, a test). */
export type Severity = "critical" | "warning" | "info" | "resolved";

/** AlertMessage is the one shape every notifier delivers; the webhook posts it as JSON as is. */
export interface AlertMessage {
  event: EventKind;
  severity: Severity;
  /** One line, no secrets: "wren: 3 backups in a row failed". */
  title: string;
  /** Plain text, several lines, no secrets; a diff of a secret never gets here. */
  text: string;
  agent?: string;
  host: string;
  /** ISO 8601. */
  time: string;
  /** True for `lifeboat notify test`. */
  test?: boolean;
  /** JSON-safe facts for machines (snapshot id, counts, exit code); never secret. */
  details?: Record<string, unknown>;
}

export type NotifierKind = "webhook" | "telegram" | "ntfy" | "email" | "command";

/** SecretRef says where a notifier's secret is; it is read when a message is sent. */
export type SecretRef = { env: string } | { file: string } | { value: string };

interface NotifierBase {
  /** Unique in the config; routes name notifiers by it. */
  name: string;
  /** Give up one send after this long. */
  timeoutMs: number;
}

export interface WebhookConfig extends NotifierBase {
  kind: "webhook";
  url: string;
  headers: Record<string, string>;
}

export interface TelegramConfig extends NotifierBase {
  kind: "telegram";
  token: SecretRef;
  chatId: string;
  /** Bot API base, default https://api.telegram.org. */
  api: string;
}

export interface NtfyConfig extends NotifierBase {
  kind: "ntfy";
  /** Default https://ntfy.sh. */
  server: string;
  topic: string;
  token?: SecretRef;
}

export interface EmailConfig extends NotifierBase {
  kind: "email";
  host: string;
  port: number;
  /** tls: TLS from the start (465); starttls: upgrade required (587); none: plain (a local relay only). */
  security: "tls" | "starttls" | "none";
  username?: string;
  password?: SecretRef;
  from: string;
  to: string[];
  /** Path of a PEM CA bundle to trust (a private relay's certificate). */
  ca?: string;
}

export interface CommandConfig extends NotifierBase {
  kind: "command";
  /** Run with /bin/sh -c; the message arrives as JSON on stdin and in LIFEBOAT_* variables. */
  command: string;
}

export type NotifierConfig = WebhookConfig | TelegramConfig | NtfyConfig | EmailConfig | CommandConfig;

/** SendResult is what the far side answered, for `notify test` ("HTTP 200", "message 42", "250 OK"). */
export interface SendResult {
  detail: string;
}

/** Notifier delivers a message once; it throws NotifyError (never a secret in it) on failure. */
export interface Notifier {
  readonly name: string;
  readonly kind: NotifierKind;
  /** The configured timeout; sendOne and sendAll give up one send after it. */
  readonly timeoutMs: number;
  /** send delivers once; when `signal` aborts it stops and rejects with the signal's reason. */
  send(msg: AlertMessage, signal: AbortSignal): Promise<SendResult>;
}
