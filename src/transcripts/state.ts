/**
 * @module transcripts/state
 * Cursors, in lifeboat's state folder (alerts/statedir.ts):
 * `<state>/transcripts/<agent>.json` holds one cursor per source, keyed by `<kind>:<path>`.
 * Not in the agent's folders: files named `.lifeboat-*` are left out of backups
 * (sources/exclude.ts), a workspace is often a git repository that should not change under
 * its owner, and a cursor restored from an old snapshot would be older than the markdown it
 * describes. Nothing is lost with it: the keys in the day files are the truth, and a missing
 * cursor only means a rescan. Writes are temp + fsync + rename + fsync of the folder.
 */
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { writeJson } from "../alerts/statedir.ts";

export interface CursorState {
  version: 1;
  cursors: Record<string, unknown>;
}

/** cursorFile is where an agent's cursors live under `stateDir`. */
export function cursorFile(stateDir: string, agent: string): string {
  return join(stateDir, "transcripts", `${agent}.json`);
}

/** readCursors reads the state; a missing or unreadable file is an empty state (a rescan, deduplicated by keys). */
export async function readCursors(path: string, signal?: AbortSignal): Promise<CursorState> {
  try {
    const v = JSON.parse(await readFile(path, { encoding: "utf8", signal })) as Partial<CursorState>;
    if (v.version === 1 && v.cursors && typeof v.cursors === "object") return { version: 1, cursors: v.cursors };
  } catch (err) {
    signal?.throwIfAborted();
    if ((err as NodeJS.ErrnoException).code !== "ENOENT" && !(err instanceof SyntaxError)) throw new Error(`read ${path}`, { cause: err });
  }
  return { version: 1, cursors: {} };
}

/** writeCursors replaces the state durably: a crash leaves the old file or the new one. */
export async function writeCursors(path: string, state: CursorState): Promise<void> {
  await writeJson(path, state);
}
