/**
 * @module restore/safety
 * The pre-restore safety snapshot: before an agent restore overwrites anything, the state
 * it would replace is backed up (tagged `pre-restore`), so the restore can be undone with
 * another restore.
 */
import { lstat } from "node:fs/promises";
import { backupAgent } from "../backup/agent.ts";
import type { AgentConfig, AgentManifest, Item, PostgresItem } from "../model/agent.ts";
import { databaseExists } from "../sources/pgrestore.ts";
import type { Repository } from "../repository/repository.ts";
import type { PlannedItem } from "./plan.ts";

export const PRE_RESTORE_TAG = "pre-restore";

/** agentBackups keeps `agent`'s snapshots, oldest first, without the pre-restore safety copies. */
export function agentBackups<S extends { agent?: string | undefined; tags: string[] }>(snapshots: S[], agent: string): S[] {
  return snapshots.filter((s) => s.agent === agent && !s.tags.includes(PRE_RESTORE_TAG));
}

/** safetySnapshot returns the id of the snapshot taken, or null when nothing would be overwritten. */
export async function safetySnapshot(
  repo: Repository, m: AgentManifest, plan: PlannedItem[], root: string,
  o: { config?: AgentConfig | undefined; signal?: AbortSignal | undefined },
): Promise<string | null> {
  const items: Item[] = [];
  for (const p of plan) {
    const mi = p.manifest;
    if (mi.kind === "command") continue;
    if (mi.kind === "postgres") {
      const configured = o.config?.items.find((i) => i.name === mi.name && i.kind === "postgres") as PostgresItem | undefined;
      const item: PostgresItem = { ...(configured ?? { name: mi.name, kind: "postgres", class: "database", database: p.dest }), required: false };
      // A database that does not exist yet (a new machine) has nothing to keep. Optional all
      // the same: a server that cannot be asked fails the capture, not the restore.
      if (await databaseExists(item, item.database, { signal: o.signal }).catch(() => true)) items.push(item);
      continue;
    }
    const st = await lstat(p.dest).catch(() => null);
    if (!st) continue;
    if (mi.kind === "sqlite") items.push({ name: mi.name, kind: "sqlite", class: mi.class, path: p.dest, required: false });
    else items.push({ name: mi.name, kind: "files", class: mi.class, path: p.dest, required: false });
  }
  if (items.length === 0) return null;
  const cfg: AgentConfig = { name: m.agent, preset: m.preset, root, items, skip: [], hooks: {}, pidFiles: [] };
  const res = await backupAgent(repo, cfg, { tags: [PRE_RESTORE_TAG], signal: o.signal });
  return res.snapshotId;
}
