/**
 * @module sources/psql
 * One long-lived psql process driven through stdin: lifeboat has no PostgreSQL driver
 * (no native addons, few dependencies), and psql already implements every authentication
 * method and TLS. A session is needed, not one psql per query, because the table counts
 * must run inside the transaction whose snapshot pg_dump imports, and a restore must be
 * checked before its transaction commits. psql flushes each result as it completes
 * (checked: results arrive per query over a pipe), so a query's rows can be read between
 * marker rows while the session stays open.
 */
import { spawn as nodeSpawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import type { TableStats } from "./dbverify.ts";
import { classifyPgError, type PgConnection } from "./pgtools.ts";

export type SpawnFn = typeof nodeSpawn;

/** Field separator for -tA output: the ASCII unit separator never occurs in names or numbers. */
const SEP = "\x1f";
const STDERR_KEEP = 16 * 1024;

export class PsqlSession {
  private readonly child: ChildProcessWithoutNullStreams;
  private pending: Buffer[] = [];
  private stderr = "";
  private exit: Error | undefined;
  private waiter: Waiter | undefined;
  private readonly closed: Promise<unknown>;

  /**
   * Starts psql: -X ignores ~/.psqlrc (it could change output), -q drops command tags,
   * --no-password fails instead of prompting on a terminal, ON_ERROR_STOP ends the
   * session at the first error so nothing runs after a failed statement.
   */
  constructor(psql: string, conn: PgConnection, opts: { signal?: AbortSignal; spawn?: SpawnFn } = {}) {
    const args = ["-X", "-q", "-t", "-A", "-F", SEP, "--no-password", "-v", "ON_ERROR_STOP=1"];
    this.child = (opts.spawn ?? nodeSpawn)(psql, args, { env: conn.env, stdio: "pipe", signal: opts.signal });
    this.child.stdin.on("error", () => undefined); // EPIPE after psql exits: reported by "close"
    this.child.stdout.on("data", (b: Buffer) => this.onData(b));
    this.child.stderr.setEncoding("utf8").on("data", (s: string) => { this.stderr = (this.stderr + s).slice(-STDERR_KEEP); });
    this.child.on("error", (err) => { this.exit ??= opts.signal?.aborted ? toError(opts.signal.reason) : err; });
    // Not events.once(): it rejects on the "error" that an aborted spawn emits before "close".
    this.closed = new Promise<[number | null, string | null]>((resolve) => this.child.on("close", (code, sig) => resolve([code, sig]))).then(([code, signal]) => {
      this.exit ??= code === 0 ? new Error("psql session ended") : classifyPgError("psql", this.stderr || `psql exited with ${String(code ?? signal)}`, conn);
      this.waiter?.reject(this.exit);
      this.waiter = undefined;
    });
  }

  /** query runs `sql` (one or more statements ending in ";") and returns its rows' fields. */
  query(sql: string): Promise<string[][]> {
    return this.run(sql, undefined);
  }

  /**
   * copyOut runs one `COPY … TO STDOUT` and hands each output line, as bytes and without
   * its newline, to `onLine`; rows are never collected in memory.
   */
  async copyOut(sql: string, onLine: (line: Buffer) => void): Promise<void> {
    await this.run(sql, onLine);
  }

  private run(sql: string, onLine: ((line: Buffer) => void) | undefined): Promise<string[][]> {
    if (this.exit !== undefined) return Promise.reject(this.exit);
    if (this.waiter !== undefined) return Promise.reject(new Error("psql session: one query at a time"));
    const marker = `lifeboat-${randomBytes(8).toString("hex")}`;
    const p = new Promise<string[][]>((resolve, reject) => { this.waiter = { marker, rows: undefined, onLine, resolve, reject }; });
    this.child.stdin.write(`SELECT '${marker}-begin';\n${sql}\nSELECT '${marker}-end';\n`);
    return p;
  }

  /** feed writes a stream (a dump) into psql, waiting when its pipe is full. */
  async feed(input: AsyncIterable<Uint8Array>, signal?: AbortSignal): Promise<void> {
    for await (const chunk of input) {
      signal?.throwIfAborted();
      if (this.exit !== undefined) throw this.exit;
      if (!this.child.stdin.write(chunk)) await Promise.race([once(this.child.stdin, "drain"), this.closed]);
    }
    this.child.stdin.write("\n");
  }

  /** close ends the session (an open transaction rolls back) and waits for psql to exit. */
  async close(): Promise<void> {
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 10_000);
    await this.closed;
    clearTimeout(timer);
  }

  private onData(b: Buffer): void {
    let start = 0;
    for (let nl = b.indexOf(10); nl >= 0; nl = b.indexOf(10, start)) {
      const piece = b.subarray(start, nl);
      const line = this.pending.length === 0 ? piece : Buffer.concat([...this.pending, piece]);
      this.pending = [];
      start = nl + 1;
      this.onLine(line);
    }
    if (start < b.length) this.pending.push(b.subarray(start));
  }

  private onLine(line: Buffer): void {
    const w = this.waiter;
    if (w === undefined) return; // output of fed statements (the dump's set_config row)
    // Markers are compared as text only when the length fits: COPY lines can be megabytes.
    const text = line.length === w.marker.length + 4 || line.length === w.marker.length + 6 ? line.toString("utf8") : "";
    if (text === `${w.marker}-begin`) w.rows = [];
    else if (text === `${w.marker}-end`) { this.waiter = undefined; w.resolve(w.rows ?? []); }
    else if (w.rows === undefined) return;
    else if (w.onLine !== undefined) w.onLine(line);
    else if (line.length > 0) w.rows.push(line.toString("utf8").split(SEP));
  }
}

interface Waiter {
  marker: string;
  /** undefined until the begin marker: lines before it belong to fed statements. */
  rows: string[][] | undefined;
  onLine: ((line: Buffer) => void) | undefined;
  resolve: (rows: string[][]) => void;
  reject: (e: Error) => void;
}

const toError = (e: unknown) => (e instanceof Error ? e : new Error(String(e)));

/** quoteLiteral quotes a string for SQL (standard_conforming_strings is on since 9.1). */
export const quoteLiteral = (s: string) => `'${s.replaceAll("'", "''")}'`;
export const quoteIdent = (s: string) => `"${s.replaceAll('"', '""')}"`;

/**
 * readTableStats counts every table's rows and, with `checksums`, hashes its content:
 * md5 over the count and the sum of the first 64 bits of md5(row::text) of every row.
 * A sum, not md5(string_agg(… ORDER BY …)): it needs no sort and no memory per row, and
 * string_agg fails past 1 GB of text. Its cost is one sequential scan and one md5 per row,
 * about as much reading as pg_dump's own COPY. Covers ordinary tables and partitions
 * (relkind r), ONLY their own rows, except extension-owned tables, whose rows pg_dump
 * leaves out too. Keys are "schema.table". Must run inside a transaction: the settings
 * that change row::text (time zone, float digits, bytea and interval output) are SET LOCAL.
 */
export async function readTableStats(session: PsqlSession, checksums: boolean): Promise<TableStats> {
  const tables = await session.query(`SELECT n.nspname, c.relname, pg_catalog.format('%I.%I', n.nspname, c.relname)
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1, 2;`);
  const out: TableStats = { rowCounts: {}, tableHashes: {} };
  if (tables.length === 0) return out;
  const hash = checksums
    ? "pg_catalog.md5(count(*)::text || ':' || coalesce(sum(('x' || pg_catalog.left(pg_catalog.md5(t::text), 16))::bit(64)::bigint::numeric), 0)::text)"
    : "''";
  // One statement for all tables, built here from server-quoted names (format %I), so the
  // query needs no server-side dynamic SQL (and no temporary function: the capture's
  // transaction is READ ONLY).
  const selects = tables.map(([, , qualified], i) => `SELECT ${i}, count(*), ${hash} FROM ONLY ${qualified} t`);
  const rows = await session.query(`SET LOCAL TimeZone = 'UTC'; SET LOCAL DateStyle = 'ISO, YMD'; SET LOCAL IntervalStyle = 'postgres';
SET LOCAL extra_float_digits = 1; SET LOCAL bytea_output = 'hex';
${selects.join("\nUNION ALL ")};`);
  for (const [i, n, h] of rows) {
    const [schema, table] = tables[Number(i)] ?? [];
    const key = `${schema}.${table}`;
    out.rowCounts[key] = Number(n);
    if (checksums) out.tableHashes[key] = h ?? "";
  }
  return out;
}
