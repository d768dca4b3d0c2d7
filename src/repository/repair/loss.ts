/**
 * @module repository/repair/loss
 * Per snapshot, what can no longer be restored: the lost files and folders (absolute
 * snapshot paths) and, for agent snapshots, the items they belong to (the first folder of
 * an agent snapshot's tree is the item). Also the two blob sources the walk reads from.
 */
import { IntegrityError } from "../../errors/index.ts";
import type { Snapshot } from "../../model/index.ts";
import type { IndexEntry } from "../index/indexfile.ts";
import type { Repository } from "../repository.ts";
import type { BlobSource, TreeRepairer } from "./trees.ts";
import type { LostPath, SnapshotLoss } from "./types.ts";

/** snapshotLoss walks one snapshot; the result has no lost paths when it is whole. */
export async function snapshotLoss(repairer: TreeRepairer, sn: Snapshot): Promise<SnapshotLoss & { tree: string | null }> {
  const out = await repairer.repair(sn.tree);
  const rootLost = out.id === null;
  const lost: LostPath[] = rootLost
    ? [{ path: "/", type: "dir", reason: `${out.reason}: nothing of this snapshot can be restored` }]
    : out.lost.map((l) => ({ ...l, path: `/${l.path}` }));
  const items = sn.agent === undefined ? [] : itemsOf(sn, lost);
  return {
    id: sn.id!, time: sn.time, host: sn.host, paths: sn.paths, ...(sn.agent !== undefined ? { agent: sn.agent } : {}),
    rootLost, lost, items, tree: out.id,
  };
}

/** itemsOf names the agent items a snapshot's lost paths belong to (every item when the root is lost). */
function itemsOf(sn: Snapshot, lost: LostPath[]): string[] {
  const known = new Set((sn.manifest?.items ?? []).map((i) => i.name));
  if (lost.some((l) => l.path === "/")) return [...known].sort();
  const hit = new Set<string>();
  for (const l of lost) {
    const first = l.path.split("/")[1] ?? "";
    if (known.has(first)) hit.add(first);
  }
  return [...hit].sort();
}

/** indexSource reads through the repository's loaded index. */
export function indexSource(repo: Repository): BlobSource {
  return locationSource(repo, { has: (id) => repo.index.has(id), get: (id) => repo.index.get(id) });
}

/** locationSource reads from explicit locations (repair before or without writing its index). */
export function locationSource(repo: Repository, where: Pick<Map<string, IndexEntry>, "has" | "get">): BlobSource {
  return {
    has: (id) => where.has(id),
    async load(id, signal) {
      const e = where.get(id)!;
      let sealed: Uint8Array;
      try {
        sealed = await repo.backend.load({ type: "pack", name: e.packId }, { offset: e.offset, length: e.length }, { signal });
      } catch (err) {
        // A pack the index names but the repository lacks is damage, like a blob that does not authenticate.
        if (repo.backend.isNotFound(err)) throw new IntegrityError(`pack ${e.packId}`, "missing", err);
        throw err;
      }
      return repo.decodeBlob(id, e, sealed);
    },
  };
}
