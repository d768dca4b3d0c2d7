/**
 * @module alerts/statedir
 * lifeboat's own state on this machine: the run log, open alerts, the last drift result,
 * and the newest approval seen per agent. It lives outside the repository on purpose: a
 * backup that failed because the repository was unreachable must still be counted, and an
 * alert's "already sent" must survive the repository being replaced. Nothing secret is kept.
 */
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { replaceFile } from "../util/durable.ts";

/** stateDir is $LIFEBOAT_STATE_DIR, else $XDG_STATE_HOME/lifeboat, else ~/.local/state/lifeboat. */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LIFEBOAT_STATE_DIR) return env.LIFEBOAT_STATE_DIR;
  return join(env.XDG_STATE_HOME || join(homedir(), ".local", "state"), "lifeboat");
}

/** readJson reads a state file; a missing or unparseable one is `fallback` (state is advisory, never fatal). */
export async function readJson<T>(path: string, fallback: T): Promise<T> {
  try {
    return JSON.parse(await readFile(path, "utf8")) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT" || err instanceof SyntaxError) return fallback;
    throw new Error(`read ${path}`, { cause: err });
  }
}

/** writeJson replaces a state file atomically. */
export async function writeJson(path: string, value: unknown): Promise<void> {
  await writeAtomic(path, JSON.stringify(value, null, 1) + "\n");
}

/** writeAtomic replaces a file durably (util/durable.ts), mode 0600. */
export async function writeAtomic(path: string, text: string): Promise<void> {
  await replaceFile(path, text, 0o600);
}

/** updateJson reads, changes and writes one state file. Callers are one process at a time per file in practice (a job holds the repository lock). */
export async function updateJson<T>(path: string, fallback: T, change: (v: T) => T | void): Promise<T> {
  const v = await readJson(path, fallback);
  const next = change(v) ?? v;
  await writeJson(path, next);
  return next;
}
