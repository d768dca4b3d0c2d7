/**
 * @module alerts/runlog
 * The run log: one JSON line per job run (backup, check, drift, restore; the daemon adds
 * its own), appended and fsynced, so "3 failed backups in a row" is counted from what
 * happened, not from what reached the repository. Kept to the newest MAX_RUNS lines.
 */
import { appendFile, mkdir, open, readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeAtomic } from "./statedir.ts";

export type JobKind = "backup" | "check" | "drift" | "restore" | "drill" | "prune" | "forget" | "transcripts";

export interface RunRecord {
  time: string;
  job: JobKind;
  agent?: string;
  /** The repository location as given (never with a password: locations carry none). */
  repository?: string;
  ok: boolean;
  exitCode: number;
  durationMs: number;
  snapshot?: string;
  /** One line, secrets redacted. */
  error?: string;
}

const FILE = "runs.jsonl";
/** Enough for weeks of hourly runs of a few agents; trimmed on write when twice over. */
export const MAX_RUNS = 2000;

export async function appendRun(dir: string, run: RunRecord): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, FILE);
  // A crash mid-append leaves a torn last line; start on a fresh line so this run is not glued to it.
  const torn = await endsTorn(path);
  await appendFile(path, (torn ? "\n" : "") + JSON.stringify(run) + "\n", { mode: 0o600 });
  const fh = await open(path, "r+");
  try {
    await fh.sync();
    if ((await fh.stat()).size > MAX_RUNS * 2 * 400) await trim(dir);
  } finally {
    await fh.close();
  }
}

async function endsTorn(path: string): Promise<boolean> {
  const fh = await open(path, "r").catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return null;
    throw err;
  });
  if (!fh) return false;
  try {
    const { size } = await fh.stat();
    if (size === 0) return false;
    const last = Buffer.alloc(1);
    await fh.read(last, 0, 1, size - 1);
    return last[0] !== 0x0a;
  } finally {
    await fh.close();
  }
}

async function trim(dir: string): Promise<void> {
  const keep = (await readRuns(dir)).slice(-MAX_RUNS);
  await writeAtomic(join(dir, FILE), keep.map((r) => JSON.stringify(r) + "\n").join(""));
}

/** readRuns returns every run, oldest first; a torn last line (a crash mid-append) is ignored. */
export async function readRuns(dir: string): Promise<RunRecord[]> {
  let text: string;
  try {
    text = await readFile(join(dir, FILE), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new Error(`read the run log in ${dir}`, { cause: err });
  }
  const out: RunRecord[] = [];
  for (const line of text.split("\n")) {
    if (!line) continue;
    try { out.push(JSON.parse(line) as RunRecord); } catch { /* a torn line from a crash: not a run */ }
  }
  return out;
}

/** failuresInRow counts the newest consecutive failed runs of `job` for `agent`. */
export function failuresInRow(runs: RunRecord[], job: JobKind, agent?: string): number {
  let n = 0;
  for (let i = runs.length - 1; i >= 0; i--) {
    const r = runs[i]!;
    if (r.job !== job || r.agent !== agent) continue;
    if (r.ok) break;
    n++;
  }
  return n;
}

/** lastRun is the newest run of `job` for `agent`, if any. */
export function lastRun(runs: RunRecord[], job: JobKind, agent?: string, ok?: boolean): RunRecord | undefined {
  for (let i = runs.length - 1; i >= 0; i--) {
    const r = runs[i]!;
    if (r.job === job && r.agent === agent && (ok === undefined || r.ok === ok)) return r;
  }
  return undefined;
}
