/**
 * @module test/e2e/alert-helpers
 * Plumbing for the alert and drift end-to-end tests: every notifier kind pointed at a real
 * local far side (one HTTP sink acting as webhook receiver, Telegram Bot API and ntfy; an
 * SMTP sink; a shell command appending its stdin to a file), the alerts each one received
 * sorted by notifier, a lifeboat.yaml writer with a `notify:` section, and a CLI wrapper that
 * keeps every output so a test can prove a secret never left the machine.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { stringify } from "yaml";
import type { AlertMessage } from "../../src/notify/types.ts";
import { decodeWords } from "../../src/testing/mimetext.ts";
import { startHttpSink, startSmtpSink, type HttpSink, type SinkMail, type SmtpSink } from "../../src/testing/notifysinks.ts";
import type { AgentWorld, AgentYaml } from "./agent-helpers.ts";
import type { CliResult } from "./helpers.ts";

/** What the Telegram sink saw for one sendMessage. */
export interface TelegramSent {
  path: string;
  chatId: unknown;
  text: string;
  body: Record<string, unknown>;
}

/** What the ntfy sink saw for one publish. */
export interface NtfySent {
  path: string;
  title: string;
  priority: string;
  tags: string[];
  body: string;
  headers: Record<string, unknown>;
}

/** Alerts: every message each notifier received, oldest first. */
export interface Alerts {
  webhook: AlertMessage[];
  webhookHeaders: Record<string, unknown>[];
  telegram: TelegramSent[];
  ntfy: NtfySent[];
  mail: SinkMail[];
  command: AlertMessage[];
  /** Requests the HTTP sink got that match no notifier (must stay empty). */
  stray: string[];
}

/** Mark: how much each sink held at some moment; `since(mark)` returns what came after. */
export interface Mark {
  http: number;
  mail: number;
  command: number;
}

export interface NotifyRig {
  http: HttpSink;
  smtp: SmtpSink;
  /** The file the command notifier appends its stdin to. */
  commandLog: string;
  tgToken: string;
  tgTokenFile: string;
  chatId: string;
  topic: string;
  webhookPath: string;
  webhookAuth: string;
  /** The five notifiers as lifeboat.yaml lists them: webhook "ops", telegram "phone", ntfy "pager", email "mail", command "script". */
  notifiers(): Record<string, unknown>[];
  mark(): Promise<Mark>;
  since(m: Mark): Promise<Alerts>;
  all(): Promise<Alerts>;
  /** Everything that reached any far side, as one text (for secret sweeps). */
  everything(): Promise<string>;
  stop(): Promise<void>;
}

export const NOTIFIER_NAMES = ["ops", "phone", "pager", "mail", "script"] as const;

/** startNotifyRig starts the sinks; files (token, command log) go into `dir`. */
export async function startNotifyRig(dir: string): Promise<NotifyRig> {
  const tgToken = `${600000000 + Math.floor(Math.random() * 1e8)}:AAH${randomBytes(18).toString("hex")}`;
  const http = await startHttpSink({ telegramToken: tgToken });
  const smtp = await startSmtpSink();
  const tgTokenFile = join(dir, "telegram-token");
  await writeFile(tgTokenFile, `${tgToken}\n`, { mode: 0o600 });
  const commandLog = join(dir, "alert-command.log");
  const chatId = "-1001234567890";
  const topic = `lifeboat-e2e-${randomBytes(4).toString("hex")}`;
  const webhookPath = `/hooks/${randomBytes(6).toString("hex")}`;
  const webhookAuth = `Bearer whk-${randomBytes(12).toString("hex")}`;

  const commandLines = async (): Promise<string[]> => {
    const text = await readFile(commandLog, "utf8").catch((err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") return "";
      throw err;
    });
    return text.split("\n").filter((l) => l.trim() !== "");
  };

  const sort = async (m: Mark): Promise<Alerts> => {
    const out: Alerts = { webhook: [], webhookHeaders: [], telegram: [], ntfy: [], mail: smtp.mails.slice(m.mail), command: [], stray: [] };
    for (const r of http.requests.slice(m.http)) {
      if (r.path === webhookPath) {
        assert.equal(r.method, "POST");
        out.webhook.push(r.json as AlertMessage);
        out.webhookHeaders.push({ ...r.headers });
      } else if (r.path.startsWith("/bot")) {
        const body = r.json as Record<string, unknown>;
        out.telegram.push({ path: r.path, chatId: body.chat_id, text: String(body.text), body });
      } else if (r.path === `/${topic}`) {
        const h = r.headers;
        out.ntfy.push({
          path: r.path, title: decodeWords(String(h.title ?? "")), priority: String(h.priority ?? ""),
          tags: String(h.tags ?? "").split(","), body: r.body.toString("utf8"), headers: { ...h },
        });
      } else {
        out.stray.push(`${r.method} ${r.path}`);
      }
    }
    out.command = (await commandLines()).slice(m.command).map((l) => JSON.parse(l) as AlertMessage);
    return out;
  };

  const rig: NotifyRig = {
    http, smtp, commandLog, tgToken, tgTokenFile, chatId, topic, webhookPath, webhookAuth,
    notifiers: () => [
      { name: "ops", kind: "webhook", url: `${http.url}${webhookPath}`, headers: { Authorization: webhookAuth } },
      { name: "phone", kind: "telegram", token_file: tgTokenFile, chat_id: chatId, api: http.url },
      { name: "pager", kind: "ntfy", server: http.url, topic },
      { name: "mail", kind: "email", host: smtp.host, port: smtp.port, security: "none", from: "lifeboat <lifeboat@example.org>", to: ["ops@example.org"] },
      { name: "script", kind: "command", command: `cat >> '${commandLog}'` },
    ],
    mark: async () => ({ http: http.requests.length, mail: smtp.mails.length, command: (await commandLines()).length }),
    since: sort,
    all: () => sort({ http: 0, mail: 0, command: 0 }),
    async everything() {
      const parts: string[] = [];
      for (const r of http.requests) parts.push(`${r.method} ${r.path}\n${JSON.stringify(r.headers)}\n${r.body.toString("utf8")}`);
      for (const m of smtp.mails) parts.push(m.raw, m.subject, m.text);
      parts.push(...(await commandLines()));
      return parts.join("\n");
    },
    async stop() {
      await Promise.allSettled([http.stop(), smtp.stop()]);
    },
  };
  return rig;
}

/** count is how many messages each notifier got. */
export function counts(a: Alerts): Record<(typeof NOTIFIER_NAMES)[number], number> {
  return { ops: a.webhook.length, phone: a.telegram.length, pager: a.ntfy.length, mail: a.mail.length, script: a.command.length };
}

/** assertNothing fails unless no notifier got anything. */
export function assertNothing(a: Alerts, why: string): void {
  assert.deepEqual(counts(a), { ops: 0, phone: 0, pager: 0, mail: 0, script: 0 }, `${why}: expected no alert, got ${summarize(a)}`);
  assert.deepEqual(a.stray, []);
}

/** assertOneEach fails unless every notifier got exactly one message; returns the webhook's. */
export function assertOneEach(a: Alerts, why: string): AlertMessage {
  assert.deepEqual(counts(a), { ops: 1, phone: 1, pager: 1, mail: 1, script: 1 }, `${why}: expected one alert per notifier, got ${summarize(a)}`);
  assert.deepEqual(a.stray, []);
  return a.webhook[0]!;
}

/** summarize lists the titles that arrived, for failure messages. */
export function summarize(a: Alerts): string {
  const w = a.webhook.map((m) => `${m.event}/${m.severity}: ${m.title}`);
  return `${JSON.stringify(counts(a))} webhook=${JSON.stringify(w)} mail=${JSON.stringify(a.mail.map((m) => m.subject))}`;
}

/**
 * assertSameAlert checks one message arrived alike at every notifier: the webhook's JSON, the
 * command's stdin JSON, Telegram's text, ntfy's Title/Priority/Tags/body, the mail's subject and body.
 */
export function assertSameAlert(a: Alerts, rig: NotifyRig, want: { event: string; severity: string; agent?: string; title?: RegExp; text?: (RegExp | string)[] }): AlertMessage {
  const msg = assertOneEach(a, `${want.event}/${want.severity}`);
  assert.equal(msg.event, want.event);
  assert.equal(msg.severity, want.severity);
  if (want.agent) assert.equal(msg.agent, want.agent);
  if (want.title) assert.match(msg.title, want.title);
  assert.equal(typeof msg.host, "string");
  assert.ok(!Number.isNaN(Date.parse(msg.time)), `time ${msg.time}`);
  assert.ok(!msg.test, "not a test message");
  assert.equal(String(a.webhookHeaders[0]!.authorization), rig.webhookAuth, "webhook carries its configured header");
  assert.match(String(a.webhookHeaders[0]!["content-type"]), /^application\/json/);
  for (const t of want.text ?? []) {
    if (typeof t === "string") assert.ok(msg.text.includes(t), `webhook text lacks ${JSON.stringify(t)}:\n${msg.text}`);
    else assert.match(msg.text, t);
  }
  // The command got the very same AlertMessage on stdin.
  assert.deepEqual(a.command[0], msg, "command stdin = webhook body");
  const marker = { critical: "🚨 CRITICAL", warning: "⚠️ WARNING", info: "ℹ️ INFO", resolved: "✅ resolved" }[want.severity]!;
  // Telegram: sendMessage with the configured token and chat, plain text.
  const tg = a.telegram[0]!;
  assert.equal(tg.path, `/bot${rig.tgToken}/sendMessage`);
  assert.equal(tg.chatId, rig.chatId);
  assert.equal(tg.body.parse_mode, undefined);
  assert.ok(tg.text.startsWith(`${marker} ${msg.title}`), `telegram text starts with the marker and title: ${tg.text.slice(0, 200)}`);
  assert.ok(tg.text.includes(`event: ${msg.event}`));
  // ntfy: Title header, priority by severity, tags by severity and event.
  const n = a.ntfy[0]!;
  assert.equal(n.title, msg.title);
  assert.equal(n.priority, { critical: "5", warning: "4", info: "3", resolved: "3" }[want.severity]);
  assert.deepEqual(n.tags, [{ critical: "rotating_light", warning: "warning", info: "information_source", resolved: "white_check_mark" }[want.severity]!, msg.event]);
  // Mail: one message to the configured recipient, subject = title, body = the rendered text.
  const mail = a.mail[0]!;
  assert.deepEqual(mail.to, ["ops@example.org"]);
  assert.equal(mail.subject, msg.title);
  assert.ok(mail.text.replace(/\r\n/g, "\n").startsWith(`${marker} ${msg.title}`), `mail body: ${mail.text.slice(0, 200)}`);
  for (const t of want.text ?? []) {
    const has = (s: string) => (typeof t === "string" ? s.includes(t) : t.test(s));
    assert.ok(has(tg.text), `telegram text lacks ${String(t)}`);
    assert.ok(has(n.body), `ntfy body lacks ${String(t)}`);
    assert.ok(has(mail.text.replace(/\r\n/g, "\n")), `mail lacks ${String(t)}`);
  }
  return msg;
}

/** writeLifeboatYaml writes a full lifeboat.yaml (repository, notify, agents) and returns its path. */
export async function writeLifeboatYaml(w: AgentWorld, doc: { notify?: Record<string, unknown>; agents: AgentYaml[] }, file = w.configFile): Promise<string> {
  const full = { repository: { url: w.repo, password_file: w.passwordFile }, ...(doc.notify ? { notify: doc.notify } : {}), agents: doc.agents };
  await writeFile(file, stringify(full), { mode: 0o600 });
  return file;
}

/** stateDirOf is where lifeboat keeps its state for a world's HOME (XDG_STATE_HOME unset). */
export function stateDirOf(w: AgentWorld): string {
  return join(w.home, ".local", "state", "lifeboat");
}

/** readTreeText concatenates every file below `dir` (empty when it does not exist). */
export async function readTreeText(dir: string): Promise<{ files: string[]; text: string }> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return [];
    throw err;
  });
  const files = entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)).sort();
  const texts = await Promise.all(files.map((f) => readFile(f, "latin1")));
  return { files, text: texts.join("\n") };
}

/** Recorder runs the CLI with the state dir in the world's HOME and keeps every output. */
export interface Recorder {
  run(args: string[], opts?: { configFile?: string; env?: Record<string, string | undefined> }): Promise<CliResult>;
  /** Every stdout and stderr so far. */
  outputs: string[];
}

export function recorder(w: AgentWorld): Recorder {
  const outputs: string[] = [];
  return {
    outputs,
    async run(args, opts = {}) {
      // XDG_STATE_HOME removed: the state dir must follow HOME (~/.local/state/lifeboat).
      const res = await w.cli(args, { ...(opts.configFile ? { configFile: opts.configFile } : {}), env: { XDG_STATE_HOME: undefined, ...opts.env } });
      outputs.push(res.stdout, res.stderr);
      return res;
    },
  };
}

/** expectCode fails with the command's output when the exit code is not `code`. */
export function expectCode(res: CliResult, code: number, what: string): void {
  assert.equal(res.code, code, `${what}: exit ${res.code}, want ${code}\nstderr: ${res.stderr}\nstdout: ${res.stdout.slice(-3000)}`);
}
