/**
 * @module watch/targets
 * What `lifeboat watch` looks at for one agent: each files item's folder (a recursive
 * fs.watch, filtered by the item's own exclusions, VOLATILE and lifeboat's `.lifeboat-*`
 * temporaries, exactly as the backup filters them), and single files (secrets, SQLite
 * databases with their -wal and -journal) polled by stat. PostgreSQL and command items
 * cannot be watched: they are captured by every snapshot the other items trigger.
 */
import { stat } from "node:fs/promises";
import type { AgentConfig, Item } from "../model/agent.ts";
import { buildExclude } from "../sources/exclude.ts";

/** A folder watched recursively; `ignore` says whether a relative path is left out. */
export interface TreeTarget {
  kind: "tree";
  item: string;
  path: string;
  ignore(rel: string): boolean;
}

/** Files polled by stat; `sqlite` marks a database whose -wal and -journal count too. */
export interface FileTarget {
  kind: "file";
  item: string;
  path: string;
  sqlite: boolean;
}

export type WatchTarget = TreeTarget | FileTarget;

export interface AgentTargets {
  targets: WatchTarget[];
  /** Items that cannot be watched, with the reason (shown when watching starts). */
  unwatched: { item: string; reason: string }[];
}

/** watchTargets lists what to watch for `agent`; a files item naming a missing path is watched once it appears (as a folder). */
export async function watchTargets(agent: AgentConfig, signal?: AbortSignal): Promise<AgentTargets> {
  const out: AgentTargets = { targets: [], unwatched: [] };
  for (const item of agent.items) {
    signal?.throwIfAborted();
    if (agent.skip.includes(item.name)) continue;
    const t = await targetOf(item);
    if ("reason" in t) out.unwatched.push({ item: item.name, reason: t.reason });
    else out.targets.push(t);
  }
  return out;
}

async function targetOf(item: Item): Promise<WatchTarget | { reason: string }> {
  switch (item.kind) {
    case "postgres":
      return { reason: "a PostgreSQL database: captured whenever another item changes, and by scheduled backups" };
    case "command":
      return { reason: "a command's output: captured whenever another item changes, and by scheduled backups" };
    case "sqlite":
      return { kind: "file", item: item.name, path: item.path, sqlite: true };
    case "secret":
      return { kind: "file", item: item.name, path: item.path, sqlite: false };
    case "files": {
      const st = await stat(item.path).catch(() => null);
      if (st && !st.isDirectory()) return { kind: "file", item: item.name, path: item.path, sqlite: false };
      const exclude = buildExclude({ include: item.include, exclude: item.exclude });
      return { kind: "tree", item: item.name, path: item.path, ignore: (rel) => ignored(rel, exclude) };
    }
  }
}

/**
 * ignored applies the backup's exclusion to a changed path and to each folder above it (a
 * change deep inside node_modules/ is excluded because the folder is), and skips any path
 * through a `.lifeboat-*` folder (restore's staging and rollback folders).
 */
function ignored(rel: string, exclude: (rel: string, isDir: boolean) => string | null): boolean {
  const parts = rel.split("/");
  if (parts.some((p) => p.startsWith(".lifeboat-"))) return true;
  for (let i = 1; i < parts.length; i++) if (exclude(parts.slice(0, i).join("/"), true) !== null) return true;
  return exclude(rel, false) !== null;
}
