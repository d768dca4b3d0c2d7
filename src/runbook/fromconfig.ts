/**
 * @module runbook/fromconfig
 * A stand-in manifest built from the config alone, for the runbook of an agent that has
 * no backup yet: the reader still learns what the agent is made of and where it lives,
 * and is told plainly that nothing can be restored until a backup exists.
 */
import type { AgentConfig, AgentManifest, Item, ItemManifest } from "../model/agent.ts";

/** sourceOf is where an item lives, as a manifest would record it. */
function sourceOf(item: Item): string {
  switch (item.kind) {
    case "postgres": return item.database;
    case "command": return item.command;
    default: return item.path;
  }
}

function itemOf(item: Item): ItemManifest {
  return {
    name: item.name, kind: item.kind, class: item.class, source: sourceOf(item),
    secret: item.kind === "secret" || item.class === "secret", files: 0, bytes: 0, sha256: {},
  };
}

/** manifestFromConfig describes a configured agent as if backed up, with nothing captured. */
export function manifestFromConfig(agent: AgentConfig, host: string, time: string): AgentManifest {
  const skipped = new Set(agent.skip);
  return {
    version: 1,
    agent: agent.name,
    preset: agent.preset,
    root: agent.root,
    host,
    time,
    items: agent.items.filter((i) => !skipped.has(i.name)).map(itemOf),
    skipped: agent.items.filter((i) => skipped.has(i.name)).map((i) => ({ name: i.name, reason: "skipped by default (regenerable)" })),
    notCovered: [],
  };
}
