/**
 * @module restore/sink
 * Where restored bytes land. Each file is written under a temporary name beside it, at the
 * offsets its blobs arrive in (any order: blobs come pack by pack), and renamed into place
 * only once every blob landed, so an interrupted or failed restore never leaves a partial
 * file under the real name. Open handles are capped; a file written again later is
 * reopened. Metadata (owner, mode, mtime) is applied after the rename.
 */
import { chmod, chown, open, readdir, rename, rm, utimes, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { writevAll } from "../util/durable.ts";
import { pidAlive } from "../util/process.ts";
import type { FileJob } from "./walk.ts";
import { ignoreOwnerErrors, nsToSeconds } from "./walk.ts";

// Handles kept open at once; a restore of many files touches each briefly.
const MAX_OPEN = 64;

// The temporary name carries the pid, so two restores into one folder never share a file.
const TEMP = /^(.+)\.lifeboat-restore-(\d+)$/;

interface FileState {
  job: FileJob;
  tmp: string;
  /** Blob writes still to land. */
  left: number;
  fh: FileHandle | null;
  /** Set while the handle is being opened, so two writes never open it twice. */
  opening: Promise<FileHandle> | null;
  opened: boolean;
  /** Writes in progress: the handle must stay open. */
  busy: number;
  failed: boolean;
  done: boolean;
}

export interface SinkEvents {
  /** A file is in place (renamed, metadata applied). */
  onDone(job: FileJob): void;
  onError(path: string, err: unknown): void;
}

export class FileSink {
  private readonly files: FileState[];
  private readonly open = new Map<number, FileState>();
  private readonly events: SinkEvents;
  private readonly metadata: (job: FileJob) => boolean;
  private readonly isRoot: boolean;
  private readonly finishing = new Set<Promise<void>>();

  /** `writes[i]` is how many blob writes make file i whole; `metadata` says whether to apply it. */
  constructor(jobs: FileJob[], writes: number[], opts: { isRoot: boolean; metadata(job: FileJob): boolean; events: SinkEvents }) {
    this.files = jobs.map((job, i) => ({
      job, tmp: `${job.dest}.lifeboat-restore-${process.pid}`, left: writes[i] ?? 0, fh: null, opening: null, opened: false, busy: 0, failed: false, done: false,
    }));
    this.events = opts.events;
    this.metadata = opts.metadata;
    this.isRoot = opts.isRoot;
  }

  /** wanted is false once a file failed: its blobs need not be written. */
  wanted(file: number): boolean {
    const f = this.files[file]!;
    return !f.failed && !f.done;
  }

  /** startEmpty puts every file that has no blob to write in place. */
  async startEmpty(): Promise<void> {
    for (let i = 0; i < this.files.length; i++) if (this.files[i]!.left === 0) await this.write(i, 0, []);
  }

  /** write lands `parts` (consecutive blobs) at `offset` of file `file`; the last one renames it. */
  async write(file: number, offset: number, parts: Uint8Array[]): Promise<void> {
    const f = this.files[file]!;
    if (!this.wanted(file)) return;
    f.busy++;
    try {
      const fh = await this.handle(file, f);
      if (parts.length > 0) await writevAll(fh, parts, offset);
      f.left -= parts.length;
    } catch (err) {
      this.fail(file, err);
    } finally {
      f.busy--;
    }
    if (f.left <= 0 && !f.failed && !f.done) {
      f.done = true;
      const p = this.finish(file, f).finally(() => this.finishing.delete(p));
      this.finishing.add(p);
      await p;
    }
  }

  /** fail marks a file as not restorable; its temporary file is removed by close(). */
  fail(file: number, err: unknown): void {
    const f = this.files[file]!;
    if (f.failed || f.done) return;
    f.failed = true;
    this.events.onError(f.job.snapPath, err);
  }

  /** close removes what did not complete (failed files, or all unfinished ones after an abort). */
  async close(): Promise<void> {
    await Promise.allSettled(this.finishing);
    for (const f of this.files) {
      if (f.done && !f.failed) continue;
      await f.fh?.close().catch(() => undefined);
      f.fh = null;
      if (f.opened) await rm(f.tmp, { force: true });
    }
    this.open.clear();
  }

  private async handle(file: number, f: FileState): Promise<FileHandle> {
    if (f.fh) {
      this.open.delete(file);
      this.open.set(file, f);
      return f.fh;
    }
    f.opening ??= (async () => {
      await this.evict();
      // "w" the first time (a killed restore's leftover is truncated), "r+" when reopened.
      const fh = await open(f.tmp, f.opened ? "r+" : "w", (f.job.node.mode & 0o777) | 0o200);
      f.opened = true;
      f.fh = fh;
      this.open.set(file, f);
      return fh;
    })().finally(() => { f.opening = null; });
    return f.opening;
  }

  private async evict(): Promise<void> {
    for (const [i, g] of this.open) {
      if (this.open.size < MAX_OPEN) return;
      if (g.busy > 0) continue;
      this.open.delete(i);
      const fh = g.fh;
      g.fh = null;
      await fh?.close();
    }
  }

  private async finish(file: number, f: FileState): Promise<void> {
    try {
      if (f.fh === null && !f.opened) f.fh = await open(f.tmp, "w", (f.job.node.mode & 0o777) | 0o200); // an empty file
      f.opened = true;
      this.open.delete(file);
      const fh = f.fh;
      f.fh = null;
      await fh?.close();
      await rename(f.tmp, f.job.dest);
      if (this.metadata(f.job)) await this.applyMetadata(f.job);
      this.events.onDone(f.job);
    } catch (err) {
      f.done = false;
      this.fail(file, err);
    }
  }

  private async applyMetadata(job: FileJob): Promise<void> {
    const n = job.node;
    if (this.isRoot) await chown(job.dest, n.uid, n.gid).catch(ignoreOwnerErrors);
    await chmod(job.dest, n.mode);
    const t = nsToSeconds(n.mtimeNs);
    await utimes(job.dest, t, t);
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
