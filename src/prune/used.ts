/**
 * @module prune/used
 * Collects every blob that some snapshot references (trees, content list blobs and file
 * content). Prune keeps exactly these; if any tree (or content list) cannot be read, prune
 * must not run.
 */
import type { Snapshot } from "../model/index.ts";
import type { Repository } from "../repository/repository.ts";
import { LifeboatError } from "../errors/index.ts";

export async function usedBlobs(repo: Repository, snapshots: Snapshot[], signal?: AbortSignal): Promise<Set<string>> {
  const used = new Set<string>();
  const visit = async (treeId: string): Promise<void> => {
    if (used.has(treeId)) return;
    used.add(treeId);
    signal?.throwIfAborted();
    let nodes;
    try {
      nodes = (await repo.loadTree(treeId, signal)).nodes;
    } catch (cause) {
      throw new LifeboatError(`cannot read tree ${treeId.slice(0, 8)}; refusing to prune`, {
        cause, hint: "run `lifeboat check` and repair the repository first",
      });
    }
    for (const n of nodes) {
      for (const id of n.contentLists ?? []) used.add(id);
      for (const id of n.content ?? []) used.add(id);
      if (n.subtree) await visit(n.subtree);
    }
  };
  for (const sn of snapshots) await visit(sn.tree);
  return used;
}
