/**
 * @module sources/postgres
 * Captures a PostgreSQL database as a plain SQL dump streamed from pg_dump into the
 * repository, with no temporary file. Row counts and per-table checksums are computed from
 * the dump's own COPY blocks as they stream past (sources/copyhash.ts), so they describe
 * exactly the rows in the dump even while the agent keeps writing, at no extra scan. A
 * pg_dump that exits non-zero or is killed makes capture reject, and the caller writes no
 * snapshot.
 */
import { spawn as nodeSpawn } from "node:child_process";
import type { PostgresItem } from "../agent/types.ts";
import { isAbortError } from "../errors/index.ts";
import { choosePgDump, choosePsql, classifyPgError, findPgBinaries, lastError, majorOfServer, PgError, pgConnection, type PgConnection } from "./pgtools.ts";
import { COPY_HASH_SCHEME, DumpScanner, scanDump } from "./copyhash.ts";
import { PsqlSession, type SpawnFn } from "./psql.ts";
import { mark } from "../util/trace.ts";
import { release } from "../util/release.ts";
import { SourceError, type CaptureContext, type CapturedItem, type Source } from "./source.ts";

export { postgresChecksums, restorePostgres, type PostgresRestoreOptions, type PostgresRestoreResult } from "./pgrestore.ts";

export interface PostgresSourceOptions {
  /** Folders to look for psql and pg_dump in (default: PATH, then /usr/lib/postgresql/N/bin, /usr/pgsql-N/bin). */
  searchPath?: string[];
  /** Per-table checksums: a SHA-1 per dumped row, on this side (default true). Row counts are always taken. */
  checksums?: boolean;
  /** How long pg_dump waits for a table lock that a migration holds (default "60s"), so a backup cannot hang. */
  lockWaitTimeout?: string;
  /** For tests: how child processes are started. */
  spawn?: SpawnFn;
}

/** createPostgresSource returns the source for one PostgreSQL database. */
export function createPostgresSource(item: PostgresItem, opts: PostgresSourceOptions = {}): Source {
  return { item, capture: (ctx) => capturePostgres(item, ctx, opts) };
}

async function capturePostgres(item: PostgresItem, ctx: CaptureContext, opts: PostgresSourceOptions): Promise<CapturedItem> {
  const signal = ctx.signal;
  try {
    const conn = pgConnection(item);
    // The pg_dump candidates are probed while psql asks the server its version.
    const dumps = findPgBinaries("pg_dump", { searchPath: opts.searchPath, signal });
    dumps.catch(() => undefined); // awaited below, unless the version query fails first
    const version = await serverVersion(conn, opts, signal);
    const versionNum = Number(version?.[0]);
    const pgDump = choosePgDump(majorOfServer(versionNum), await dumps);
    const name = `${item.database.replace(/[/\0]/g, "_")}.sql`;
    const args = ["--no-password", "--format=plain", "--clean", "--if-exists", "--no-owner", `--lock-wait-timeout=${opts.lockWaitTimeout ?? "60s"}`];
    const checksums = opts.checksums ?? true;
    const scanner = new DumpScanner({ hashRows: checksums });
    // UTC: timestamptz text then reads the same wherever the dump is loaded and verified.
    const dumpConn = { ...conn, env: { ...conn.env, PGTZ: "UTC" } };
    const saved = await ctx.saveStream(name, scanDump(runPgDump(pgDump.path, args, dumpConn, signal, opts.spawn), scanner), { fileClass: "dump" });
    const stats = [...scanner.stats];
    return {
      nodes: [saved.node],
      manifest: {
        name: item.name, kind: "postgres", class: item.class, source: item.database, secret: false,
        files: 1, bytes: saved.size, sha256: { [name]: saved.sha256 },
        versions: {
          server: version?.[1] ?? "", server_version_num: versionNum, pg_dump: pgDump.version,
          encoding: version?.[2] ?? "", collate: version?.[3] ?? "",
        },
        rowCounts: Object.fromEntries(stats.map(([k, h]) => [k, h.rows])),
        ...(checksums ? { tableHashes: Object.fromEntries(stats.map(([k, h]) => [k, h.digest()])), tableHashScheme: COPY_HASH_SCHEME } : {}),
      },
    };
  } catch (err) {
    if (signal?.aborted || isAbortError(err)) throw err;
    const pg = findPgError(err);
    if (pg !== undefined) throw new SourceError(item.name, pg.message, err);
    throw err; // a repository failure from saveStream is not the database's fault
  }
}

/** serverVersion asks the server for its version, encoding and collation. */
async function serverVersion(conn: PgConnection, opts: PostgresSourceOptions, signal?: AbortSignal): Promise<string[] | undefined> {
  const psql = await choosePsql({ searchPath: opts.searchPath, signal });
  const session = new PsqlSession(psql.path, conn, { signal, spawn: opts.spawn });
  try {
    // Encoding and collation: restore creates a missing database with the server's
    // defaults, so a difference (which changes text sort order) is at least on record.
    const [row] = await session.query(`SELECT pg_catalog.current_setting('server_version_num'), pg_catalog.current_setting('server_version'),
      pg_catalog.pg_encoding_to_char(encoding), datcollate FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database();`);
    return row;
  } finally {
    await session.close();
  }
}

/**
 * runPgDump yields pg_dump's stdout and, at the end, checks how it exited: the stream
 * fails instead of ending when pg_dump failed, so a truncated dump is never a complete file.
 * Stopping early (the consumer failed, or `signal` aborted) kills pg_dump.
 */
async function* runPgDump(bin: string, args: string[], conn: PgConnection, signal: AbortSignal | undefined, spawn: SpawnFn = nodeSpawn): AsyncGenerator<Uint8Array> {
  signal?.throwIfAborted();
  mark("pg_dump: start");
  const child = spawn(bin, args, { env: conn.env, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  let spawnError: Error | undefined;
  child.stderr.setEncoding("utf8").on("data", (s: string) => { stderr = (stderr + s).slice(-16 * 1024); });
  child.on("error", (err) => { spawnError = err; });
  const closed = new Promise<[number | null, string | null]>((resolve) => child.on("close", (code, sig) => resolve([code, sig])));
  const onAbort = () => child.kill("SIGKILL");
  signal?.addEventListener("abort", onAbort, { once: true });
  let done = false;
  try {
    let first = true;
    for await (const chunk of child.stdout) {
      if (first) mark("pg_dump: first output");
      first = false;
      yield chunk as Buffer;
      // The consumer asked for the next piece, so it is done with this one (copied what it
      // keeps): freed now, not at V8's next full GC. 106 MB of 64 KiB pipe reads had been
      // dead external memory for seconds at a time (peak RSS, issue 4).
      release(chunk as Buffer);
    }
    mark("pg_dump: end of output");
    const [code, sig] = await closed;
    signal?.throwIfAborted();
    if (spawnError !== undefined) throw new PgError("dump-failed", `cannot run ${bin}: ${spawnError.message}`, spawnError);
    if (sig !== null) {
      const why = stderr.trim() === "" ? "" : `: ${lastError(stderr)}`;
      throw new PgError("dump-failed", `pg_dump was killed by ${sig} before the dump was complete${why}`);
    }
    if (code !== 0) {
      const e = classifyPgError("pg_dump", stderr, conn);
      throw e.reason === "failed" ? new PgError("dump-failed", `pg_dump exited with code ${code}: ${lastError(stderr)}`) : e;
    }
    done = true;
  } finally {
    signal?.removeEventListener("abort", onAbort);
    if (!done && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
}

/** findPgError returns the PgError in `err`'s cause chain (saveStream may wrap the stream's error). */
export function findPgError(err: unknown): PgError | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) if (e instanceof PgError) return e;
  return undefined;
}
