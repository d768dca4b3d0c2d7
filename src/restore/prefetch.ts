/**
 * @module restore/prefetch
 * Loads a snapshot's trees ahead of the restore walk. A restore's first step after the
 * repository is open is taking its lock (design.md §8: 200 ms of it a pause on a remote
 * backend). Loading the trees needs no lock (like the index and the snapshot, they are only
 * read), and for the bench agent it is the ~1,000 content lists of its SQLite copy, 0.2 s of
 * a 2 s restore (issue 4). Nothing is written until the walk runs, after the lock is held.
 */
import type { Tree } from "../model/index.ts";

/** TreeCache maps a tree id to its load, started by prefetchTrees. */
export type TreeCache = ReadonlyMap<string, Promise<Tree>>;

/**
 * prefetchTrees starts loading the tree `treeId` and every folder tree under it, each once.
 * A failed load stays in the cache as a rejected promise: the walk reports it where it
 * would have met it.
 */
export function prefetchTrees(load: (id: string, signal?: AbortSignal) => Promise<Tree>, treeId: string, signal?: AbortSignal): TreeCache {
  const cache = new Map<string, Promise<Tree>>();
  const visit = (id: string): void => {
    if (cache.has(id) || signal?.aborted) return;
    const loading = load(id, signal);
    cache.set(id, loading);
    loading.then((t) => { for (const n of t.nodes) if (n.type === "dir" && n.subtree) visit(n.subtree); }, () => undefined);
  };
  visit(treeId);
  return cache;
}
