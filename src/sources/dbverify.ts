/**
 * @module sources/dbverify
 * What proves a database copy identical to what was captured: per-table row counts and
 * content hashes. SQLite tables are hashed here (sha256 over every row in key order, values
 * serialised with type tags); PostgreSQL computes its own per-table checksums server-side
 * (pgtools.ts). compareTableStats reports the first differences in one line.
 */
import { createHash, type Hash } from "node:crypto";
import { DatabaseSync } from "node:sqlite";

export interface TableStats {
  /** Rows per table, keyed by table name (PostgreSQL: "schema.table"). */
  rowCounts: Record<string, number>;
  /** Opaque per-table content hash; equal hashes mean equal content. */
  tableHashes: Record<string, string>;
}

export interface SqliteVerification extends TableStats {
  /** True when `PRAGMA integrity_check` said "ok". */
  ok: boolean;
  /** integrity_check's answer: "ok" or its first problems joined by "; ". */
  integrity: string;
}

interface TableListRow { schema: string; name: string; type: string; wr: bigint | number }

/**
 * sqliteTableStats counts and hashes every ordinary table of `db`'s main schema, including
 * the shadow tables that hold FTS5 and sqlite-vec data. Skipped: views; virtual tables,
 * because reading them needs their module (sqlite-vec is an extension that a verifier may
 * not have loaded) while their shadow tables already hold all their content; and internal
 * `sqlite_%` tables except sqlite_sequence, whose AUTOINCREMENT counters decide future ids
 * (sqlite_stat1 and friends are ANALYZE output and may be rebuilt). Synchronous: node:sqlite
 * has no async reads; `signal` is checked between tables.
 */
export function sqliteTableStats(db: DatabaseSync, signal?: AbortSignal): TableStats {
  const out: TableStats = { rowCounts: {}, tableHashes: {} };
  for (const t of contentTables(db)) {
    signal?.throwIfAborted();
    const { rows, hash } = hashTable(db, t.name, t.withoutRowid);
    out.rowCounts[t.name] = rows;
    out.tableHashes[t.name] = hash;
  }
  return out;
}

/**
 * sqliteRowCounts counts the rows of the tables sqliteTableStats would hash, inside
 * SQLite (no row reaches JavaScript): what a capture records. A capture does not hash
 * tables any more: the copy is stored byte for byte and restore checks its sha256, which
 * already proves every table equal; hashing 600k rows cost 1.9 s of a 7.7 s hourly backup
 * (docs/design.md, "SQLite capture").
 */
export function sqliteRowCounts(db: DatabaseSync, signal?: AbortSignal): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of contentTables(db)) {
    signal?.throwIfAborted();
    const row = db.prepare(`SELECT count(*) AS n FROM main.${ident(t.name)}`).get() as { n: number | bigint };
    out[t.name] = Number(row.n);
  }
  return out;
}

function contentTables(db: DatabaseSync): { name: string; withoutRowid: boolean }[] {
  const list = db.prepare("PRAGMA main.table_list").all() as unknown as TableListRow[];
  return list
    .filter((t) => (t.type === "table" || t.type === "shadow") && (!t.name.startsWith("sqlite_") || t.name === "sqlite_sequence"))
    .map((t) => ({ name: t.name, withoutRowid: Number(t.wr) === 1 }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;

function hashTable(db: DatabaseSync, table: string, withoutRowid: boolean): { rows: number; hash: string } {
  const cols = db.prepare(`PRAGMA main.table_xinfo(${ident(table)})`).all() as { name: string; pk: number | bigint; hidden: number | bigint }[];
  const names = cols.filter((c) => Number(c.hidden) !== 1).map((c) => c.name);
  let select: string;
  if (withoutRowid) {
    const pk = cols.filter((c) => Number(c.pk) > 0).sort((a, b) => Number(a.pk) - Number(b.pk)).map((c) => ident(c.name));
    select = `SELECT * FROM main.${ident(table)} ORDER BY ${pk.join(", ")}`;
  } else {
    // The rowid is part of the content: backup() keeps it, and apps use it as an id. Any of
    // its three names may be shadowed by a real column; one of them is always free.
    const rowid = ["_rowid_", "rowid", "oid"].find((r) => !names.some((n) => n.toLowerCase() === r)) ?? "_rowid_";
    select = `SELECT ${rowid}, * FROM main.${ident(table)} ORDER BY ${rowid}`;
  }
  const stmt = db.prepare(select);
  stmt.setReadBigInts(true);
  stmt.setReturnArrays(true);
  const h = createHash("sha256");
  // The header makes a renamed table or column, or a rowid/WITHOUT ROWID switch, a change.
  h.update(JSON.stringify({ table, columns: names, withoutRowid }));
  const enc = new RowEncoder(h);
  let rows = 0;
  for (const row of stmt.iterate() as Iterable<unknown[]>) {
    for (const v of row) enc.value(v);
    rows++;
  }
  enc.flush();
  return { rows, hash: h.digest("hex") };
}

/**
 * RowEncoder writes values as tag ‖ payload into a buffer hashed in 64 KiB batches: 200k
 * NanoClaw-style messages hash in 0.6-0.9 s, against 1.0-2.2 s with one hash update per
 * value (Node 24, dev VM, 3 runs each). Tags keep 1 (integer),
 * 1.0 (real), '1' (text) and x'31' (blob) apart; lengths keep adjacent strings apart.
 */
class RowEncoder {
  private buf = Buffer.allocUnsafe(64 * 1024);
  private n = 0;
  private readonly hash: Hash;
  constructor(hash: Hash) { this.hash = hash; }

  value(v: unknown): void {
    if (v === null || v === undefined) return this.tag(0x6e, 0); // n
    if (typeof v === "bigint") { this.tag(0x69, 8); this.buf.writeBigInt64BE(v, this.n); this.n += 8; return; } // i
    if (typeof v === "number") { this.tag(0x72, 8); this.buf.writeDoubleBE(v, this.n); this.n += 8; return; } // r
    const bytes = typeof v === "string" ? Buffer.from(v, "utf8") : (v as Uint8Array);
    this.tag(typeof v === "string" ? 0x74 : 0x62, 4 + bytes.length); // t, b
    this.buf.writeUInt32BE(bytes.length, this.n);
    this.n += 4;
    if (bytes.length > this.buf.length - this.n) { this.flush(); this.hash.update(bytes); return; }
    this.buf.set(bytes, this.n);
    this.n += bytes.length;
  }

  private tag(t: number, payload: number): void {
    if (this.n + 1 + Math.min(payload, 12) > this.buf.length) this.flush();
    this.buf[this.n++] = t;
  }

  flush(): void {
    if (this.n > 0) this.hash.update(this.buf.subarray(0, this.n));
    this.n = 0;
  }
}

/**
 * verifySqliteFile runs `PRAGMA integrity_check` on a database file (a restored copy in
 * staging, not a live database: it opens read-write so SQLite removes the -wal/-shm it
 * creates) and, when that passes, counts its tables and (unless `hashes` is false) hashes them.
 */
export async function verifySqliteFile(path: string, opts: { signal?: AbortSignal; hashes?: boolean } = {}): Promise<SqliteVerification> {
  opts.signal?.throwIfAborted();
  const db = new DatabaseSync(path, { timeout: 10_000 });
  try {
    let integrity: string;
    try {
      const rows = db.prepare("PRAGMA integrity_check(20)").all() as { integrity_check: string }[];
      integrity = rows.map((r) => r.integrity_check).join("; ");
    } catch (err) {
      integrity = (err as Error).message; // a garbled b-tree page aborts the check ("malformed")
    }
    if (integrity !== "ok") return { ok: false, integrity, rowCounts: {}, tableHashes: {} };
    if (opts.hashes === false) return { ok: true, integrity, rowCounts: sqliteRowCounts(db, opts.signal), tableHashes: {} };
    return { ok: true, integrity, ...sqliteTableStats(db, opts.signal) };
  } finally {
    db.close();
  }
}

/**
 * compareTableStats returns "" when `actual` matches `expected` on every table `expected`
 * lists, else a one-line description of the first differences. A table only in `actual`
 * is a difference unless `extraTables` is "ignore" (a PostgreSQL restore into a database
 * that has other tables: the dump neither drops nor records them).
 */
export function compareTableStats(expected: Partial<TableStats>, actual: TableStats, opts: { extraTables?: "error" | "ignore" } = {}): string {
  const diffs: string[] = [];
  for (const [field, what] of [["rowCounts", "rows"], ["tableHashes", "content hash"]] as const) {
    const want = expected[field];
    if (want === undefined) continue;
    const got: Record<string, unknown> = actual[field];
    for (const [table, v] of Object.entries(want)) {
      if (!Object.hasOwn(got, table)) diffs.push(`table ${table} is missing`);
      else if (got[table] !== v) diffs.push(`table ${table}: ${what} ${String(got[table])}, expected ${String(v)}`);
    }
    if (opts.extraTables === "ignore") continue;
    for (const table of Object.keys(got)) if (!Object.hasOwn(want, table)) diffs.push(`unexpected table ${table}`);
  }
  const unique = [...new Set(diffs)];
  return unique.length === 0 ? "" : unique.slice(0, 3).join("; ") + (unique.length > 3 ? ` (and ${unique.length - 3} more)` : "");
}
