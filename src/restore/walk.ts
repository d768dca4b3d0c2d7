/**
 * @module restore/walk
 * The first pass of a restore: load every tree of the selected part of a snapshot, create
 * its folders and symlinks, and list the files to write and the folders to finish. Files
 * are written afterwards, pack by pack (restore/restore.ts); folders are finished last,
 * deepest first, because writing into a folder changes its mtime.
 */
import { lchown, lutimes, mkdir, rm, symlink } from "node:fs/promises";
import { join } from "node:path";
import type { Node } from "../model/index.ts";
import type { PathFilter } from "./filter.ts";

/** FileJob is one file to restore. */
export interface FileJob {
  snapPath: string;
  dest: string;
  node: Node;
}

/** DirJob is one folder to finish once its files are written. */
export interface DirJob {
  snapPath: string;
  dest: string;
  node: Node;
  /** This restore created it (a pass-through folder that received nothing is removed again). */
  created: boolean;
  /** Names of the files restored into it (their dead temporary files are cleaned up). */
  files: string[];
}

export interface Walked {
  files: FileJob[];
  /** In walk order: a folder comes before everything inside it. */
  dirs: DirJob[];
  links: number;
}

export interface WalkDeps {
  loadTree(id: string, signal?: AbortSignal): Promise<{ nodes: Node[] }>;
  filter: PathFilter;
  isRoot: boolean;
  signal?: AbortSignal | undefined;
  /** A node that cannot be restored; the walk goes on. */
  fail(path: string, err: unknown): void;
}

/** walkTree walks the tree `treeId` whose nodes land in `dest` (snapshot path `snapPath`). */
export async function walkTree(d: WalkDeps, treeId: string, snapPath: string, dest: string): Promise<Walked> {
  const out: Walked = { files: [], dirs: [], links: 0 };
  let nodes: Node[];
  try {
    nodes = (await d.loadTree(treeId, d.signal)).nodes;
  } catch (err) {
    d.fail(snapPath || "/", err);
    return out;
  }
  const parts = await Promise.all(nodes.map((n) => walkNode(d, n, `${snapPath}/${n.name}`, join(dest, n.name))));
  for (const p of parts) {
    out.files.push(...p.files);
    out.dirs.push(...p.dirs);
    out.links += p.links;
  }
  return out;
}

async function walkNode(d: WalkDeps, n: Node, snapPath: string, dest: string): Promise<Walked> {
  const none: Walked = { files: [], dirs: [], links: 0 };
  d.signal?.throwIfAborted();
  if (!d.filter.selected(snapPath, n.type === "dir")) return none;
  try {
    if (n.type === "file") return { files: [{ snapPath, dest, node: n }], dirs: [], links: 0 };
    if (n.type === "symlink") {
      await rm(dest, { force: true });
      await symlink(n.linkTarget!, dest);
      if (d.filter.whole(snapPath)) await linkMetadata(d, n, dest);
      return { files: [], dirs: [], links: 1 };
    }
    const created = (await mkdir(dest, { recursive: true, mode: 0o700 })) !== undefined;
    const inner = await walkTree(d, n.subtree!, snapPath, dest);
    const here = inner.files.filter((f) => f.dest === join(dest, f.node.name)).map((f) => f.node.name);
    return { files: inner.files, dirs: [{ snapPath, dest, node: n, created, files: here }, ...inner.dirs], links: inner.links };
  } catch (err) {
    d.fail(snapPath, err);
    return none;
  }
}

async function linkMetadata(d: WalkDeps, n: Node, dest: string): Promise<void> {
  if (d.isRoot) await lchown(dest, n.uid, n.gid).catch(ignoreOwnerErrors);
  const t = nsToSeconds(n.mtimeNs);
  await lutimes(dest, t, t);
}

/** ignoreOwnerErrors: owners may not exist on a new machine; content and mode still restore. */
export function ignoreOwnerErrors(err: unknown): void {
  const code = (err as NodeJS.ErrnoException).code;
  if (code !== "EPERM" && code !== "EINVAL") throw err;
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
