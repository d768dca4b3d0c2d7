/**
 * @module sources/pgrestore
 * Restores a captured PostgreSQL dump into a database (created when missing) and proves it:
 * the dump is loaded inside one transaction, the row counts (and checksums, when the
 * manifest has them) are computed in that same transaction and compared with the manifest,
 * and only a match commits. A failed statement or a mismatch rolls everything back, so the
 * database is never left half-restored; a database this restore created is dropped again.
 */
import type { PostgresItem } from "../agent/types.ts";
import { COPY_HASH_SCHEME, DumpScanner, LineHasher, scanDump, type CopyTable } from "./copyhash.ts";
import { compareTableStats, type TableStats } from "./dbverify.ts";
import { choosePsql, PgError, pgConnection } from "./pgtools.ts";
import { PsqlSession, quoteIdent, quoteLiteral, readTableStats, type SpawnFn } from "./psql.ts";

export interface PostgresRestoreOptions {
  /** Database to restore into (default: the item's). */
  database?: string;
  /** What the manifest recorded; any difference rolls the restore back. */
  expect?: Partial<TableStats> & { tableHashScheme?: string | undefined };
  /** Compute checksums even when `expect` has none (default: only when it has them). */
  checksums?: boolean;
  searchPath?: string[];
  signal?: AbortSignal;
  spawn?: SpawnFn;
}

export interface PostgresRestoreResult extends TableStats {
  database: string;
  /** True when the database did not exist and this restore created it. */
  created: boolean;
}

/** The database to connect to for CREATE/DROP DATABASE; present on every cluster since 8.1. */
const MAINTENANCE_DB = "postgres";

/**
 * restorePostgres loads `dump` (a plain dump from createPostgresSource) into the database.
 * Tables in the database that the dump does not mention are left alone (pg_dump --clean
 * only drops what it recreates) and are not a verification failure.
 */
export async function restorePostgres(item: PostgresItem, dump: AsyncIterable<Uint8Array>, opts: PostgresRestoreOptions = {}): Promise<PostgresRestoreResult> {
  const { signal, spawn } = opts;
  const database = opts.database ?? item.database;
  const psql = await choosePsql({ searchPath: opts.searchPath, signal });
  const admin = async <T>(fn: (s: PsqlSession) => Promise<T>): Promise<T> => {
    const s = new PsqlSession(psql.path, pgConnection(item, MAINTENANCE_DB), { signal, spawn });
    try { return await fn(s); } finally { await s.close(); }
  };
  const created = await admin(async (s) => {
    if (await hasDatabase(s, database)) return false;
    await s.query(`CREATE DATABASE ${quoteIdent(database)};`);
    return true;
  });
  const session = new PsqlSession(psql.path, pgConnection(item, database), { signal, spawn });
  let committed = false;
  try {
    await session.query("BEGIN;");
    const scanner = new DumpScanner({ hashRows: false });
    await session.feed(scanDump(dump, scanner), signal);
    const checksums = opts.checksums ?? (opts.expect?.tableHashes !== undefined);
    const stats = opts.expect?.tableHashScheme === COPY_HASH_SCHEME
      ? await copyTableStats(session, scanner.tables)
      : await readTableStats(session, checksums);
    const diff = compareTableStats(opts.expect ?? {}, stats, { extraTables: "ignore" });
    if (diff !== "") {
      await session.query("ROLLBACK;");
      throw new PgError("verify-failed", `restored database ${database} does not match the backup (${diff}); rolled back — the backup may be damaged, run \`lifeboat check --read-data\``);
    }
    await session.query("COMMIT;");
    committed = true;
    return { database, created, ...stats };
  } finally {
    await session.close();
    // Without the signal: an aborted restore must still remove the database it created.
    if (!committed && created) await dropDatabase(item, database, { searchPath: opts.searchPath, spawn }).catch(() => undefined);
  }
}

async function hasDatabase(s: PsqlSession, database: string): Promise<boolean> {
  return (await s.query(`SELECT 1 FROM pg_catalog.pg_database WHERE datname = ${quoteLiteral(database)};`)).length > 0;
}

/** databaseExists asks the server whether `database` exists (an agent restore has nothing to keep if not). */
export async function databaseExists(item: PostgresItem, database = item.database, opts: { searchPath?: string[]; signal?: AbortSignal } = {}): Promise<boolean> {
  const psql = await choosePsql({ searchPath: opts.searchPath, signal: opts.signal });
  const s = new PsqlSession(psql.path, pgConnection(item, MAINTENANCE_DB), { signal: opts.signal });
  try {
    return await hasDatabase(s, database);
  } finally {
    await s.close();
  }
}

/**
 * dropDatabase removes a database (a failed restore's, a drill's scratch copy). WITH (FORCE)
 * (PostgreSQL 13+): a killed session's backend may not have exited yet.
 */
export async function dropDatabase(item: PostgresItem, database: string, opts: { searchPath?: string[] | undefined; spawn?: SpawnFn | undefined; signal?: AbortSignal } = {}): Promise<void> {
  const psql = await choosePsql({ searchPath: opts.searchPath, signal: opts.signal });
  const s = new PsqlSession(psql.path, pgConnection(item, MAINTENANCE_DB), { signal: opts.signal, spawn: opts.spawn });
  try {
    const force = Number((await s.query("SHOW server_version_num;"))[0]?.[0]) >= 130_000 ? " WITH (FORCE)" : "";
    await s.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)}${force};`);
  } finally {
    await s.close();
  }
}

/**
 * copyTableStats reads back, inside the load's transaction, every table the dump filled,
 * with pg_dump's own output settings, and hashes the rows as the capture did.
 */
async function copyTableStats(session: PsqlSession, tables: CopyTable[]): Promise<TableStats> {
  await session.query(`SET LOCAL TimeZone = 'UTC'; SET LOCAL DateStyle = 'ISO'; SET LOCAL IntervalStyle = 'postgres';
SET LOCAL extra_float_digits = 3; SET LOCAL bytea_output = 'hex';`);
  const out: TableStats = { rowCounts: {}, tableHashes: {} };
  for (const t of tables) {
    const h = new LineHasher();
    await session.copyOut(t.copyOut, (line) => h.add(line));
    out.rowCounts[t.key] = h.rows;
    out.tableHashes[t.key] = h.digest();
  }
  return out;
}

/**
 * postgresChecksums computes row counts and checksums of a database as restore verifies
 * them, in one REPEATABLE READ transaction (tests compare a source with its restore).
 */
export async function postgresChecksums(item: PostgresItem, opts: { database?: string; searchPath?: string[]; signal?: AbortSignal } = {}): Promise<TableStats> {
  const psql = await choosePsql(opts);
  const session = new PsqlSession(psql.path, pgConnection(item, opts.database ?? item.database), { signal: opts.signal });
  try {
    await session.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;");
    return await readTableStats(session, true);
  } finally {
    await session.close();
  }
}
