/**
 * @module notify/email
 * The e-mail notifier: one message over SMTP with nodemailer, imported only when a message
 * is sent, so a config without e-mail never loads it. `security` maps to nodemailer's three
 * modes: TLS from the first byte (465), STARTTLS required (587: a server that does not offer
 * it is an error, never a silent plain-text login), or plain for a local relay.
 */
import { readFile } from "node:fs/promises";
import type { SMTPTransportOptions } from "nodemailer";
import { NotifyError, causeText, oneLine } from "./errors.ts";
import { renderText } from "./render.ts";
import { describeSecret, readSecret } from "./secret.ts";
import type { AlertMessage, EmailConfig, Notifier, SendResult } from "./types.ts";

/** createEmailNotifier returns a notifier that mails cfg.to through cfg.host:cfg.port. */
export function createEmailNotifier(cfg: EmailConfig): Notifier {
  return {
    name: cfg.name,
    kind: "email",
    timeoutMs: cfg.timeoutMs,
    send: (msg, signal) => sendEmail(cfg, msg, signal),
  };
}

/** SmtpFailure is what nodemailer puts on its errors. */
interface SmtpFailure {
  code?: string;
  originalCode?: string;
  responseCode?: number;
  response?: string;
}

async function sendEmail(cfg: EmailConfig, msg: AlertMessage, signal: AbortSignal): Promise<SendResult> {
  const options = await transportOptions(cfg, signal);
  const nodemailer = (await import("nodemailer")).default;
  const transport = nodemailer.createTransport(options);
  const subject = `${msg.test ? "[TEST] " : ""}${oneLine(msg.title)}`;
  try {
    const info = await transport.sendMail({ from: cfg.from, to: cfg.to, subject, text: renderText(msg), signal });
    return { detail: oneLine(info.response) };
  } catch (err) {
    signal.throwIfAborted();
    throw classify(cfg, err as SmtpFailure, err, options.auth?.pass);
  } finally {
    transport.close();
  }
}

async function transportOptions(cfg: EmailConfig, signal: AbortSignal): Promise<SMTPTransportOptions> {
  if (cfg.password && !cfg.username) throw new NotifyError(cfg, "config", "a password is set but no username: add username", { cause: new Error("password without username") });
  if (cfg.username && !cfg.password) throw new NotifyError(cfg, "config", `username ${cfg.username} has no password: set password_file or password_env`, { cause: new Error("username without password") });
  const pass = cfg.password ? await readSecret(cfg.password, { ...cfg, key: "password" }, signal) : undefined;
  // nodemailer's own timeouts only back up sendOne's; a second later, so ours reports first.
  const ms = cfg.timeoutMs + 1000;
  return {
    host: cfg.host,
    port: cfg.port,
    secure: cfg.security === "tls",
    requireTLS: cfg.security === "starttls",
    ignoreTLS: cfg.security === "none",
    ...(cfg.username && pass !== undefined ? { auth: { user: cfg.username, pass } } : {}),
    ...(cfg.ca ? { tls: { ca: await readCa(cfg, cfg.ca, signal) } } : {}),
    connectionTimeout: ms,
    greetingTimeout: ms,
    socketTimeout: ms,
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

async function readCa(cfg: EmailConfig, file: string, signal: AbortSignal): Promise<string> {
  try {
    return await readFile(file, { encoding: "utf8", signal });
  } catch (err) {
    signal.throwIfAborted();
    throw new NotifyError(cfg, "config", `cannot read ca ${file} (${(err as NodeJS.ErrnoException).code ?? "error"}): fix the path`, { cause: err });
  }
}

/** classify maps nodemailer's error codes and SMTP replies onto a NotifyError problem. */
function classify(cfg: EmailConfig, f: SmtpFailure, err: unknown, pass: string | undefined): NotifyError {
  const at = `${cfg.host}:${cfg.port}`;
  const opts = { cause: err, secrets: [pass] };
  const reply = oneLine(f.response ?? causeText(err));
  if (f.code === "EAUTH") {
    return new NotifyError(cfg, "rejected", `${at} refused the login of ${cfg.username ?? "(no username)"}: ${reply}: check username and ${cfg.password ? describeSecret(cfg.password, "password") : "password"}`, opts);
  }
  if (f.code === "ENOAUTH") return new NotifyError(cfg, "config", `${at} wants a login: set username and password_file`, opts);
  if (f.code === "ETIMEDOUT") return new NotifyError(cfg, "timeout", `${at} did not answer in time: ${reply}`, opts);
  if (isCertError(err)) {
    return new NotifyError(cfg, "unreachable", `no trusted TLS connection to ${at}: ${causeText(err)}: ${cfg.ca ? "check ca" : "set ca for a private certificate"}`, opts);
  }
  if (f.code === "ETLS") return new NotifyError(cfg, "unreachable", `no TLS with ${at}: ${reply}: check security (tls for port 465, starttls for 587)`, opts);
  if (f.responseCode !== undefined && f.responseCode >= 400) return new NotifyError(cfg, "rejected", `${at} answered ${reply}`, opts);
  if (f.code === "ECONNECTION" || f.code === "ESOCKET" || f.code === "EDNS") return new NotifyError(cfg, "unreachable", `cannot reach ${at}: ${causeText(err)}`, opts);
  return new NotifyError(cfg, "rejected", `${at}: ${reply}`, opts);
}

/** isCertError spots a certificate failure; nodemailer keeps the TLS code in originalCode. */
function isCertError(err: unknown): boolean {
  const e = err as { code?: unknown; originalCode?: unknown };
  return [e.originalCode, e.code].some((c) => typeof c === "string" && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(c));
}
