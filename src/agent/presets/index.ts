/**
 * @module agent/presets
 * The preset registry. Order matters only for ties in detection: more specific presets
 * come first (clawdie before nanoclaw, which the same folder also matches; the generic
 * Markdown workspace last).
 */
import { clawdie } from "./clawdie.ts";
import { hermes } from "./hermes.ts";
import { nanoclaw } from "./nanoclaw.ts";
import { openclaw } from "./openclaw.ts";
import { workspace } from "./workspace.ts";
import type { PathRewrite, Preset } from "./preset.ts";

export type { Detection, HealthFinding, PathRewrite, PgOptions, PlannedExclusion, Preset, PresetOptions, PresetPlan } from "./preset.ts";

export const PRESETS: readonly Preset[] = [openclaw, clawdie, nanoclaw, hermes, workspace];

/** getPreset returns the preset called `name`, or undefined. */
export function getPreset(name: string): Preset | undefined {
  return PRESETS.find((p) => p.name === name);
}

export function presetNames(): string[] {
  return PRESETS.map((p) => p.name);
}

/** pathRewritesFor returns what a restore to another root rewrites for agents of `preset` ([] if unknown). */
export function pathRewritesFor(preset: string): readonly PathRewrite[] {
  return getPreset(preset)?.pathRewrites ?? [];
}
