/**
 * @module restore/restore
 * Restores a snapshot (or part of it) into a target folder. Every blob is authenticated
 * and checked against its keyed id as it is read, so a restored file is byte-identical or
 * is reported damaged and left out; the other files are still written.
 */
import { chmod, chown, lchown, lutimes, mkdir, rm, rmdir, symlink, utimes } from "node:fs/promises";
import { join } from "node:path";
import type { Node, Snapshot } from "../model/index.ts";
import type { Repository } from "../repository/repository.ts";
import { Semaphore } from "../util/semaphore.ts";
import { createFilter, type PathFilter } from "./filter.ts";
import { windowedReads } from "./window.ts";
import { removeDeadTemps, writeFile, type BlobReader } from "./writer.ts";

export interface RestoreOptions {
  target: string;
  include?: string[];
  exclude?: string[];
  signal?: AbortSignal | undefined;
  onFile?(path: string, size: number): void;
  onBytes?(n: number): void;
  onError?(path: string, err: unknown): void;
}

export interface RestoreResult {
  files: number;
  dirs: number;
  links: number;
  bytes: number;
  errors: { path: string; message: string }[];
}

// Files written at once; each holds at most one 8 MiB run in memory.
const CONCURRENCY = 8;

interface Ctx {
  repo: Repository;
  reader: BlobReader;
  filter: PathFilter;
  opts: RestoreOptions;
  result: RestoreResult;
  sem: Semaphore;
  isRoot: boolean;
}

/** restore writes the selected part of `snapshot` under opts.target. */
export async function restore(repo: Repository, snapshot: Snapshot, opts: RestoreOptions): Promise<RestoreResult> {
  return restoreTreeInto(repo, snapshot.tree, opts);
}

/** restoreTreeInto restores the tree `treeId` (a snapshot root or any folder in it) into opts.target. */
export async function restoreTreeInto(repo: Repository, treeId: string, opts: RestoreOptions): Promise<RestoreResult> {
  const reader: BlobReader = {
    lookup: (id) => repo.index.get(id),
    readRange: windowedReads((packId, offset, length, signal) => repo.backend.load({ type: "pack", name: packId }, { offset, length }, { signal })),
    decodeRun: (blobs, run) => repo.decodeRun(blobs, run),
  };
  const result: RestoreResult = { files: 0, dirs: 0, links: 0, bytes: 0, errors: [] };
  const ctx: Ctx = {
    repo, reader, result, opts, sem: new Semaphore(CONCURRENCY),
    filter: createFilter(opts.include, opts.exclude), isRoot: process.getuid?.() === 0,
  };
  await mkdir(opts.target, { recursive: true });
  await restoreTree(ctx, treeId, "", opts.target);
  return result;
}

function fail(ctx: Ctx, path: string, err: unknown): void {
  ctx.opts.signal?.throwIfAborted();
  ctx.result.errors.push({ path, message: (err as Error).message });
  ctx.opts.onError?.(path, err);
}

async function restoreTree(ctx: Ctx, treeId: string, snapPath: string, dest: string): Promise<void> {
  let nodes: Node[];
  try {
    nodes = (await ctx.repo.loadTree(treeId, ctx.opts.signal)).nodes;
  } catch (err) {
    fail(ctx, snapPath || "/", err);
    return;
  }
  await Promise.all(nodes.map((n) => restoreNode(ctx, n, `${snapPath}/${n.name}`, join(dest, n.name))));
  // A restore killed here before left temporary files beside the files it was writing.
  const files = nodes.filter((n) => n.type === "file" && ctx.filter.selected(`${snapPath}/${n.name}`, false));
  if (files.length > 0) await removeDeadTemps(dest, new Set(files.map((n) => n.name)));
}

async function restoreNode(ctx: Ctx, n: Node, snapPath: string, dest: string): Promise<void> {
  ctx.opts.signal?.throwIfAborted();
  if (!ctx.filter.selected(snapPath, n.type === "dir")) return;
  try {
    if (n.type === "dir") {
      const created = (await mkdir(dest, { recursive: true, mode: 0o700 })) !== undefined;
      await restoreTree(ctx, n.subtree!, snapPath, dest);
      // A folder passed through only to reach --include matches is not kept if nothing matched in it.
      if (created && !ctx.filter.whole(snapPath) && (await rmdir(dest).then(() => true, () => false))) return;
      ctx.result.dirs++;
    } else if (n.type === "symlink") {
      await rm(dest, { force: true });
      await symlink(n.linkTarget!, dest);
      ctx.result.links++;
    } else {
      const size = await ctx.sem.run(() => writeFile(dest, n.content ?? [], n.mode, ctx.reader, ctx.opts.signal));
      ctx.result.files++;
      ctx.result.bytes += size;
      ctx.opts.onBytes?.(size);
      ctx.opts.onFile?.(snapPath, size);
    }
    // Metadata last, after children: writing into a directory changes its mtime.
    if (ctx.filter.whole(snapPath)) await applyMetadata(ctx, n, dest);
  } catch (err) {
    fail(ctx, snapPath, err);
  }
}

async function applyMetadata(ctx: Ctx, n: Node, dest: string): Promise<void> {
  if (ctx.isRoot) await chownQuiet(dest, n);
  if (n.type !== "symlink") await chmod(dest, n.mode);
  const mtime = nsToSeconds(n.mtimeNs);
  if (n.type === "symlink") await lutimes(dest, mtime, mtime);
  else await utimes(dest, mtime, mtime);
}

async function chownQuiet(dest: string, n: Node): Promise<void> {
  try {
    await (n.type === "symlink" ? lchown : chown)(dest, n.uid, n.gid);
  } catch (err) {
    // Owners may not exist on a new machine; content and mode still restore.
    if ((err as NodeJS.ErrnoException).code !== "EPERM" && (err as NodeJS.ErrnoException).code !== "EINVAL") throw err;
  }
}

/**
 * nsToSeconds keeps microsecond precision (what utimes can set through a double). A double
 * near 1.8e9 s is only good to ~0.24 µs and libuv truncates it to nanoseconds, so the exact
 * microsecond could come back one below (and cross a millisecond); half a microsecond of bias
 * keeps the truncated value inside the right microsecond.
 */
export function nsToSeconds(ns: string): number {
  const big = BigInt(ns);
  return (Number(big / 1000n) + 0.5) / 1e6;
}
