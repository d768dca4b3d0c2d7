/**
 * @module alerts/freshness
 * How old is each agent's newest good snapshot, and each item's? Limits follow sanoid: warn
 * at 2× the backup interval, critical at 4×, per agent with per-item overrides. An item that
 * was skipped or failed in the newest snapshots is as old as the last snapshot that holds it,
 * so a database that quietly stopped being captured shows up even while the agent looks fresh.
 */
import { freshnessOf, type AgentConfig, type FreshnessLimits } from "../model/agent.ts";
import type { Snapshot } from "../model/index.ts";
import { agentBackups } from "../restore/safety.ts";

export type FreshState = "ok" | "warn" | "critical" | "none";

export interface ItemFreshness {
  item: string;
  /** Time of the newest snapshot that holds the item; null if none does. */
  time: string | null;
  ageMs: number | null;
  state: FreshState;
}

export interface AgentFreshness {
  agent: string;
  newest: { id: string; time: string } | null;
  ageMs: number | null;
  /** The worst of the agent's own state and its items'. */
  state: FreshState;
  limits: FreshnessLimits & { intervalMs: number };
  items: ItemFreshness[];
}

const RANK: Record<FreshState, number> = { ok: 0, warn: 1, critical: 2, none: 3 };

/** stateOf grades an age against limits; no snapshot at all is "none", worse than critical. */
export function stateOf(ageMs: number | null, l: FreshnessLimits): FreshState {
  if (ageMs === null) return "none";
  if (ageMs > l.criticalMs) return "critical";
  return ageMs > l.warnMs ? "warn" : "ok";
}

export function worst(states: FreshState[]): FreshState {
  return states.reduce<FreshState>((w, s) => (RANK[s] > RANK[w] ? s : w), "ok");
}

/** evaluateFreshness grades one agent from the repository's snapshots (any order). */
export function evaluateFreshness(agent: AgentConfig, snapshots: Snapshot[], now: number): AgentFreshness {
  const limits = freshnessOf(agent);
  const mine = agentBackups(snapshots, agent.name).sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
  const newest = mine.at(-1);
  const ageMs = newest ? now - Date.parse(newest.time) : null;
  const items = agent.items
    .filter((i) => !agent.skip.includes(i.name))
    .map((i) => itemFreshness(i.name, mine, now, limits.items[i.name] ?? limits));
  // An optional item that is absent (a legacy database never created) is shown, not escalated.
  const required = new Set(agent.items.filter((i) => i.required !== false).map((i) => i.name));
  const graded = items.filter((i) => required.has(i.item)).map((i) => (i.state === "none" && newest ? "critical" : i.state));
  const state = worst([stateOf(ageMs, limits), ...graded]);
  return { agent: agent.name, newest: newest ? { id: newest.id!, time: newest.time } : null, ageMs, state, limits, items };
}

function itemFreshness(item: string, mine: Snapshot[], now: number, l: FreshnessLimits): ItemFreshness {
  for (let i = mine.length - 1; i >= 0; i--) {
    const sn = mine[i]!;
    if (sn.manifest?.items.some((m) => m.name === item)) {
      const ageMs = now - Date.parse(sn.time);
      return { item, time: sn.time, ageMs, state: stateOf(ageMs, l) };
    }
  }
  return { item, time: null, ageMs: null, state: "none" };
}
