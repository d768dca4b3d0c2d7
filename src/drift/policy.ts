/**
 * @module drift/policy
 * The drift policy of one agent: the config's class patterns, then what its preset knows
 * about its own layout, in front of the built-in names (classify.ts); the paths never
 * reported; and how much a memory or continuity file may shrink before it is a finding.
 */
import type { AgentConfig } from "../model/agent.ts";
import { defaultClasses, type ClassRule } from "./classify.ts";
import type { DriftClass, DriftPolicy } from "./types.ts";

/**
 * 30%: memory is curated (the agent consolidates MEMORY.md) but a cut by a third or more
 * is what a truncation or a template overwrite looks like, not an edit.
 */
export const DEFAULT_SHRINK = 0.3;

/**
 * Churn nobody acts on. heartbeat-state.json holds only the times of the last heartbeat
 * checks (`{"lastChecks":{...}}`, §1.3), rewritten every heartbeat: listing it in every
 * report hides the changes that matter, and losing it costs one repeated check. A nested
 * .git/ (new workspaces are git repositories, §1.3) gains objects at every commit the
 * agent makes; the working files it tracks are compared on their own.
 */
export const DEFAULT_IGNORE: readonly string[] = ["**/heartbeat-state.json", "**/.git/**", "**/.DS_Store"];

/**
 * What presets know about their layouts. Hermes's memories/USER.md is the user profile its
 * memory tool writes as it learns (agent-layouts.md §4), not a file the user approves.
 * NanoClaw's PreCompact hook archives transcripts into groups/<g>/conversations/ (§2.2):
 * they only grow, unlike the group's CLAUDE.md memory beside them.
 */
const PRESET_CLASSES: Record<string, ClassRule[]> = {
  hermes: [{ pattern: "**/memories/USER.md", class: "memory" }],
  nanoclaw: [{ pattern: "groups/*/conversations/**", class: "continuity" }],
  clawdie: [{ pattern: "groups/*/conversations/**", class: "continuity" }],
};

export interface PolicyOverrides {
  classes?: { pattern: string; class: DriftClass }[];
  ignore?: string[];
  shrink?: number;
}

/** policyFor builds `agent`'s policy; a shrink outside 0..1 is a RangeError. */
export function policyFor(agent: AgentConfig, overrides: PolicyOverrides = {}): DriftPolicy {
  const shrink = overrides.shrink ?? DEFAULT_SHRINK;
  if (!Number.isFinite(shrink) || shrink < 0 || shrink > 1) {
    throw new RangeError(`drift shrink must be a fraction between 0 and 1, got ${shrink}`);
  }
  return {
    classes: [...(overrides.classes ?? []), ...(PRESET_CLASSES[agent.preset] ?? [])],
    ignore: [...new Set([...DEFAULT_IGNORE, ...(overrides.ignore ?? [])])],
    shrink,
  };
}

/** explainClasses lists every class rule in the order classify applies them, for `drift --explain`-style output. */
export function explainClasses(policy: DriftPolicy): ClassRule[] {
  return [...policy.classes, ...defaultClasses()];
}
