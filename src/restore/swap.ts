/**
 * @module restore/swap
 * Stage → verify → swap for one agent item. The item is restored into a staging folder
 * beside its destination (same file system, so the final rename is atomic), checked
 * against the manifest (sha256 of every file; SQLite integrity_check and per-table
 * hashes), and only then renamed into place. The previous state is kept aside until the
 * whole restore succeeds, so a failure can be rolled back.
 */
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { chmod, lstat, mkdir, readdir, rename, rm, rmdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { LifeboatError } from "../errors/index.ts";
import type { Repository } from "../repository/repository.ts";
import { compareTableStats } from "../sources/dbverify.ts";
import { verifySqliteFile } from "../sources/sqlite.ts";
import type { PlannedItem } from "./plan.ts";
import { restoreTreeInto } from "./restore.ts";

export interface Staged {
  staging: string;
  /** The restored file or folder inside the staging folder. */
  path: string;
  /** The outermost folder made to hold the staging folder, if any (removed with it when unused). */
  made?: string | undefined;
}

/** stageItem restores the item folder `tree` beside p.dest. */
export async function stageItem(repo: Repository, tree: string, entry: string, p: PlannedItem, signal?: AbortSignal): Promise<Staged> {
  const made = await mkdir(dirname(p.dest), { recursive: true });
  const staging = `${p.dest}.lifeboat-staging-${randomBytes(4).toString("hex")}`;
  const s: Staged = { staging, path: join(staging, entry), made };
  let res;
  try {
    res = await restoreTreeInto(repo, tree, { target: staging, signal });
  } catch (err) {
    await removeStaged(s);
    throw err;
  }
  if (res.errors.length > 0) {
    await removeStaged(s);
    throw new LifeboatError(`item ${p.manifest.name}: ${res.errors[0]!.path}: ${res.errors[0]!.message}`, { hint: "run `lifeboat check --read-data`" });
  }
  return s;
}

/** removeStaged deletes a staging folder never swapped in, and the folders made for it if they are empty. */
export async function removeStaged(s: Staged): Promise<void> {
  await rm(s.staging, { recursive: true, force: true });
  if (s.made === undefined) return;
  for (let dir = dirname(s.staging); dir.length >= s.made.length; dir = dirname(dir)) {
    if (!(await rmdir(dir).then(() => true, () => false))) return;
  }
}

/**
 * verifyStaged proves the staged item equals what was captured; it returns what it checked.
 * `tableHashes` also reads every row of every SQLite table (a drill proves the rows readable,
 * beyond the file's hash and integrity_check).
 */
export async function verifyStaged(p: PlannedItem, s: Staged, opts: { tableHashes?: boolean } = {}): Promise<string> {
  const m = p.manifest;
  const st = await lstat(s.path);
  const got = st.isDirectory() ? await hashDir(s.path) : { [Object.keys(m.sha256)[0] ?? ""]: await hashFile(s.path) };
  const want = m.sha256;
  for (const [rel, sha] of Object.entries(want)) {
    if (got[rel] !== sha) throw new LifeboatError(`item ${m.name}: ${rel || "file"} does not match the manifest after restore (${got[rel] ? "content differs" : "missing"})`);
  }
  const extra = Object.keys(got).filter((k) => !(k in want));
  if (extra.length > 0) throw new LifeboatError(`item ${m.name}: unexpected files after restore: ${extra.slice(0, 3).join(", ")}`);
  let checked = `sha256 of ${Object.keys(want).length} file(s)`;
  if (m.kind === "sqlite") {
    // Snapshots from before 0.1 recorded table hashes; newer ones rely on the sha256 above.
    const v = await verifySqliteFile(s.path, { hashes: opts.tableHashes === true || m.tableHashes !== undefined });
    if (!v.ok) throw new LifeboatError(`item ${m.name}: integrity_check failed on the restored database: ${v.integrity}`);
    const diff = compareTableStats({ rowCounts: m.rowCounts ?? {}, ...(m.tableHashes ? { tableHashes: m.tableHashes } : {}) }, v);
    if (diff !== "") throw new LifeboatError(`item ${m.name}: the restored database differs from the captured one: ${diff}`);
    checked += `, integrity_check ok, row counts of ${Object.keys(m.rowCounts ?? {}).length} table(s) equal`;
    if (opts.tableHashes) checked += `, every row of ${Object.keys(v.tableHashes).length} table(s) read and hashed`;
  }
  if (m.secret) await chmodTree(s.path, 0o600);
  return checked;
}

export interface Swapped {
  /** Each path put in place, with where its previous state went (null: there was none). */
  moves: { dest: string; old: string | null }[];
  /** The staging's folders made for it: a rollback removes them again when empty. */
  staged?: Staged;
}

/**
 * swapIn moves the previous state aside and the staged item into place. An item whose
 * folder holds other items (an agent root's "state" item holding workspaces and databases)
 * cannot be swapped whole: it is merged entry by entry, descending into folders that lead
 * to another item's destination, so the other items are never touched.
 */
export async function swapIn(p: PlannedItem, s: Staged, otherDests: string[] = []): Promise<Swapped> {
  const nested = otherDests.filter((d) => d.startsWith(p.dest + "/"));
  const done: Swapped = { moves: [], staged: s };
  try {
    if (nested.length === 0) await replace(s.path, p.dest, p.manifest.kind === "sqlite", done);
    else await merge(s.path, p.dest, nested, done);
  } catch (err) {
    await rollback([done]);
    throw err;
  }
  await rm(s.staging, { recursive: true, force: true });
  return done;
}

async function replace(from: string, dest: string, sqlite: boolean, done: Swapped): Promise<void> {
  const exists = await lstat(dest).then(() => true, () => false);
  const old = exists ? `${dest}.lifeboat-old-${randomBytes(4).toString("hex")}` : null;
  if (old) await rename(dest, old);
  if (old && sqlite) {
    // The old database's sidecars must not be applied to the restored file.
    for (const side of ["-wal", "-shm", "-journal"]) await rename(dest + side, old + side).catch(() => undefined);
  }
  done.moves.push({ dest, old });
  await rename(from, dest);
}

async function merge(from: string, dest: string, nested: string[], done: Swapped): Promise<void> {
  await mkdir(dest, { recursive: true });
  for (const name of await readdir(from)) {
    const target = join(dest, name);
    const leads = nested.some((n) => n === target || n.startsWith(target + "/"));
    const isDir = (await lstat(join(from, name))).isDirectory();
    if (leads && isDir) await merge(join(from, name), target, nested, done);
    else if (!leads) await replace(join(from, name), target, false, done);
  }
}

/** rollback undoes swaps in reverse order (used when a later item fails). */
export async function rollback(done: Swapped[]): Promise<void> {
  for (const d of [...done].reverse()) {
    for (const m of [...d.moves].reverse()) {
      await rm(m.dest, { recursive: true, force: true });
      if (m.old) await rename(m.old, m.dest);
    }
    if (d.staged) await removeStaged(d.staged);
  }
}

/** discardOld removes the previous states once every item is in place. */
export async function discardOld(done: Swapped[]): Promise<void> {
  for (const d of done) for (const m of d.moves) if (m.old) await rm(m.old, { recursive: true, force: true });
}

async function hashFile(path: string): Promise<string> {
  // Streamed: restored databases can be far larger than memory should hold.
  const h = createHash("sha256");
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest("hex");
}

async function hashDir(root: string, dir = root, out: Record<string, string> = {}): Promise<Record<string, string>> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) await hashDir(root, p, out);
    else if (e.isFile()) out[p.slice(root.length + 1)] = await hashFile(p);
  }
  return out;
}

async function chmodTree(path: string, mode: number): Promise<void> {
  const st = await lstat(path);
  if (st.isDirectory()) {
    for (const e of await readdir(path)) await chmodTree(join(path, e), mode);
  } else if (st.isFile()) await chmod(path, mode);
}
