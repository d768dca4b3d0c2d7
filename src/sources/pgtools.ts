/**
 * @module sources/pgtools
 * The PostgreSQL client side: the connection environment for psql and pg_dump (the
 * password only ever in the environment, never on a command line that `ps` shows), finding
 * a pg_dump whose major version is at least the server's, and turning libpq's stderr into
 * one-line errors that say what to do.
 */
import { execFile } from "node:child_process";
import { access, constants, readdir, realpath } from "node:fs/promises";
import { userInfo } from "node:os";
import { basename, delimiter, join } from "node:path";
import { promisify } from "node:util";
import type { PostgresItem } from "../agent/types.ts";
import { LifeboatError } from "../errors/index.ts";

/** PgFailure says which kind of failure a PgError is, so callers and tests can branch. */
export type PgFailure = "server-down" | "auth" | "no-database" | "no-role" | "no-tools" | "dump-failed" | "verify-failed" | "failed";

/** PgError is a user-facing PostgreSQL failure with a one-line message. */
export class PgError extends LifeboatError {
  readonly reason: PgFailure;
  constructor(reason: PgFailure, message: string, cause?: unknown) {
    super(message, { cause });
    this.name = "PgError";
    this.reason = reason;
  }
}

export interface PgConnection {
  /** Environment for the client tools: process env < item.env < the url's parts. */
  env: NodeJS.ProcessEnv;
  database: string;
  /** Where the server is, for messages ("127.0.0.1:5432"); never holds a password. */
  where: string;
  user: string;
  /** Where the password came from, for "check the password in …". */
  passwordFrom: string;
}

// URL query parameters and the libpq variables they become (libpq docs, "Environment Variables").
const URL_PARAMS: Record<string, string> = {
  host: "PGHOST", port: "PGPORT", user: "PGUSER", password: "PGPASSWORD", passfile: "PGPASSFILE",
  sslmode: "PGSSLMODE", sslrootcert: "PGSSLROOTCERT", sslcert: "PGSSLCERT", sslkey: "PGSSLKEY",
  connect_timeout: "PGCONNECT_TIMEOUT", application_name: "PGAPPNAME", options: "PGOPTIONS",
  target_session_attrs: "PGTARGETSESSIONATTRS", channel_binding: "PGCHANNELBINDING",
};

/**
 * pgConnection builds the client environment for `database` (default: the item's). The
 * database goes in PGDATABASE, not as an argument: a name containing "=" or starting with
 * postgres:// would be read as connection settings.
 */
export function pgConnection(item: PostgresItem, database = item.database, base: NodeJS.ProcessEnv = process.env): PgConnection {
  const env: NodeJS.ProcessEnv = { ...base, ...item.env };
  let passwordFrom = item.env?.["PGPASSWORD"] !== undefined ? "PGPASSWORD of the item's env"
    : env["PGPASSWORD"] !== undefined ? "PGPASSWORD" : (env["PGPASSFILE"] ?? "~/.pgpass");
  if (item.url !== undefined) {
    let u: URL | undefined;
    try { u = new URL(item.url); } catch { /* reported below, without echoing a password */ }
    if (u === undefined || (u.protocol !== "postgres:" && u.protocol !== "postgresql:")) {
      throw new PgError("failed", `${item.name}: url is not a postgres:// URL — write postgres://user:password@host:port/database`);
    }
    if (u.hostname !== "") env["PGHOST"] = decodeURIComponent(u.hostname.replace(/^\[(.*)\]$/, "$1"));
    if (u.port !== "") env["PGPORT"] = u.port;
    if (u.username !== "") env["PGUSER"] = decodeURIComponent(u.username);
    if (u.password !== "") { env["PGPASSWORD"] = decodeURIComponent(u.password); passwordFrom = "the item's url"; }
    for (const [k, v] of u.searchParams) {
      const name = URL_PARAMS[k];
      if (name === undefined) throw new PgError("failed", `${item.name}: url parameter ${k} is not supported — set it through the item's env (PG* variables)`);
      env[name] = v;
      if (k === "password") passwordFrom = "the item's url";
    }
  }
  env["PGDATABASE"] = database;
  // A server that drops packets would otherwise hang the backup for the OS TCP timeout.
  env["PGCONNECT_TIMEOUT"] ??= "10";
  const host = env["PGHOST"];
  const port = env["PGPORT"] ?? "5432";
  const where = host === undefined || host === "" ? `the local socket, port ${port}` : `${host}:${port}`;
  return { env, database, where, user: env["PGUSER"] ?? userInfo().username, passwordFrom };
}

/**
 * classifyPgError turns a client tool's stderr into a PgError. libpq 15 says, e.g.:
 * `connection to server at "127.0.0.1", port 1 failed: Connection refused`,
 * `… failed: FATAL:  password authentication failed for user "x"`,
 * `… failed: FATAL:  database "x" does not exist`.
 */
export function classifyPgError(tool: string, stderr: string, conn: PgConnection, cause?: unknown): PgError {
  const at = `PostgreSQL at ${conn.where}`;
  let m: RegExpExecArray | null;
  if (/Connection refused/i.test(stderr) || /No such file or directory\s+Is the server running/i.test(stderr)) {
    return new PgError("server-down", `could not connect to ${at}: connection refused — is the server running?`, cause);
  }
  if ((m = /could not translate host name "([^"]*)"/.exec(stderr))) {
    return new PgError("server-down", `could not connect to PostgreSQL: unknown host ${m[1]} — check PGHOST or the url`, cause);
  }
  if (/timeout expired|timed out/i.test(stderr)) {
    return new PgError("server-down", `could not connect to ${at}: timed out — is the host reachable?`, cause);
  }
  if ((m = /password authentication failed for user "([^"]*)"/.exec(stderr))) {
    return new PgError("auth", `password authentication failed for user ${m[1]} — check the password in ${conn.passwordFrom}`, cause);
  }
  if (/no password supplied/.test(stderr)) {
    return new PgError("auth", `${at} wants a password for user ${conn.user} and none is set — put it in the url, PGPASSWORD or ~/.pgpass`, cause);
  }
  if ((m = /database "([^"]*)" does not exist/.exec(stderr))) {
    return new PgError("no-database", `database ${m[1]} does not exist on ${conn.where} — check the item's database name`, cause);
  }
  if ((m = /role "([^"]*)" does not exist/.exec(stderr))) {
    return new PgError("no-role", `role ${m[1]} does not exist on ${conn.where} — check the user name`, cause);
  }
  if (/invalid command \\restrict/.test(stderr)) {
    // pg_dump from the August 2025 minor releases on (15.14, 16.10, 17.6) writes \restrict.
    return new PgError("no-tools", `${tool} is too old for this dump (no \\restrict) — install the latest postgresql-client minor release`, cause);
  }
  return new PgError("failed", `${tool} failed: ${lastError(stderr)}`, cause);
}

/** lastError picks the most telling stderr line (the last ERROR/FATAL/error: one) without tool prefixes. */
export function lastError(stderr: string): string {
  const lines = stderr.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  const line = lines.findLast((l) => /ERROR|FATAL|error:/.test(l)) ?? lines.at(-1) ?? "(no message)";
  return line.replace(/^(psql|pg_dump|pg_restore):(<stdin>:\d+:)?\s*(error:\s*)?/, "");
}

export interface PgBinary {
  path: string;
  /** "15.20", "9.6.24" */
  version: string;
  /** 15, or 9.6 before PostgreSQL 10 (when the major version had two parts). */
  major: number;
}

/** parsePgVersion reads `pg_dump (PostgreSQL) 15.20 (Debian …)`. */
export function parsePgVersion(text: string): { version: string; major: number } | undefined {
  const m = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(text);
  if (!m) return undefined;
  const [a, b] = [Number(m[1]), Number(m[2] ?? 0)];
  return { version: m[0].replace(/^\(PostgreSQL\)\s+/, ""), major: a >= 10 ? a : a + b / 10 };
}

/** majorOfServer maps server_version_num (150020, 90624) to a major (15, 9.6). */
export function majorOfServer(num: number): number {
  return num >= 100_000 ? Math.floor(num / 10_000) : Math.floor(num / 10_000) + (Math.floor(num / 100) % 100) / 10;
}

export const majorLabel = (major: number) => (major >= 10 ? String(major) : major.toFixed(1));

/** defaultSearchPath: PATH, then the per-version folders of Debian (/usr/lib/postgresql/N/bin) and PGDG RPMs (/usr/pgsql-N/bin). */
export async function defaultSearchPath(env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const dirs = (env["PATH"] ?? "").split(delimiter).filter((d) => d !== "");
  const versions = async (parent: string, prefix: string) =>
    (await readdir(parent).catch(() => [] as string[])).filter((n) => n.startsWith(prefix))
      .sort((x, y) => parseFloat(y.slice(prefix.length)) - parseFloat(x.slice(prefix.length)))
      .map((n) => join(parent, n, "bin"));
  return [...dirs, ...(await versions("/usr/lib/postgresql", "")), ...(await versions("/usr", "pgsql-"))];
}

/**
 * findPgBinaries lists every runnable `name` in `searchPath` with its version, in search
 * order. Debian's /usr/bin/psql and pg_dump are pg_wrapper, a Perl script that runs a
 * binary from /usr/lib/postgresql/N/bin: it is only used when no such binary is found,
 * because every call through it costs ~40-70 ms of Perl start-up (a backup's pg_dump
 * started 350 ms after its item; bench/agent, issue 4). Versions are probed in parallel.
 */
export async function findPgBinaries(name: string, opts: { searchPath?: string[]; signal?: AbortSignal } = {}): Promise<PgBinary[]> {
  const dirs = opts.searchPath ?? await defaultSearchPath();
  const found = await Promise.all(dirs.map(async (dir) => {
    const path = join(dir, name);
    if (!(await access(path, constants.X_OK).then(() => true, () => false))) return undefined;
    return { path, real: await realpath(path).catch(() => path) };
  }));
  const seen = new Set<string>();
  const unique = found.filter((c): c is { path: string; real: string } => c !== undefined && !seen.has(c.real) && seen.add(c.real) !== undefined);
  const direct = unique.filter((c) => basename(c.real) !== "pg_wrapper");
  const probe = async (path: string) => {
    const res = await promisify(execFile)(path, ["--version"], { timeout: 10_000, signal: opts.signal }).catch(() => undefined);
    const v = res === undefined ? undefined : parsePgVersion(res.stdout);
    return v === undefined ? undefined : { path, ...v };
  };
  const probed = async (list: { path: string }[]) => (await Promise.all(list.map((c) => probe(c.path)))).filter((b): b is PgBinary => b !== undefined);
  const out = await probed(direct);
  return out.length > 0 ? out : probed(unique);
}

/**
 * choosePgDump picks pg_dump for a server: the same major when there is one, else the
 * lowest newer one. Not simply the newest: pg_dump 17 writes `SET transaction_timeout`,
 * which a PostgreSQL 15 server rejects when the dump is restored there.
 */
export function choosePgDump(serverMajor: number, all: PgBinary[]): PgBinary {
  const fit = all.filter((b) => b.major >= serverMajor).sort((x, y) => x.major - y.major);
  if (fit[0] !== undefined) return fit[0];
  const need = majorLabel(serverMajor);
  const found = all.length === 0 ? "" : ` (found ${all.map((b) => `${b.version} at ${b.path}`).join(", ")})`;
  throw new PgError("no-tools", `pg_dump ${need} or newer is needed for PostgreSQL ${need}${found}: apt-get install postgresql-client-${need}`);
}

/** choosePsql picks the newest psql (any psql can run the few queries lifeboat needs). */
export async function choosePsql(opts: { searchPath?: string[]; signal?: AbortSignal } = {}): Promise<PgBinary> {
  const all = await findPgBinaries("psql", opts);
  const best = all.sort((x, y) => y.major - x.major)[0];
  if (best === undefined) throw new PgError("no-tools", "psql is needed to back up and restore PostgreSQL: apt-get install postgresql-client");
  return best;
}
