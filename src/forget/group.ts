/**
 * @module forget/group
 * Splits snapshots into the groups a retention policy is applied to separately
 * (restic's `--group-by`, default host,paths): backups of different machines or different
 * directories must not thin each other out.
 */

import type { Snapshot } from "../model/index.ts";

/** GroupField is one criterion of `--group-by`. */
export type GroupField = "host" | "paths" | "agent" | "tags";

export const GROUP_FIELDS: readonly GroupField[] = ["host", "paths", "agent", "tags"];

/** GroupKey holds the values shared by a group; only the grouped-by fields are present. */
export interface GroupKey {
  host?: string;
  /** Sorted, so ["/b", "/a"] and ["/a", "/b"] group together. */
  paths?: string[];
  /** "" for snapshots without an agent. */
  agent?: string;
  /** Sorted. */
  tags?: string[];
}

export interface SnapshotGroup {
  key: GroupKey;
  /** In input order. */
  snapshots: Snapshot[];
}

/**
 * groupSnapshots partitions snapshots by the given fields. Groups come out ordered by key
 * (deterministic output for `forget`); an empty `by` yields one group holding everything.
 */
export function groupSnapshots(snapshots: Snapshot[], by: GroupField[] = ["host", "paths"]): SnapshotGroup[] {
  const groups = new Map<string, SnapshotGroup>();
  for (const sn of snapshots) {
    const key = groupKey(sn, by);
    const id = JSON.stringify(key);
    const group = groups.get(id);
    if (group === undefined) groups.set(id, { key, snapshots: [sn] });
    else group.snapshots.push(sn);
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
}

/** groupKey extracts the grouped-by values of one snapshot, in a fixed field order. */
export function groupKey(sn: Snapshot, by: GroupField[]): GroupKey {
  const key: GroupKey = {};
  // Fixed order (not the order of `by`) so the JSON identity of a key is canonical.
  if (by.includes("host")) key.host = sn.host;
  if (by.includes("paths")) key.paths = [...sn.paths].sort();
  if (by.includes("agent")) key.agent = sn.agent ?? "";
  if (by.includes("tags")) key.tags = [...sn.tags].sort();
  return key;
}

/**
 * parseGroupBy parses a `--group-by` value such as "host,paths" ("" means no grouping).
 * @throws Error naming the unknown field.
 */
export function parseGroupBy(s: string): GroupField[] {
  const fields = s.split(",").map((f) => f.trim()).filter((f) => f !== "");
  for (const f of fields) {
    if (!(GROUP_FIELDS as readonly string[]).includes(f)) {
      throw new Error(`invalid --group-by field "${f}" (use ${GROUP_FIELDS.join(", ")})`);
    }
  }
  return [...new Set(fields)] as GroupField[];
}

/** formatGroupKey renders a key for headings, e.g. "host [h1], paths [/a /b]". */
export function formatGroupKey(key: GroupKey): string {
  const parts: string[] = [];
  if (key.host !== undefined) parts.push(`host [${key.host}]`);
  if (key.paths !== undefined) parts.push(`paths [${key.paths.join(" ")}]`);
  if (key.agent !== undefined) parts.push(`agent [${key.agent}]`);
  if (key.tags !== undefined) parts.push(`tags [${key.tags.join(" ")}]`);
  return parts.join(", ");
}
