/**
 * @module check/walk
 * Walks every snapshot's trees once (trees and content lists are shared between snapshots)
 * and checks that every referenced blob is in the index and every tree and content list
 * decodes. Findings name the file or folder that references the damaged blob.
 */
import { decodeTree, type Node, type Snapshot } from "../model/index.ts";
import type { Repository } from "../repository/repository.ts";
import type { Finding } from "./check.ts";
import { IntegrityError } from "../errors/index.ts";
import { Semaphore } from "../util/semaphore.ts";

// Content list blobs of one file read at once (same bound as Repository.loadTree).
const LIST_CONCURRENCY = 8;

interface Walk {
  repo: Repository;
  /** Trees visited; their count is the result. */
  seen: Set<string>;
  /** Content list blobs already checked, with the data blob ids they hold. */
  lists: Set<string>;
  errors: Finding[];
  signal: AbortSignal | undefined;
}

/** walkSnapshots returns the number of distinct trees visited. */
export async function walkSnapshots(repo: Repository, snapshots: Snapshot[], errors: Finding[], signal?: AbortSignal): Promise<number> {
  const w: Walk = { repo, seen: new Set(), lists: new Set(), errors, signal };
  for (const sn of snapshots) await walkTree(w, sn.tree, `snapshot ${sn.id!.slice(0, 8)}:`);
  return w.seen.size;
}

async function walkTree(w: Walk, id: string, path: string): Promise<void> {
  if (w.seen.has(id)) return;
  w.seen.add(id);
  w.signal?.throwIfAborted();
  if (!w.repo.index.has(id)) {
    w.errors.push({ object: `tree ${id.slice(0, 8)}`, message: `${path || "/"} references a tree that is not in the index` });
    return;
  }
  let nodes: Node[];
  try {
    // Not loadTree: it stops at the first bad content list, and check reports each file's.
    nodes = decodeTree(await w.repo.loadBlob(id, w.signal)).nodes;
  } catch (err) {
    const object = err instanceof IntegrityError ? err.object : `tree ${id.slice(0, 8)}`;
    w.errors.push({ object, message: `${path || "/"}: ${(err as Error).message}` });
    return;
  }
  for (const n of nodes) {
    const p = `${path}/${n.name}`;
    if (n.type === "dir" && n.subtree) await walkTree(w, n.subtree, p);
    const content = n.contentLists ? await walkContentLists(w, n.contentLists, p) : n.content ?? [];
    for (const blob of content) {
      if (!w.repo.index.has(blob)) w.errors.push({ object: `blob ${blob.slice(0, 8)}`, message: `${p} references a data blob that is not in the index` });
    }
  }
}

/** walkContentLists checks the not yet seen list blobs of file `p` and returns the data blob ids they hold. */
async function walkContentLists(w: Walk, lists: string[], p: string): Promise<string[]> {
  const jobs = new Semaphore(LIST_CONCURRENCY);
  const fresh = lists.filter((id) => !w.lists.has(id));
  fresh.forEach((id) => w.lists.add(id));
  const parts = await Promise.all(fresh.map((id) => jobs.run(async (): Promise<string[] | Finding> => {
    if (!w.repo.index.has(id)) return { object: `blob ${id.slice(0, 8)}`, message: `${p} references a content list blob that is not in the index` };
    try {
      return await w.repo.loadContentList(id, p, w.signal);
    } catch (err) {
      if (!(err instanceof IntegrityError)) throw err;
      return { object: err.object, message: err.message };
    }
  })));
  const ids: string[] = [];
  for (const part of parts) {
    if (Array.isArray(part)) ids.push(...part);
    else w.errors.push(part);
  }
  return ids;
}
