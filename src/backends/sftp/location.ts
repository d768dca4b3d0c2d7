/**
 * @module backends/sftp/location
 * Parses the part of an sftp repository location after `sftp:` into user, host, port and
 * path, and renders a location back for messages (never with credentials). Two forms:
 * scp style `[user@]host:path` and restic's URL style `//[user@]host[:port]/path`.
 */
import { LifeboatError } from "../../errors/index.ts";

/** SftpLocation is a parsed location; absent fields fall back to ssh config or defaults. */
export interface SftpLocation {
  readonly user?: string;
  /** Host as written (an ssh config alias or a name/address), without IPv6 brackets. */
  readonly host: string;
  readonly port?: number;
  /** Absolute (`/srv/repo`) or relative to the login folder (`backups/repo`). */
  readonly path: string;
}

const FORMS = "sftp:user@host:/abs/path, sftp:host:relative/path or sftp://user@host:port//abs/path";

/** parseSftpLocation parses `rest` (the location without `sftp:`). */
export function parseSftpLocation(rest: string): SftpLocation {
  const loc = rest.startsWith("//") ? parseUrlForm(rest) : parseScpForm(rest);
  if (loc.host === "") throw badLocation(rest, "no host");
  if (loc.path === "" || loc.path === "/") throw badLocation(rest, "no repository folder");
  return loc;
}

function parseScpForm(rest: string): SftpLocation {
  // The user may not contain ':' or '/', so an '@' inside the path is never taken for one.
  const m = /^(?:([^:/]+)@)?(\[[^\]]*\]|[^:/@[\]]+):(.*)$/s.exec(rest);
  if (!m) throw badLocation(rest, "expected [user@]host:path");
  return withUser(m[1], { host: unbracket(m[2]!), path: m[3]! });
}

/**
 * parseUrlForm follows restic: the path after the authority loses its first slash, so
 * `//host/repo` is `repo` in the login folder and `//host//srv/repo` is `/srv/repo`.
 */
function parseUrlForm(rest: string): SftpLocation {
  const m = /^\/\/(?:([^/@]+)@)?(\[[^\]]*\]|[^:/[\]]+)(?::(\d*))?(\/.*)?$/s.exec(rest);
  if (!m) throw badLocation(`sftp:${rest}`, "expected sftp://[user@]host[:port]/path");
  const port = m[3] === undefined || m[3] === "" ? undefined : parsePort(m[3], `location sftp:${rest}`);
  const path = decodeURIComponent((m[4] ?? "").slice(1));
  const user = m[1] === undefined ? undefined : decodeURIComponent(m[1]);
  return withUser(user, { host: unbracket(m[2]!), path, ...(port === undefined ? {} : { port }) });
}

function withUser(user: string | undefined, loc: SftpLocation): SftpLocation {
  if (user === undefined) return loc;
  if (user.includes(":")) {
    throw new LifeboatError("sftp locations take no password", { hint: "use an ssh key or ssh-agent; see docs/sftp.md" });
  }
  return { ...loc, user };
}

const unbracket = (h: string): string => (h.startsWith("[") ? h.slice(1, -1) : h);

/** parsePort validates a TCP port number from a location, option or ssh config. */
export function parsePort(text: string, what: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) {
    throw new LifeboatError(`${what}: invalid port ${JSON.stringify(text)}`, { hint: "a port is a number from 1 to 65535" });
  }
  return port;
}

function badLocation(loc: string, problem: string): LifeboatError {
  const shown = loc.startsWith("sftp:") ? loc : `sftp:${loc}`;
  return new LifeboatError(`repository location ${JSON.stringify(shown)}: ${problem}`, { hint: `write it as ${FORMS}` });
}

/** formatLocation renders a location for properties.location and messages. */
export function formatLocation(user: string, host: string, port: number, path: string): string {
  const h = host.includes(":") ? `[${host}]` : host;
  if (port === 22) return `sftp:${user}@${h}:${path}`;
  return `sftp://${user}@${h}:${port}/${path}`;
}
