/**
 * @module agent/detect
 * `lifeboat agent detect [DIR]`: score every preset against a folder, plan the best one,
 * and measure what it would back up, what it leaves out and why, and whether the agent
 * runs (a pid or lock file naming a live process). describeDetection turns the result into
 * the text the command prints.
 */
import { readFile } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import { LifeboatError } from "../errors/index.ts";
import { describeDetection } from "./describe.ts";
import { measurePlan, type ItemSize, type LeftOut } from "./measure.ts";
import { expandGlob } from "./presets/_fs.ts";
import { getPreset, presetNames, PRESETS, type PresetOptions, type PresetPlan } from "./presets/index.ts";
import type { Item } from "./types.ts";
import { pidAlive } from "../util/process.ts";

export { describeDetection };

/** Below this, a folder is "not an agent we know". The Markdown workspace preset starts at 0.25. */
export const MIN_CONFIDENCE = 0.2;

/** Folders an agent keeps under a home directory, tried when DIR itself matches poorly. */
const HOME_SUBDIRS = [".openclaw", ".clawdbot", ".hermes"];

export interface DetectOptions extends PresetOptions {
  /** Use this preset instead of the best-scoring one. */
  preset?: string;
  /** Entry limit per walked item (the sizes are then lower bounds). */
  maxEntries?: number;
}

export interface DetectResult {
  preset: string;
  /** The folder the preset matched (DIR, or DIR/.openclaw etc.). */
  root: string;
  confidence: number;
  evidence: string[];
  /** Every preset's score, best first. */
  candidates: { preset: string; confidence: number }[];
  plan: PresetPlan;
  items: Item[];
  skip: string[];
  /** Present paths left out, grouped by reason. */
  excluded: LeftOut[];
  notCovered: string[];
  warnings: string[];
  sizes: ItemSize[];
  externalLinks: string[];
  running: RunningProcess[];
}

export interface RunningProcess {
  file: string;
  pid: number;
}

/** detectAgent returns the best-matching agent layout at `dir`, or null when none matches. */
export async function detectAgent(dir: string, opts: DetectOptions = {}): Promise<DetectResult | null> {
  const root = resolve(dir);
  if (opts.preset !== undefined) {
    const preset = getPreset(opts.preset);
    if (preset === undefined) throw new LifeboatError(`unknown preset ${opts.preset}`, { hint: `known presets: ${presetNames().join(", ")}` });
    const d = await preset.detect(root, opts);
    return finish(root, preset.name, d.confidence, d.evidence, [{ preset: preset.name, confidence: d.confidence }], opts);
  }
  let best = await score(root, opts);
  if ((best[0]?.confidence ?? 0) < 0.5) {
    for (const sub of HOME_SUBDIRS) {
      const s = await score(join(root, sub), opts);
      if ((s[0]?.confidence ?? 0) > (best[0]?.confidence ?? 0)) best = s.map((c) => ({ ...c, root: join(root, sub) }));
    }
  }
  const top = best[0];
  if (top === undefined || top.confidence < MIN_CONFIDENCE) return null;
  return finish(top.root, top.preset, top.confidence, top.evidence, best.map(({ preset, confidence }) => ({ preset, confidence })), opts);
}

async function score(root: string, opts: PresetOptions): Promise<{ preset: string; root: string; confidence: number; evidence: string[] }[]> {
  const out = [];
  for (const p of PRESETS) {
    const d = await p.detect(root, opts).catch(() => ({ confidence: 0, evidence: [] }));
    out.push({ preset: p.name, root, confidence: Math.round(d.confidence * 100) / 100, evidence: d.evidence });
  }
  // Stable sort: on a tie the registry order (most specific first) wins.
  return out.sort((a, b) => b.confidence - a.confidence);
}

async function finish(root: string, name: string, confidence: number, evidence: string[], candidates: DetectResult["candidates"], opts: DetectOptions): Promise<DetectResult> {
  const plan = await getPreset(name)!.plan(root, opts);
  const m = await measurePlan(root, plan, opts.maxEntries);
  return {
    preset: name, root, confidence, evidence, candidates, plan,
    items: plan.items, skip: plan.skip, excluded: m.leftOut, notCovered: plan.notCovered, warnings: plan.warnings,
    sizes: m.sizes, externalLinks: m.externalLinks, running: await findRunning(root, plan.pidFiles),
  };
}

/**
 * findRunning returns the pid files (globs allowed, relative to `root` or absolute) that
 * name a live process. A file holds a bare pid or JSON with a `pid` field (OpenClaw's
 * session locks); a pid that no longer exists is a stale leftover, not a running agent.
 */
export async function findRunning(root: string, pidFiles: string[]): Promise<RunningProcess[]> {
  const out: RunningProcess[] = [];
  for (const pattern of pidFiles) {
    for (const file of await expandGlob(isAbsolute(pattern) ? pattern : join(root, pattern))) {
      const pid = parsePid(await readFile(file, "utf8").catch(() => ""));
      if (pid !== null && pidAlive(pid)) out.push({ file, pid });
    }
  }
  return out;
}

function parsePid(text: string): number | null {
  const t = text.trim();
  let pid: unknown = /^\d+$/.test(t) ? Number(t) : undefined;
  if (pid === undefined) {
    try {
      pid = (JSON.parse(t) as { pid?: unknown }).pid;
    } catch {
      return null;
    }
  }
  return typeof pid === "number" && Number.isInteger(pid) && pid > 0 ? pid : null;
}

