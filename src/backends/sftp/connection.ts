/**
 * @module backends/sftp/connection
 * One ssh connection and SFTP session, shared by all concurrent operations of a backend.
 * It opens on first use and again on the next use after the server or network dropped it.
 * Connect failures become BackendAccessError with the problem and the fix ("unreachable",
 * "auth", "host-key"), since these are the errors users meet first.
 */
import { readFile } from "node:fs/promises";
import ssh2 from "ssh2";
import type { AnyAuthMethod, Client, ConnectConfig, SFTPWrapper } from "ssh2";
import { BackendAccessError, errorCodes } from "../errors.ts";
import { hostKeyCheck, loadKnownHosts } from "./hostKeys.ts";
import { markDead } from "./ops.ts";
import type { SftpSettings } from "./settings.ts";

const UNREACHABLE_CODES = new Set(["ECONNREFUSED", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN", "ECONNRESET", "EPIPE"]);

interface Session {
  readonly client: Client;
  readonly sftp: SFTPWrapper;
}

/** SftpConnection hands out the shared SFTP session, connecting when there is none. */
export class SftpConnection {
  readonly settings: SftpSettings;
  private session: Promise<Session> | undefined;
  private closed = false;

  constructor(settings: SftpSettings) {
    this.settings = settings;
  }

  /**
   * sftp returns the live session. An abort stops this caller's wait only: the connect
   * continues for the other callers sharing it.
   */
  async sftp(signal?: AbortSignal): Promise<SFTPWrapper> {
    signal?.throwIfAborted();
    if (this.closed) throw new Error(`${this.settings.location}: the backend is closed`);
    this.session ??= this.open();
    const pending = this.session;
    pending.catch(() => {
      if (this.session === pending) this.session = undefined; // the next call tries afresh
    });
    return (await raceAbort(pending, signal)).sftp;
  }

  /** close ends the connection; later calls fail. */
  async close(): Promise<void> {
    this.closed = true;
    const pending = this.session;
    this.session = undefined;
    const s = await pending?.catch(() => undefined);
    s?.client.end();
  }

  private async open(): Promise<Session> {
    const s = this.settings;
    const check = hostKeyCheck(s, await loadKnownHosts(s));
    const { methods, tried } = await authMethods(s);
    const client = new ssh2.Client();
    // ssh2 may emit more than one error (say, auth failure then socket reset); the first
    // one decides the outcome, later ones must not crash the process.
    client.on("error", () => undefined);
    const config: ConnectConfig = {
      host: s.host,
      port: s.port,
      username: s.user,
      readyTimeout: s.timeoutMs,
      keepaliveInterval: 15_000,
      keepaliveCountMax: 3,
      algorithms: { serverHostKey: check.algorithms as NonNullable<ConnectConfig["algorithms"]>["serverHostKey"] },
      hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => check.verify(key, verify),
      authHandler: methods,
    };
    await new Promise<void>((resolve, reject) => {
      client.once("ready", () => resolve());
      client.once("error", (err) => reject(this.connectError(err, check.failure, tried)));
      client.once("close", () => reject(this.connectError(new Error("connection closed during the handshake"), check.failure, tried)));
      client.connect(config);
      client.setNoDelay(true); // SFTP is request/response: Nagle would add ~40 ms per round trip
    });
    const session = await openSftp(client).catch((err: unknown) => {
      client.end();
      throw new Error(`${s.location}: the server refused the SFTP subsystem`, { cause: err });
    });
    // Dropping the promise of a dead session makes the next call reconnect.
    const pending = this.session;
    const forget = () => {
      if (this.session === pending) this.session = undefined;
      markDead(session);
      client.end();
    };
    client.on("close", forget);
    session.on("close", forget);
    session.on("end", forget);
    return { client, sftp: session };
  }

  /** connectError explains a failed connect: what went wrong, with whom, and how to fix it. */
  private connectError(err: Error, hostKeyFailure: BackendAccessError | undefined, tried: readonly string[]): Error {
    if (hostKeyFailure) return hostKeyFailure;
    const s = this.settings;
    const level = (err as { level?: string }).level;
    const where = `${s.host} port ${s.port}`;
    if (level === "client-authentication") {
      return new BackendAccessError("auth", `ssh login as ${s.user} on ${where} failed: the server accepted none of ${tried.length ? tried.join(", ") : "(no keys found)"}`, {
        hint: `pass the right key with -o sftp.identity=FILE, load it into ssh-agent, or install its .pub in ~${s.user}/.ssh/authorized_keys on the server`,
        cause: err,
      });
    }
    if (level === "client-timeout" || level === "client-socket" || errorCodes(err).some((c) => UNREACHABLE_CODES.has(c))) {
      return new BackendAccessError("unreachable", `cannot reach the ssh server at ${where}: ${err.message}`, {
        hint: "check the host name, the port (-o sftp.port=N), the network and that sshd runs there",
        cause: err,
      });
    }
    return new Error(`ssh connection to ${where} failed: ${err.message}`, { cause: err });
  }
}

function openSftp(client: Client): Promise<SFTPWrapper> {
  return new Promise((resolve, reject) => client.sftp((err, sftp) => (err ? reject(err) : resolve(sftp))));
}

/** authMethods lists the agent, then each readable key file; `tried` names them for messages. */
async function authMethods(s: SftpSettings): Promise<{ methods: AnyAuthMethod[]; tried: string[] }> {
  const methods: AnyAuthMethod[] = [];
  const tried: string[] = [];
  if (s.agent !== undefined) {
    methods.push({ type: "agent", username: s.user, agent: s.agent });
    tried.push(`the keys in ssh-agent (${s.agent})`);
  }
  for (const file of s.identityFiles) {
    const text = await readFile(file).catch(() => undefined);
    if (text === undefined) {
      tried.push(`${file} (unreadable)`);
      continue;
    }
    const key = ssh2.utils.parseKey(text);
    if (key instanceof Error) {
      tried.push(`${file} (${/encrypted/i.test(key.message) ? "passphrase-protected: load it into ssh-agent" : key.message})`);
      continue;
    }
    methods.push({ type: "publickey", username: s.user, key });
    tried.push(file);
  }
  return { methods, tried };
}

function raceAbort<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
