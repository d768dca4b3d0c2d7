/**
 * @module doctor/items
 * Can the next backup read every item? Cheap probes only, never a capture: a files or
 * secret path exists and is readable, a SQLite database opens read-only and answers one
 * query, a command item's program (and each hook's) is installed. PostgreSQL items are
 * doctor/postgres. A missing optional item is a warning: the backup records it as skipped.
 */
import { closeSync, existsSync, openSync, readSync } from "node:fs";
import { access, constants, stat } from "node:fs/promises";
import { DatabaseSync } from "node:sqlite";
import { pathToFileURL } from "node:url";
import type { AgentConfig, Item } from "../agent/types.ts";
import { findProgram, programOf } from "./program.ts";
import { error, errorText, ok, warn, type Finding } from "./types.ts";

const CHECK = "items";

/** checkItems probes every item the next backup of `agent` takes, except PostgreSQL, and its hooks. */
export async function checkItems(agent: AgentConfig): Promise<Finding[]> {
  const items = agent.items.filter((i) => !agent.skip.includes(i.name) && i.kind !== "postgres");
  const problems: Finding[] = [];
  for (const item of items) {
    const p = await probeItem(item, agent);
    if (p !== undefined) problems.push(p);
  }
  for (const [when, hook] of Object.entries(agent.hooks)) {
    if (hook === undefined) continue;
    const missing = await missingProgram(hook.command, agent.root);
    if (missing !== undefined) {
      problems.push(error(CHECK, `${when} hook: ${missing} not found`, `install it, or fix hooks.${when}.command of agent ${agent.name} in lifeboat.yaml`, { agent: agent.name }));
    }
  }
  if (problems.length > 0) return problems;
  const skipped = agent.skip.length > 0 ? ` (skipped by default: ${agent.skip.join(", ")})` : "";
  return [ok(CHECK, `${items.length} item(s) readable${skipped}`, { agent: agent.name })];
}

/** probeItem returns a finding for an item the backup could not read, or undefined. */
async function probeItem(item: Item, agent: AgentConfig): Promise<Finding | undefined> {
  const where = { agent: agent.name, item: item.name };
  if (item.kind === "postgres") return undefined;
  if (item.kind === "command") {
    const missing = await missingProgram(item.command);
    return missing === undefined ? undefined
      : error(CHECK, `${item.name}: ${missing} not found (command: ${item.command})`, "install it, or change the item's command in lifeboat.yaml", where);
  }
  const st = await stat(item.path).catch((err: NodeJS.ErrnoException) => err);
  if (st instanceof Error) {
    if (st.code !== "ENOENT") return error(CHECK, `${item.name}: cannot read ${item.path}: ${st.code ?? st.message}`, "fix the permissions so this user can read it", where);
    const fix = `restore or recreate it, or fix the path in lifeboat.yaml${item.required !== false ? " (or mark the item `required: false`)" : ""}`;
    return (item.required === false ? warn : error)(CHECK, `${item.name}: ${item.path} does not exist`, fix, where);
  }
  if (item.kind !== "files" && !st.isFile()) return error(CHECK, `${item.name}: ${item.path} is not a file`, `point the ${item.kind} item at a file`, where);
  const mode = st.isDirectory() ? constants.R_OK | constants.X_OK : constants.R_OK;
  if (!(await access(item.path, mode).then(() => true, () => false))) {
    return error(CHECK, `${item.name}: ${item.path} is not readable by this user`, "run lifeboat as the agent's user, or fix the permissions", where);
  }
  if (item.kind === "sqlite") {
    const why = openSqlite(item.path);
    if (why !== undefined) return error(CHECK, `${item.name}: SQLite cannot read ${item.path}: ${why}`, "check that it is an intact SQLite database (`sqlite3 FILE 'PRAGMA quick_check'`)", where);
  }
  return undefined;
}

/**
 * openSqlite opens the database read-only and reads its schema: it proves the header, the
 * first page and the locks, not every page (that is the backup's quick_check). Returns
 * the error text, or undefined when it is readable.
 */
export function openSqlite(path: string): string | undefined {
  let db: DatabaseSync | undefined;
  try {
    // A short wait: a writer in rollback-journal mode holds its lock for milliseconds.
    db = new DatabaseSync(probeLocation(path), { readOnly: true, timeout: 2000 });
    db.prepare("SELECT count(*) FROM sqlite_master").get();
    return undefined;
  } catch (err) {
    return errorText(err);
  } finally {
    db?.close();
  }
}

/**
 * probeLocation: a read-only connection to a WAL database that nobody has open creates
 * -wal and -shm files and cannot remove them, and doctor must not leave files in the
 * agent's folder. Without a -wal file the main file holds every commit, so it is read as
 * immutable (no locks, no side files); a database in use is opened like any reader.
 */
function probeLocation(path: string): string | URL {
  if (existsSync(`${path}-wal`) || !walHeader(path)) return path;
  const url = pathToFileURL(path);
  url.searchParams.set("immutable", "1");
  return url;
}

/** walHeader: bytes 18-19 of the header are 2 in WAL mode (sqlite.org/fileformat2.html). */
function walHeader(path: string): boolean {
  const buf = Buffer.alloc(20);
  const fd = openSync(path, "r");
  try {
    return readSync(fd, buf, 0, 20, 0) === 20 && buf[18] === 2;
  } finally {
    closeSync(fd);
  }
}

/** missingProgram names the program `command` starts when it is not installed; undefined when found or unknowable. */
async function missingProgram(command: string, cwd?: string): Promise<string | undefined> {
  const program = programOf(command);
  if (program === undefined) return undefined;
  return (await findProgram(program, { cwd })) === undefined ? program : undefined;
}
