/**
 * @module check/walk
 * Walks every snapshot's trees once (trees are shared between snapshots) and checks
 * that every referenced blob is in the index and every tree decodes.
 */
import type { Snapshot } from "../model/index.ts";
import type { Repository } from "../repository/repository.ts";
import type { Finding } from "./check.ts";
import { IntegrityError } from "../errors/index.ts";

/** walkSnapshots returns the number of distinct trees visited. */
export async function walkSnapshots(repo: Repository, snapshots: Snapshot[], errors: Finding[], signal?: AbortSignal): Promise<number> {
  const seen = new Set<string>();
  for (const sn of snapshots) {
    await walkTree(repo, sn.tree, `snapshot ${sn.id!.slice(0, 8)}:`, seen, errors, signal);
  }
  return seen.size;
}

async function walkTree(repo: Repository, id: string, path: string, seen: Set<string>, errors: Finding[], signal?: AbortSignal): Promise<void> {
  if (seen.has(id)) return;
  seen.add(id);
  signal?.throwIfAborted();
  if (!repo.index.has(id)) {
    errors.push({ object: `tree ${id.slice(0, 8)}`, message: `${path || "/"} references a tree that is not in the index` });
    return;
  }
  let nodes;
  try {
    nodes = (await repo.loadTree(id, signal)).nodes;
  } catch (err) {
    const object = err instanceof IntegrityError ? err.object : `tree ${id.slice(0, 8)}`;
    errors.push({ object, message: `${path || "/"}: ${(err as Error).message}` });
    return;
  }
  for (const n of nodes) {
    const p = `${path}/${n.name}`;
    if (n.type === "dir" && n.subtree) await walkTree(repo, n.subtree, p, seen, errors, signal);
    for (const blob of n.content ?? []) {
      if (!repo.index.has(blob)) errors.push({ object: `blob ${blob.slice(0, 8)}`, message: `${p} references a data blob that is not in the index` });
    }
  }
}
