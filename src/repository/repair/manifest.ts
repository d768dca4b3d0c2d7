/**
 * @module repository/repair/manifest
 * Keeps an agent snapshot's manifest true after `repair snapshots` drops lost paths from
 * its tree: agent restore verifies every item against the manifest, so a file gone from
 * the tree must be gone from the item's sha256 list too, and an item whose captured file
 * or folder is gone moves to `skipped`, with the reason. Pure.
 */
import type { AgentManifest, ItemManifest } from "../../model/agent.ts";
import type { LostPath } from "./types.ts";

export const LOST_ITEM_REASON = "lost to repository damage (removed by `lifeboat repair snapshots`)";

/**
 * repairManifest applies lost paths (absolute snapshot paths: /<item>/<captured name>/<rel>)
 * to a manifest and returns the new one; the input is not changed.
 */
export function repairManifest(m: AgentManifest, lost: LostPath[]): AgentManifest {
  const items = new Map(m.items.map((i) => [i.name, { ...i, sha256: { ...i.sha256 } }]));
  const dropped = new Set<string>();
  for (const l of lost) {
    const parts = l.path.split("/").filter((p) => p !== "");
    const item = items.get(parts[0] ?? "");
    if (!item) continue; // RUNBOOK.md, or a folder no item claims
    // The item folder itself, or the file or folder the item captured: nothing of it is left.
    if (parts.length <= 2) dropped.add(item.name);
    else forget(item, parts.slice(2).join("/"), l);
  }
  return {
    ...m,
    items: m.items.filter((i) => !dropped.has(i.name)).map((i) => items.get(i.name)!),
    skipped: [...m.skipped, ...[...dropped].map((name) => ({ name, reason: LOST_ITEM_REASON }))],
  };
}

/** forget removes a lost file, or every file under a lost folder, from an item's counts. */
function forget(item: ItemManifest, rel: string, l: LostPath): void {
  const gone = l.type === "file" ? [rel] : Object.keys(item.sha256).filter((k) => k.startsWith(`${rel}/`));
  for (const key of gone) {
    if (!(key in item.sha256)) continue;
    delete item.sha256[key];
    item.files = Math.max(0, item.files - 1);
  }
  // A lost folder's file sizes went with its tree; only a lost file's size is known.
  if (l.type === "file" && l.size !== undefined) item.bytes = Math.max(0, item.bytes - l.size);
}
