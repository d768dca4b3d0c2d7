/**
 * @module backends/sftp/settings
 * Merges the three sources of connection settings into one: `-o sftp.*` options beat the
 * location, which beats ~/.ssh/config, which beats the defaults `ssh` itself uses. The
 * result says exactly which user, port, keys and known_hosts files a connection will use,
 * so error messages can name them.
 */
import { readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LifeboatError } from "../../errors/index.ts";
import { parseDurationArg } from "../../ui/format.ts";
import { isNotFoundError } from "../errors.ts";
import { type BackendOptions, takeOptions } from "../registry.ts";
import { formatLocation, parsePort, parseSftpLocation } from "./location.ts";
import { expandTokens, resolveSshConfig, type SshHostConfig } from "./sshConfig.ts";

/** SFTP_OPTIONS documents every `-o sftp.KEY=VALUE` option (also used in the unknown-option hint). */
export const SFTP_OPTIONS: Readonly<Record<string, string>> = {
  port: "TCP port of the ssh server (default 22)",
  identity: "private key file to log in with",
  "known-hosts": "known_hosts file to check the server's key against",
  "accept-new": "true: record an unknown server key (a changed key is still refused)",
  config: "ssh client config file (default ~/.ssh/config)",
  connections: "parallel operations (default 5)",
  timeout: "connect timeout, e.g. 30s (default 20s)",
};

export const DEFAULT_CONNECTIONS = 5;
const DEFAULT_TIMEOUT_MS = 20_000;
const DEFAULT_IDENTITIES = ["id_ed25519", "id_ecdsa", "id_rsa"];

/** SftpSettings is everything needed to connect and to explain a failure. */
export interface SftpSettings {
  readonly user: string;
  /** The host as written in the location (an ssh config alias, maybe). */
  readonly alias: string;
  /** The host to connect to (HostName from ssh config, or the alias). */
  readonly host: string;
  readonly port: number;
  readonly path: string;
  readonly identityFiles: readonly string[];
  /** ssh-agent socket, or undefined when there is none or IdentitiesOnly/IdentityAgent none. */
  readonly agent: string | undefined;
  /** known_hosts files to read; the first is where accept-new records a key. */
  readonly knownHostsFiles: readonly string[];
  readonly acceptNew: boolean;
  readonly connections: number;
  readonly timeoutMs: number;
  readonly location: string;
}

/** resolveSettings reads the ssh config and combines it with the location and options. */
export async function resolveSettings(rest: string, opts: BackendOptions, env: NodeJS.ProcessEnv = process.env): Promise<SftpSettings> {
  const o = takeOptions("sftp", opts, SFTP_OPTIONS);
  const loc = parseSftpLocation(rest);
  const home = os.homedir();
  const cfg = await readSshConfig(o.config, home, loc.host);
  const localUser = os.userInfo().username;
  const user = loc.user ?? cfg.user ?? localUser;
  const host = cfg.hostName ? cfg.hostName.replace(/%h/g, loc.host) : loc.host;
  const port = pickPort(o.port, loc.port, cfg.port);
  const tokens = { home, localUser, host, remoteUser: user, port };
  const expand = (f: string) => path.resolve(expandTokens(f, tokens));
  const identityFiles = o.identity !== undefined ? [expand(o.identity)] : cfg.identityFiles.map(expand);
  if (identityFiles.length === 0) {
    identityFiles.push(...DEFAULT_IDENTITIES.map((n) => path.join(home, ".ssh", n)).filter((f) => existsSync(f)));
  }
  const knownHostsFiles = o["known-hosts"] !== undefined
    ? [expand(o["known-hosts"])]
    : (cfg.userKnownHostsFiles ?? ["~/.ssh/known_hosts", "~/.ssh/known_hosts2"]).map(expand);
  return {
    user,
    alias: loc.host,
    host,
    port,
    path: loc.path,
    identityFiles,
    agent: pickAgent(cfg, env, expand),
    knownHostsFiles,
    acceptNew: pickAcceptNew(o["accept-new"], cfg.strictHostKeyChecking),
    connections: o.connections === undefined ? DEFAULT_CONNECTIONS : parseConnections(o.connections),
    timeoutMs: pickTimeout(o.timeout, cfg.connectTimeout),
    location: formatLocation(user, host, port, loc.path),
  };
}

async function readSshConfig(file: string | undefined, home: string, alias: string): Promise<SshHostConfig> {
  const target = file ?? path.join(home, ".ssh", "config");
  try {
    return resolveSshConfig(await readFile(target, "utf8"), alias);
  } catch (err) {
    if (file === undefined && isNotFoundError(err)) return { identityFiles: [] };
    throw new LifeboatError(`cannot read ssh config ${target}`, { hint: "fix -o sftp.config=FILE or the file's permissions", cause: err });
  }
}

function pickPort(option: string | undefined, fromLocation: number | undefined, fromConfig: string | undefined): number {
  const opt = option === undefined ? undefined : parsePort(option, "option sftp.port");
  if (opt !== undefined && fromLocation !== undefined && opt !== fromLocation) {
    throw new LifeboatError(`option sftp.port=${opt} contradicts port ${fromLocation} in the repository location`, { hint: "give the port in one place" });
  }
  return opt ?? fromLocation ?? (fromConfig === undefined ? 22 : parsePort(fromConfig, "ssh config Port"));
}

function pickAgent(cfg: SshHostConfig, env: NodeJS.ProcessEnv, expand: (f: string) => string): string | undefined {
  // ssh2 cannot offer only some of the agent's keys, so IdentitiesOnly means no agent at all.
  if (cfg.identitiesOnly === "yes") return undefined;
  if (cfg.identityAgent !== undefined) {
    if (cfg.identityAgent.toLowerCase() === "none") return undefined;
    if (cfg.identityAgent !== "SSH_AUTH_SOCK") return expand(cfg.identityAgent);
  }
  const sock = env.SSH_AUTH_SOCK;
  return sock === undefined || sock === "" ? undefined : sock;
}

/** pickAcceptNew maps the option, else StrictHostKeyChecking; "no" still refuses changed keys. */
function pickAcceptNew(option: string | undefined, strict: string | undefined): boolean {
  if (option !== undefined) {
    if (option !== "true" && option !== "false") {
      throw new LifeboatError(`option sftp.accept-new=${option}: want true or false`);
    }
    return option === "true";
  }
  return strict === "accept-new" || strict === "no" || strict === "off";
}

function parseConnections(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 64) {
    throw new LifeboatError(`option sftp.connections=${text}: want a number from 1 to 64`);
  }
  return n;
}

function pickTimeout(option: string | undefined, fromConfig: string | undefined): number {
  try {
    if (option !== undefined) return parseDurationArg(/^\d+$/.test(option) ? `${option}s` : option);
    if (fromConfig !== undefined && /^\d+$/.test(fromConfig)) return Number(fromConfig) * 1000;
    return DEFAULT_TIMEOUT_MS;
  } catch (err) {
    throw new LifeboatError(`option sftp.timeout=${option}: not a duration`, { hint: "for example 30s or 2m", cause: err });
  }
}
