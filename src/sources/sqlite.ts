/**
 * @module sources/sqlite
 * Captures a live SQLite database through the engine, never as a raw file copy: a raw copy
 * of a database being written (or of its -wal beside it) can be torn. node:sqlite's online
 * backup copies every page in ONE step, inside one read transaction, into a private
 * temporary file beside the database; `PRAGMA quick_check` must pass on that copy before
 * it is stored, and the copy is always deleted. -wal, -shm and -journal files are never
 * read: the copy already holds every committed transaction.
 *
 * Why backup() and not VACUUM INTO, and why fixed 8 KiB chunks for fileClass "database":
 * bench/sqlite-capture.ts, summarised in docs/design.md ("SQLite capture"). In short,
 * backup() keeps every unchanged page at its offset, so small page-aligned blocks re-store
 * little more than the changed pages; VACUUM INTO rebuilds and shifts them.
 */
import { randomBytes } from "node:crypto";
import { open, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { backup, DatabaseSync } from "node:sqlite";
import type { SqliteItem } from "../agent/types.ts";
import { readFile } from "../backup/filesaver.ts";
import { sqliteRowCounts } from "./dbverify.ts";
import { mark } from "../util/trace.ts";
import { SourceError, type CaptureContext, type CapturedItem, type Source } from "./source.ts";

export { verifySqliteFile, type SqliteVerification } from "./dbverify.ts";

export interface SqliteSourceOptions {
  /**
   * How long to wait for a lock held by a writer, in ms (default 10 s). In WAL mode a reader
   * never waits; in rollback-journal mode it waits while a writer commits.
   */
  busyTimeoutMs?: number;
}

/**
 * One backup step copies the whole file. With the default of 100 pages per step, a write
 * from another connection between steps restarts the backup (sqlite.org/c3ref/backup_finish.html).
 * Measured on a 100 MB WAL database with a writer inserting every 2-5 ms: 100 pages per step
 * had not finished after 20 s (4554 restarts); one step took 311 ms. node:sqlite rejects -1
 * ("all pages"), so the step is the int32 maximum.
 */
const ALL_PAGES = 0x7fffffff;

/** Suffixes SQLite may create beside the temporary copy; removed with it. */
const COPY_SIDECARS = ["", "-journal", "-wal", "-shm"];

/** createSqliteSource returns the source for one SQLite database file. */
export function createSqliteSource(item: SqliteItem, opts: SqliteSourceOptions = {}): Source {
  return { item, capture: (ctx) => captureSqlite(item, ctx, opts) };
}

async function captureSqlite(item: SqliteItem, ctx: CaptureContext, opts: SqliteSourceOptions): Promise<CapturedItem> {
  const signal = ctx.signal;
  signal?.throwIfAborted();
  const st = await stat(item.path).catch((err: unknown) => {
    const missing = (err as NodeJS.ErrnoException).code === "ENOENT";
    throw new SourceError(item.name, missing
      ? `SQLite database ${item.path} does not exist — check the path, or mark the item optional`
      : `cannot read SQLite database ${item.path}: ${(err as Error).message}`, err);
  });
  if (!st.isFile()) throw new SourceError(item.name, `${item.path} is not a file — point the item at the database file`);
  // Beside the database, not in /tmp: the plaintext copy stays on the disk, and under the
  // permissions, that the database itself lives on.
  const copy = join(dirname(item.path), `.lifeboat-capture-${randomBytes(8).toString("hex")}.sqlite`);
  try {
    const fh = await open(copy, "wx", 0o600).catch((err: unknown) => {
      throw new SourceError(item.name, `cannot create a temporary copy beside ${item.path}: ${(err as Error).message} — the folder must be writable`, err);
    });
    await fh.close(); // backup() then writes into this empty 0600 file, keeping its mode
    const journalMode = await copyDatabase(item, copy, opts.busyTimeoutMs ?? 10_000);
    signal?.throwIfAborted();
    mark(`sqlite ${item.name}: copied`);
    const checked = checkCopy(item, copy, signal);
    mark(`sqlite ${item.name}: checked`);
    const name = basename(item.path);
    const saved = await ctx.saveStream(name, readFile(copy, signal), { fileClass: "database", mode: st.mode & 0o7777 });
    return {
      nodes: [saved.node],
      manifest: {
        name: item.name, kind: "sqlite", class: item.class, source: item.path, secret: false,
        files: 1, bytes: saved.size, sha256: { [name]: saved.sha256 },
        versions: { ...checked.versions, journal_mode: journalMode },
        rowCounts: checked.rowCounts,
      },
    };
  } finally {
    await Promise.all(COPY_SIDECARS.map((s) => rm(copy + s, { force: true })));
  }
}

/** copyDatabase copies the live database into `copy` and returns its journal mode. */
async function copyDatabase(item: SqliteItem, copy: string, busyTimeoutMs: number): Promise<string> {
  let src: DatabaseSync | undefined;
  try {
    // With no -wal present nobody has the database open in WAL mode: a read-only connection
    // would then create -wal/-shm it cannot remove (root-owned litter in the agent's folder),
    // so it opens read-write (writing nothing) and, as the last to close, SQLite removes them.
    // With a -wal present (agent running, or crashed) it stays read-only: a read-write close
    // could checkpoint that WAL into the agent's file, and a backup must change nothing.
    const walPresent = await stat(`${item.path}-wal`).then(() => true, () => false);
    src = new DatabaseSync(item.path, { readOnly: walPresent, timeout: busyTimeoutMs });
    const { journal_mode } = src.prepare("PRAGMA journal_mode").get() as { journal_mode: string };
    await backup(src, copy, { rate: ALL_PAGES });
    return journal_mode;
  } catch (err) {
    const msg = (err as Error).message;
    const hint = /not a database|malformed/i.test(msg) ? " — the file is not a SQLite database, or is damaged or encrypted"
      : /locked|busy/i.test(msg) ? " — a writer held the lock too long; retry, or raise the busy timeout" : "";
    throw new SourceError(item.name, `cannot copy SQLite database ${item.path}: ${msg}${hint}`, err);
  } finally {
    src?.close();
  }
}

interface CheckedCopy {
  versions: Record<string, string | number>;
  rowCounts: Record<string, number>;
}

/**
 * checkCopy runs quick_check on the copy (not the live database: the copy is what will be
 * restored) and reads versions and row counts from it. quick_check, not integrity_check:
 * it skips checking that indexes match their tables (70-120 ms against 350-575 ms on the
 * 76 MB bench database), and restore runs the full integrity_check anyway.
 */
function checkCopy(item: SqliteItem, copy: string, signal?: AbortSignal): CheckedCopy {
  const db = new DatabaseSync(copy);
  try {
    let answer: string;
    try {
      const rows = db.prepare("PRAGMA quick_check(20)").all() as { quick_check: string }[];
      answer = rows.map((r) => r.quick_check).join("; ");
    } catch (err) {
      answer = (err as Error).message; // a garbled page header aborts the check itself ("malformed")
    }
    if (answer !== "ok") {
      throw new SourceError(item.name, `the copy of ${item.path} fails quick_check (${answer}) — the database is damaged; check it with sqlite3 "PRAGMA integrity_check"`);
    }
    const one = (sql: string) => Object.values(db.prepare(sql).get() ?? {})[0] as string | number;
    const versions = {
      page_size: one("PRAGMA page_size"),
      user_version: one("PRAGMA user_version"),
      sqlite_version: one("SELECT sqlite_version()"),
    };
    return { versions, rowCounts: sqliteRowCounts(db, signal) };
  } finally {
    db.close();
  }
}
