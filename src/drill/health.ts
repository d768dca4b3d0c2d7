/**
 * @module drill/health
 * Would the runtime recognise the restored folder as the same agent? Two layers: the
 * preset must plan the same items the snapshot holds (every item that was restored into the
 * agent root: secrets are not written by a drill and items from outside the root are
 * relocated, so neither is expected), then the preset's own health check (`Preset.health`)
 * looks at what the runtime reads at start-up. Detection is not asked: some presets
 * recognise their agent by a secret (clawdie's DATABASE_URL in .env), which a drill
 * never writes.
 */
import { getPreset, type HealthFinding } from "../agent/presets/index.ts";
import type { AgentManifest } from "../model/agent.ts";
import type { PlannedItem } from "../restore/plan.ts";

export async function presetHealth(m: AgentManifest, root: string, plan: PlannedItem[]): Promise<HealthFinding[]> {
  const preset = getPreset(m.preset);
  if (!preset) return [{ check: "preset", ok: true, detail: `no preset ${m.preset} in this version of lifeboat: no health check` }];
  const out: HealthFinding[] = [];
  const expected = plan.filter((p) => !p.manifest.secret && !p.relocated && p.manifest.kind !== "postgres" && p.manifest.kind !== "command").map((p) => p.manifest.name);
  const planned = new Set((await preset.plan(root)).items.map((i) => i.name));
  const missing = expected.filter((n) => !planned.has(n));
  out.push(missing.length > 0
    ? { check: "preset", ok: false, detail: `the ${m.preset} preset does not find item(s) ${missing.join(", ")} in the restored folder` }
    : { check: "preset", ok: true, detail: `the ${m.preset} preset finds all ${expected.length} restored item(s) again` });
  out.push(...((await preset.health?.(root)) ?? []));
  return out;
}
