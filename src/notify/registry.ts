/**
 * @module notify/registry
 * Turns one configured notifier into a Notifier. Creating one does no I/O and reads no
 * secret: secrets are read, and nodemailer is imported, when a message is sent, so loading
 * a config never fails on a notifier the command at hand does not use.
 */
import { createCommandNotifier } from "./command.ts";
import { createEmailNotifier } from "./email.ts";
import { createNtfyNotifier } from "./ntfy.ts";
import { createTelegramNotifier } from "./telegram.ts";
import type { Notifier, NotifierConfig } from "./types.ts";
import { createWebhookNotifier } from "./webhook.ts";

/** createNotifier returns the notifier for cfg.kind. Add a kind here and in docs/notify.md. */
export function createNotifier(cfg: NotifierConfig): Notifier {
  switch (cfg.kind) {
    case "webhook":
      return createWebhookNotifier(cfg);
    case "telegram":
      return createTelegramNotifier(cfg);
    case "ntfy":
      return createNtfyNotifier(cfg);
    case "email":
      return createEmailNotifier(cfg);
    case "command":
      return createCommandNotifier(cfg);
  }
}
