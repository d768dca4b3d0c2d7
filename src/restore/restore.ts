/**
 * @module restore/restore
 * Restores a snapshot (or part of it) into a target folder. Every blob is authenticated
 * and checked against its keyed id as it is read, so a restored file is byte-identical or
 * is reported damaged and left out; the other files are still written.
 *
 * Three passes: walk the trees (folders and symlinks made, files listed: restore/walk.ts);
 * read each needed pack once, in ranges, decode them on the codec workers and write every
 * blob wherever it belongs (restore/packplan.ts, restore/sink.ts); finish the folders,
 * deepest first.
 */
import { availableParallelism } from "node:os";
import { chmod, chown, mkdir, rmdir, utimes } from "node:fs/promises";
import { join } from "node:path";
import type { Snapshot } from "../model/index.ts";
import type { DecodedRun, Repository } from "../repository/repository.ts";
import { Semaphore } from "../util/semaphore.ts";
import { mark } from "../util/trace.ts";
import { createFilter, type PathFilter } from "./filter.ts";
import { planPacks, type Range } from "./packplan.ts";
import type { TreeCache } from "./prefetch.ts";
import { FileSink, removeDeadTemps } from "./sink.ts";
import { ignoreOwnerErrors, nsToSeconds, walkTree, type DirJob, type FileJob } from "./walk.ts";

export interface RestoreOptions {
  target: string;
  include?: string[];
  exclude?: string[];
  signal?: AbortSignal | undefined;
  onFile?(path: string, size: number): void;
  onBytes?(n: number): void;
  onError?(path: string, err: unknown): void;
  /** Trees already being loaded (restore/prefetch.ts); the walk loads the others. */
  trees?: TreeCache | undefined;
}

export interface RestoreResult {
  files: number;
  dirs: number;
  links: number;
  bytes: number;
  errors: { path: string; message: string }[];
}

// Ranges read, decoded and written at once: each holds at most 2 MiB (packplan.ts) and its
// decoded blobs (~6 MiB); enough to keep the disk and the codec workers busy.
const RANGES_IN_FLIGHT = 4;

// Decoded blobs of one file written with one writev, at most this many buffers.
const MAX_PARTS = 512;

/** restore writes the selected part of `snapshot` under opts.target. */
export async function restore(repo: Repository, snapshot: Snapshot, opts: RestoreOptions): Promise<RestoreResult> {
  return restoreTreeInto(repo, snapshot.tree, opts);
}

/** restoreTreeInto restores the tree `treeId` (a snapshot root or any folder in it) into opts.target. */
export async function restoreTreeInto(repo: Repository, treeId: string, opts: RestoreOptions): Promise<RestoreResult> {
  const result: RestoreResult = { files: 0, dirs: 0, links: 0, bytes: 0, errors: [] };
  const filter = createFilter(opts.include, opts.exclude);
  const isRoot = process.getuid?.() === 0;
  const fail = (path: string, err: unknown) => {
    opts.signal?.throwIfAborted();
    result.errors.push({ path, message: (err as Error).message });
    opts.onError?.(path, err);
  };
  await mkdir(opts.target, { recursive: true });
  mark("restore: walk");
  const walked = await walkTree({ loadTree: (id, s) => opts.trees?.get(id) ?? repo.loadTree(id, s), filter, isRoot, signal: opts.signal, fail }, treeId, "", opts.target);
  result.links = walked.links;
  mark("restore: files");
  await writeFiles(repo, walked.files, { filter, isRoot, opts, result, fail });
  mark("restore: folders");
  await finishDirs(walked.dirs, filter, isRoot, result, fail);
  const top = walked.files.filter((f) => f.dest === join(opts.target, f.node.name)).map((f) => f.node.name);
  if (top.length > 0) await removeDeadTemps(opts.target, new Set(top));
  return result;
}

interface WriteCtx {
  filter: PathFilter;
  isRoot: boolean;
  opts: RestoreOptions;
  result: RestoreResult;
  fail(path: string, err: unknown): void;
}

async function writeFiles(repo: Repository, files: FileJob[], c: WriteCtx): Promise<void> {
  const plan = planPacks(files.map((f) => f.node.content ?? []), (id) => repo.index.get(id));
  const sink = new FileSink(files, plan.writes, {
    isRoot: c.isRoot,
    metadata: (job) => c.filter.whole(job.snapPath),
    events: {
      onDone: (job) => {
        c.result.files++;
        c.result.bytes += job.node.size;
        c.opts.onBytes?.(job.node.size);
        c.opts.onFile?.(job.snapPath, job.node.size);
      },
      onError: c.fail,
    },
  });
  try {
    for (const m of plan.missing) sink.fail(m.file, new Error(`blob ${m.id.slice(0, 8)} is not in the index`));
    await sink.startEmpty();
    // Decoding is the CPU work of a restore and the reading thread mostly waits on I/O:
    // one worker per core (the default pool leaves a core to a backup's reading thread).
    repo.codec(Math.max(1, availableParallelism()));
    const slots = new Semaphore(RANGES_IN_FLIGHT);
    const done = await Promise.allSettled(plan.ranges.map((r) => slots.run(() => restoreRange(repo, r, sink, c.opts.signal))));
    const failed = done.find((d): d is PromiseRejectedResult => d.status === "rejected");
    if (failed) throw failed.reason;
  } finally {
    await sink.close();
  }
}

/** restoreRange reads one range, verifies its blobs and writes them to their files. */
async function restoreRange(repo: Repository, r: Range, sink: FileSink, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  const needed = r.blobs.filter((b) => b.targets.some((t) => sink.wanted(t.file)));
  if (needed.length === 0) return;
  let decoded: DecodedRun;
  try {
    const bytes = await repo.backend.load({ type: "pack", name: r.packId }, { offset: r.offset, length: r.length }, { signal });
    decoded = await repo.decodeRun(r.blobs.map((b) => ({ id: b.id, e: b.e, start: b.e.offset - r.offset })), bytes);
  } catch (err) {
    signal?.throwIfAborted();
    for (const b of r.blobs) for (const t of b.targets) sink.fail(t.file, err);
    return;
  }
  // Consecutive blobs of one file at consecutive offsets become one write.
  const batches = new Map<number, { offset: number; end: number; parts: Uint8Array[] }[]>();
  r.blobs.forEach((b, i) => {
    const plain = decoded.plains[i]!;
    for (const t of b.targets) {
      if (plain instanceof Error) {
        sink.fail(t.file, plain);
        continue;
      }
      const list = batches.get(t.file) ?? [];
      const last = list.at(-1);
      if (last && last.end === t.offset && last.parts.length < MAX_PARTS) {
        last.parts.push(plain);
        last.end += plain.length;
      } else list.push({ offset: t.offset, end: t.offset + plain.length, parts: [plain] });
      batches.set(t.file, list);
    }
  });
  await Promise.all([...batches].map(async ([file, list]) => {
    for (const w of list) await sink.write(file, w.offset, w.parts);
  }));
  decoded.release();
}

/** finishDirs removes pass-through folders that received nothing and applies folder metadata, deepest first. */
async function finishDirs(dirs: DirJob[], filter: PathFilter, isRoot: boolean, result: RestoreResult, fail: (p: string, e: unknown) => void): Promise<void> {
  for (const d of [...dirs].reverse()) {
    try {
      if (d.files.length > 0) await removeDeadTemps(d.dest, new Set(d.files));
      const whole = filter.whole(d.snapPath);
      // A folder passed through only to reach --include matches is not kept if nothing matched in it.
      if (d.created && !whole && (await rmdir(d.dest).then(() => true, () => false))) continue;
      result.dirs++;
      if (!whole) continue;
      if (isRoot) await chown(d.dest, d.node.uid, d.node.gid).catch(ignoreOwnerErrors);
      await chmod(d.dest, d.node.mode);
      const t = nsToSeconds(d.node.mtimeNs);
      await utimes(d.dest, t, t);
    } catch (err) {
      fail(d.snapPath, err);
    }
  }
}
