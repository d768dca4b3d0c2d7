/**
 * @module restore/live
 * Decides whether an agent is running, so restore never writes into live state: a pid
 * file (glob; bare pid or JSON with a `pid` field) naming a live process, a SQLite database with a non-empty write-ahead log, or a
 * configured status command that succeeds.
 */
import { stat } from "node:fs/promises";
import { findRunning } from "../agent/detect.ts";
import { runCommand } from "../agent/hooks.ts";

export interface LiveCheck {
  root: string;
  pidFiles: string[];
  sqlitePaths: string[];
  status?: string | undefined;
  signal?: AbortSignal | undefined;
}

/** findLiveSigns returns one line per sign that the agent runs (empty: not running). */
export async function findLiveSigns(c: LiveCheck): Promise<string[]> {
  const signs: string[] = [];
  for (const r of await findRunning(c.root, c.pidFiles)) signs.push(`process ${r.pid} is running (pid file ${r.file})`);
  for (const db of c.sqlitePaths) {
    const wal = await stat(`${db}-wal`).catch(() => null);
    if (wal && wal.size > 0) signs.push(`${db} has an active write-ahead log (${db}-wal, ${wal.size} bytes): a process has it open`);
  }
  if (c.status) {
    const r = await runCommand(c.status, { cwd: c.root, timeoutMs: 30_000, signal: c.signal }).catch(() => null);
    if (r?.code === 0) signs.push(`status command "${c.status}" reports the agent running`);
  }
  return signs;
}
