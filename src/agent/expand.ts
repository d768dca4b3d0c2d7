/**
 * @module agent/expand
 * From an agent as its config states it to the final AgentConfig: the preset plans the
 * root as it is now, then the config's items replace preset items of the same name or are
 * added. `skip` is the union of the config's list and the preset's default skips, except
 * that a config item overriding a skipped item with `regenerable: false` takes it back in
 * (the way to back up a memory index anyway). pid files are the union too: more places to
 * look can only make "is it running?" more accurate.
 */
import { homedir } from "node:os";
import { isAbsolute, resolve } from "node:path";
import { LifeboatError } from "../errors/index.ts";
import { getPreset, presetNames, type PresetOptions, type PresetPlan } from "./presets/index.ts";
import { expandPath } from "./presets/_fs.ts";
import type { AgentConfig, DriftSettings, FreshnessSettings, Hook, Item, TranscriptSettings } from "./types.ts";

/** CUSTOM: a preset with no items of its own, for agents described entirely in the config. */
export const CUSTOM = "custom";

export interface RawAgentInput {
  name: string;
  preset: string;
  root: string;
  items?: Item[];
  skip?: string[];
  hooks?: { before?: Hook; after?: Hook };
  stop?: string;
  start?: string;
  status?: string;
  pidFiles?: string[];
  drift?: DriftSettings;
  freshness?: FreshnessSettings;
  transcripts?: TranscriptSettings;
  watch?: AgentConfig["watch"];
}

/** expandAgent merges the preset's plan with the config; an unknown preset is a LifeboatError. */
export async function expandAgent(raw: RawAgentInput, opts: PresetOptions = {}): Promise<AgentConfig> {
  const home = opts.home ?? homedir();
  const root = expandPath(raw.root, process.cwd(), home);
  const plan = await planFor(raw, root, { ...opts, home });
  const own = (raw.items ?? []).map((it) => resolveItem(it, root, home));
  const ownNames = new Set(own.map((i) => i.name));
  const items = [...plan.items.filter((i) => !ownNames.has(i.name)), ...own];
  // Keep the preset's order for overridden items: restore order within a class follows it.
  const ordered = items.sort((a, b) => rank(plan, a.name, own) - rank(plan, b.name, own));
  const takenBack = new Set(own.filter((i) => i.regenerable !== true).map((i) => i.name));
  const skip = [...new Set([...plan.skip.filter((n) => !takenBack.has(n)), ...(raw.skip ?? [])])];
  const agent: AgentConfig = {
    name: raw.name,
    preset: raw.preset,
    root,
    items: ordered,
    skip,
    hooks: { ...(raw.hooks ?? {}) },
    pidFiles: [...new Set([...(raw.pidFiles ?? []), ...plan.pidFiles])],
    notCovered: plan.notCovered,
  };
  if (raw.stop !== undefined) agent.stop = raw.stop;
  if (raw.start !== undefined) agent.start = raw.start;
  if (raw.status !== undefined) agent.status = raw.status;
  if (raw.drift !== undefined) agent.drift = raw.drift;
  if (raw.freshness !== undefined) agent.freshness = raw.freshness;
  if (raw.transcripts !== undefined) agent.transcripts = raw.transcripts;
  if (raw.watch !== undefined) agent.watch = raw.watch;
  return agent;
}

async function planFor(raw: RawAgentInput, root: string, opts: PresetOptions): Promise<Pick<PresetPlan, "items" | "skip" | "pidFiles" | "notCovered">> {
  if (raw.preset === CUSTOM) return { items: [], skip: [], pidFiles: [], notCovered: [] };
  const preset = getPreset(raw.preset);
  if (preset === undefined) {
    throw new LifeboatError(`agent ${raw.name}: unknown preset "${raw.preset}"`, { hint: `known presets: ${[...presetNames(), CUSTOM].join(", ")}` });
  }
  try {
    return await preset.plan(root, opts);
  } catch (cause) {
    throw new LifeboatError(`agent ${raw.name}: cannot read ${root} as a ${preset.name} agent`, { cause });
  }
}

/** rank orders preset items first (in plan order), then the config's additions (in config order). */
function rank(plan: Pick<PresetPlan, "items">, name: string, own: Item[]): number {
  const i = plan.items.findIndex((p) => p.name === name);
  return i >= 0 ? i : plan.items.length + own.findIndex((o) => o.name === name);
}

/** resolveItem makes a config item's relative path absolute against the root (config/convert does it too). */
function resolveItem(it: Item, root: string, home: string): Item {
  if (!("path" in it) || isAbsolute(it.path)) return it;
  return { ...it, path: it.path.startsWith("~") ? expandPath(it.path, root, home) : resolve(root, it.path) };
}
