/**
 * @module notify
 * Alert delivery: one transport per notifier kind (webhook, Telegram, ntfy, e-mail, a
 * command), each behind the Notifier contract of types.ts. This layer only delivers and
 * reports; alerts/ decides what to send, when, and what a failed delivery means.
 * docs/notify.md documents every wire format.
 */
export * from "./types.ts";
export { NotifyError, redact, type NotifyProblem, type Who } from "./errors.ts";
export { describeSecret, readSecret, type SecretLabel } from "./secret.ts";
export { renderText, renderTitle, truncate, type Budget, type RenderOptions } from "./render.ts";
export { createNotifier } from "./registry.ts";
export { sendAll, sendOne, type SendReport } from "./send.ts";
export { TELEGRAM_MAX_TEXT } from "./telegram.ts";
export { NTFY_MAX_BODY, encodeWord } from "./ntfy.ts";
export { commandEnv } from "./command.ts";
