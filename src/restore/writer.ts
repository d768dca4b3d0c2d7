/**
 * @module restore/writer
 * Writes one restored file: into a temporary name beside it, then rename, so an
 * interrupted restore never leaves a half-written file under the real name. Blobs that sit
 * next to each other in one pack are fetched with one ranged read.
 */
import { open, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { IndexEntry } from "../repository/index/indexfile.ts";
import { writeAll } from "../util/durable.ts";
import { pidAlive } from "../util/process.ts";
import { release } from "../util/release.ts";

/** BlobReader is what the writer needs from the repository. */
export interface BlobReader {
  lookup(id: string): IndexEntry | undefined;
  readRange(packId: string, offset: number, length: number, signal?: AbortSignal): Promise<Uint8Array>;
  /** decodeRun verifies every blob of a run; a damaged blob comes back as an Error. */
  decodeRun(blobs: { id: string; e: IndexEntry; start: number }[], run: Uint8Array): Promise<(Buffer | Error)[]>;
}

// Largest single ranged read; also bounds memory per file being restored.
const MAX_RUN = 8 * 1024 * 1024;

interface Run {
  packId: string;
  offset: number;
  length: number;
  blobs: { id: string; e: IndexEntry }[];
}

/** planRuns groups consecutive content blobs that are adjacent in the same pack. */
export function planRuns(content: string[], reader: BlobReader): Run[] {
  const runs: Run[] = [];
  for (const id of content) {
    const e = reader.lookup(id);
    if (!e) throw new Error(`blob ${id.slice(0, 8)} is not in the index`);
    const last = runs.at(-1);
    if (last && last.packId === e.packId && last.offset + last.length === e.offset && last.length + e.length <= MAX_RUN) {
      last.length += e.length;
      last.blobs.push({ id, e });
    } else {
      runs.push({ packId: e.packId, offset: e.offset, length: e.length, blobs: [{ id, e }] });
    }
  }
  return runs;
}

// The temporary name carries the pid, so two restores into one folder never share a file.
const TEMP = /^(.+)\.lifeboat-restore-(\d+)$/;

/** writeFile restores `content` to `path`; on any failure no file is left at `path`. */
export async function writeFile(path: string, content: string[], mode: number, reader: BlobReader, signal?: AbortSignal): Promise<number> {
  const tmp = `${path}.lifeboat-restore-${process.pid}`;
  const fh = await open(tmp, "w", mode & 0o777 | 0o200);
  let written = 0;
  try {
    const runs = planRuns(content, reader);
    const fetch = (i: number) => {
      const r = runs[i];
      if (!r) return null;
      const p = reader.readRange(r.packId, r.offset, r.length, signal);
      p.catch(() => undefined); // awaited in order below; stops an early rejection counting as unhandled
      return p;
    };
    // Read the next run while this one is verified and written: I/O and crypto overlap.
    let next = fetch(0);
    for (const [i, run] of runs.entries()) {
      signal?.throwIfAborted();
      const bytes = await next!;
      next = fetch(i + 1);
      const plains = await reader.decodeRun(run.blobs.map((b) => ({ ...b, start: b.e.offset - run.offset })), bytes);
      for (const plain of plains) {
        if (plain instanceof Error) throw plain;
        await writeAll(fh, plain, written);
        written += plain.length;
        release(plain);
      }
    }
    await fh.close();
    await rename(tmp, path);
    return written;
  } catch (err) {
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * removeDeadTemps deletes, in `dir`, the temporary files that a killed restore (a pid no
 * longer running) left for the files in `names`, which this restore has just written again.
 * A live restore's files are left alone: it is still going to rename them.
 */
export async function removeDeadTemps(dir: string, names: Set<string>): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return;
  }
  for (const entry of entries) {
    const m = TEMP.exec(entry);
    if (m && names.has(m[1]!) && !pidAlive(Number(m[2]))) await rm(join(dir, entry), { force: true });
  }
}
