/**
 * @module drift/live
 * The agent as it is on disk now, selected exactly as a backup would select it: the same
 * items (default skips included), the same exclusions (sources/exclude.ts, and the paths
 * other items capture), symlinks and special files left out as the archiver leaves them.
 * Files get a sha256 and size; SQLite items get per-table row counts. PostgreSQL and
 * command items are not scanned: a dump or a command run per drift check costs what a
 * backup costs. Nothing here writes to the agent's folders.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { lstat, readdir } from "node:fs/promises";
import { basename, isAbsolute, join, relative, sep } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { setTimeout as sleep } from "node:timers/promises";
import type { AgentConfig, FilesItem, Item, SecretItem, SqliteItem } from "../model/agent.ts";
import { sqliteRowCounts } from "../sources/dbverify.ts";
import { buildExclude } from "../sources/exclude.ts";
import { coveredBy } from "../sources/index.ts";
import type { ExcludeFn } from "../sources/source.ts";
import { matchGlob } from "../util/glob.ts";
import { Semaphore } from "../util/semaphore.ts";
import type { AgentState, DriftPolicy } from "./types.ts";
import { readOnlyTarget } from "../sources/sqliteopen.ts";

// Files hashed at once: enough to overlap disk waits, few enough to bound open descriptors.
const HASH_CONCURRENCY = 4;

interface Scan {
  agent: AgentConfig;
  ignore: string[];
  state: Required<AgentState>;
  slots: Semaphore;
  signal: AbortSignal | undefined;
}

/** scanLive reads `agent`'s current state; one unreadable file or busy database is noted, never thrown. */
export async function scanLive(agent: AgentConfig, policy: Pick<DriftPolicy, "ignore">, signal?: AbortSignal): Promise<AgentState> {
  const scan: Scan = { agent, ignore: policy.ignore, state: { files: new Map(), databases: new Map(), unread: [] }, slots: new Semaphore(HASH_CONCURRENCY), signal };
  const skip = new Set(agent.skip);
  for (const item of agent.items) {
    signal?.throwIfAborted();
    if (skip.has(item.name)) continue;
    if (item.kind === "files" || item.kind === "secret") await scanPath(scan, item);
    else if (item.kind === "sqlite") await scanDatabase(scan, item);
  }
  return scan.state;
}

/** displayPath names a file relative to the agent root, or absolutely when outside it. */
export function displayPath(abs: string, root: string): string {
  const rel = relative(root, abs);
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) return abs;
  return rel.split(sep).join("/");
}

/** livePath is where a display path lives on disk. */
export function livePath(path: string, root: string): string {
  return isAbsolute(path) ? path : join(root, path);
}

async function scanPath(scan: Scan, item: FilesItem | SecretItem): Promise<void> {
  const st = await lstat(item.path).catch(() => null);
  // A missing path is a loss the comparison reports file by file; the backup would fail.
  if (st === null) return;
  if (st.isFile()) return addFile(scan, item, item.path, basename(item.path));
  // The archiver stores a symlinked item path as a link, and the secret source takes files only.
  if (item.kind === "secret" || !st.isDirectory()) return;
  const exclude = buildExclude({ include: item.include, exclude: item.exclude, coveredElsewhere: coveredBy(item.path, item.name, scan.agent.items) });
  const pending: Promise<void>[] = [];
  await walk(scan, item, item.path, "", exclude, pending);
  await Promise.all(pending);
}

async function walk(scan: Scan, item: FilesItem, dir: string, prefix: string, exclude: ExcludeFn, pending: Promise<void>[]): Promise<void> {
  scan.signal?.throwIfAborted();
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    return unread(scan, item, dir, err);
  }
  for (const name of names) {
    const abs = join(dir, name);
    const rel = prefix === "" ? name : `${prefix}/${name}`;
    const st = await lstat(abs).catch(() => null);
    if (st === null || exclude(rel, st.isDirectory()) !== null) continue;
    if (st.isDirectory()) await walk(scan, item, abs, rel, exclude, pending);
    else if (st.isFile()) pending.push(addFile(scan, item, abs, rel));
  }
}

async function addFile(scan: Scan, item: FilesItem | SecretItem, abs: string, rel: string): Promise<void> {
  const path = displayPath(abs, scan.agent.root);
  // When items overlap, the first one configured keeps the file, as in a comparison of snapshots.
  if (scan.state.files.has(path) || scan.ignore.some((g) => matchGlob(path, g))) return;
  try {
    const got = await scan.slots.run(() => hashFile(abs, scan.signal));
    if (!scan.state.files.has(path)) scan.state.files.set(path, { item: item.name, rel, ...got });
  } catch (err) {
    scan.signal?.throwIfAborted();
    unread(scan, item, abs, err);
  }
}

/** hashFile streams a file (opened read-only) through sha256; the size is what was read. */
export async function hashFile(path: string, signal?: AbortSignal): Promise<{ sha256: string; size: number }> {
  const h = createHash("sha256");
  let size = 0;
  for await (const chunk of createReadStream(path, { signal }) as AsyncIterable<Buffer>) {
    h.update(chunk);
    size += chunk.length;
  }
  return { sha256: h.digest("hex"), size };
}

/** unread notes what could not be read; an item's own folder makes the whole item unread. */
function unread(scan: Scan, item: FilesItem | SecretItem, abs: string, err: unknown): void {
  const reason = `cannot read ${abs} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
  scan.state.unread.push(abs === item.path ? { item: item.name, reason } : { item: item.name, path: displayPath(abs, scan.agent.root), reason });
}

/** A locked database is retried this often, waiting BUSY_MS for the lock each time. */
const ATTEMPTS = 3;
const BUSY_MS = 250;

async function scanDatabase(scan: Scan, item: SqliteItem): Promise<void> {
  const st = await lstat(item.path).catch(() => null);
  // A missing database stays out of the map: its tables' absence is the finding.
  if (st === null || !st.isFile()) return;
  for (let attempt = 1; ; attempt++) {
    scan.signal?.throwIfAborted();
    try {
      scan.state.databases.set(item.name, countRows(await readOnlyTarget(item.path, scan.signal), scan.signal));
      return;
    } catch (err) {
      scan.signal?.throwIfAborted();
      const busy = [5, 6].includes(((err as { errcode?: number }).errcode ?? 0) & 0xff); // SQLITE_BUSY, SQLITE_LOCKED and their extended codes
      if (!busy || attempt === ATTEMPTS) {
        scan.state.unread.push({ item: item.name, reason: `cannot read ${item.path}: ${(err as Error).message}` });
        return;
      }
      await sleep(100, undefined, { signal: scan.signal });
    }
  }
}

function countRows(target: string | URL, signal?: AbortSignal): Record<string, number> {
  const db = new DatabaseSync(target, { readOnly: true, timeout: BUSY_MS });
  try {
    return sqliteRowCounts(db, signal);
  } finally {
    db.close();
  }
}

