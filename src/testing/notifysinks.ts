/**
 * @module testing/notifysinks
 * Far sides for notifier tests, on 127.0.0.1 and a free port: an HTTP server that records
 * every request and by default answers like the Telegram Bot API and ntfy, and an SMTP
 * server (smtp-server) that records every mail. Tests can make either refuse or go silent,
 * so the notifiers meet real sockets, real status codes and real SMTP replies.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createServer as createNetServer } from "node:net";
import { parseMail, type ParsedMail } from "./mimetext.ts";

/** SinkRequest is one recorded HTTP request. */
export interface SinkRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The body parsed as JSON, when it is JSON. */
  json?: unknown;
}

/** Responder answers a recorded request; one that never ends `res` leaves the client waiting. */
export type Responder = (req: SinkRequest, res: ServerResponse) => void | Promise<void>;

export interface HttpSink {
  /** e.g. "http://127.0.0.1:40123" */
  readonly url: string;
  readonly requests: SinkRequest[];
  /** respond replaces the default answers; null restores them. */
  respond(fn: Responder | null): void;
  waitFor(n: number, timeoutMs?: number): Promise<SinkRequest[]>;
  stop(): Promise<void>;
}

/** startHttpSink starts the HTTP sink; `telegramToken` is the only bot token it accepts (any, if unset). */
export async function startHttpSink(opts: { telegramToken?: string } = {}): Promise<HttpSink> {
  const requests: SinkRequest[] = [];
  const waiters = new Waiters(requests);
  let responder: Responder = defaultResponder(opts.telegramToken);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const rec: SinkRequest = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body, ...jsonOf(body) };
      requests.push(rec);
      waiters.check();
      void Promise.resolve(responder(rec, res)).catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    respond: (fn) => { responder = fn ?? defaultResponder(opts.telegramToken); },
    waitFor: (n, ms = 5000) => waiters.wait(n, ms),
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function jsonOf(body: Buffer): { json?: unknown } {
  try {
    return { json: JSON.parse(body.toString("utf8")) as unknown };
  } catch {
    return {};
  }
}

/** defaultResponder answers sendMessage like the Bot API and any other POST like an ntfy publish. */
function defaultResponder(token: string | undefined): Responder {
  let messageId = 0;
  return (req, res) => {
    const bot = /^\/bot([^/]+)\/sendMessage$/.exec(req.path);
    if (bot && token !== undefined && bot[1] !== token) return reply(res, 401, { ok: false, error_code: 401, description: "Unauthorized" });
    const sent = req.json as { chat_id?: unknown; text?: unknown } | undefined;
    if (bot) return reply(res, 200, { ok: true, result: { message_id: ++messageId, date: Math.floor(Date.now() / 1000), chat: { id: sent?.chat_id }, text: sent?.text } });
    if (req.method !== "POST") return reply(res, 404, { error: "not found" });
    const id = `m${++messageId}`;
    reply(res, 200, { id, time: Math.floor(Date.now() / 1000), event: "message", topic: req.path.slice(1), message: req.body.toString("utf8") });
  };
}

/** reply ends `res` with a JSON body. */
export function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/** SinkMail is one recorded mail: the envelope, the raw message and its decoded subject and text. */
export interface SinkMail extends ParsedMail {
  from: string;
  to: string[];
  raw: string;
  /** The user the client logged in as, if it did. */
  user?: string;
  /** Whether the mail came over TLS (implicit or STARTTLS). */
  secure: boolean;
}

/** SmtpFault makes the sink refuse each mail with an SMTP reply, or never greet ("hang"). */
export type SmtpFault = { code: number; message: string } | "hang" | null;

export interface SmtpSinkOptions {
  /** Require this login; without it the sink takes mail from anyone. */
  auth?: { user: string; pass: string };
  /** A key and certificate: STARTTLS is offered (or, with secure, TLS from the start). Without, STARTTLS is off. */
  tls?: { key: string; cert: string };
  secure?: boolean;
}

export interface SmtpSink {
  readonly host: string;
  readonly port: number;
  readonly mails: SinkMail[];
  fail(fault: SmtpFault): void;
  waitFor(n: number, timeoutMs?: number): Promise<SinkMail[]>;
  stop(): Promise<void>;
}

/** startSmtpSink starts the SMTP sink. */
export async function startSmtpSink(opts: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const mails: SinkMail[] = [];
  const waiters = new Waiters(mails);
  let fault: SmtpFault = null;
  // Imported here: smtp-server is a devDependency, and lifeboat/testing must load without it.
  const { SMTPServer } = await import("smtp-server");
  const server = new SMTPServer({
    ...(opts.tls ?? {}),
    secure: opts.secure ?? false,
    disabledCommands: opts.tls ? [] : ["STARTTLS"],
    authOptional: !opts.auth,
    allowInsecureAuth: true,
    logger: false,
    closeTimeout: 200,
    onConnect: (_session, cb) => { if (fault !== "hang") cb(); },
    onAuth: (auth, _session, cb) => {
      if (opts.auth && auth.username === opts.auth.user && auth.password === opts.auth.pass) return cb(null, { user: auth.username });
      cb(Object.assign(new Error("Authentication credentials invalid"), { responseCode: 535 }));
    },
    onData: (stream, session, cb) => {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        if (fault && fault !== "hang") return cb(Object.assign(new Error(fault.message), { responseCode: fault.code }));
        const raw = Buffer.concat(chunks).toString("utf8");
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : "";
        const user = typeof session.user === "string" ? { user: session.user } : {};
        mails.push({ from, to: session.envelope.rcptTo.map((r) => r.address), raw, ...parseMail(raw), ...user, secure: session.secure });
        waiters.check();
        cb(null, `OK: queued as sink-${mails.length}`);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    host: "127.0.0.1",
    port: (server.server.address() as AddressInfo).port,
    mails,
    fail: (f) => { fault = f; },
    waitFor: (n, ms = 5000) => waiters.wait(n, ms),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** closedPort returns a port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/** Waiters resolves waitFor(n) once `list` holds n entries. */
class Waiters<T> {
  private readonly list: T[];
  private pending: { n: number; resolve: (v: T[]) => void }[] = [];
  constructor(list: T[]) {
    this.list = list;
  }
  check(): void {
    const ready = this.pending.filter((w) => this.list.length >= w.n);
    this.pending = this.pending.filter((w) => this.list.length < w.n);
    for (const w of ready) w.resolve(this.list.slice());
  }
  wait(n: number, ms: number): Promise<T[]> {
    if (this.list.length >= n) return Promise.resolve(this.list.slice());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`sink: ${this.list.length} of ${n} arrived within ${ms} ms`)), ms);
      this.pending.push({ n, resolve: (v) => { clearTimeout(timer); resolve(v); } });
    });
  }
}
