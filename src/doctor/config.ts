/**
 * @module doctor/config
 * Is lifeboat.yaml usable? Every issue of an invalid file becomes its own finding (the
 * CLI's other commands stop at the first), and each agent is expanded on its own, so one
 * unknown preset or missing root does not hide the checks of the other agents.
 */
import { stat } from "node:fs/promises";
import { expandAgent } from "../agent/expand.ts";
import type { AgentConfig } from "../agent/types.ts";
import { ConfigError, formatIssue, type LifeboatConfig } from "../config/index.ts";
import { LifeboatError } from "../errors/index.ts";
import { error, errorText, ok, warn, type Agents, type DoctorContext, type Finding } from "./types.ts";

const CHECK = "config";
const FORMAT = "the format is described in docs/config.md; `lifeboat agent add NAME --root DIR` writes a valid entry";

/** checkConfig loads and validates the config and expands the agents the other checks look at. */
export async function checkConfig(ctx: DoctorContext): Promise<{ findings: Finding[]; agents: Agents }> {
  let config: LifeboatConfig | null;
  try {
    config = await ctx.config();
  } catch (err) {
    if (err instanceof ConfigError) {
      return { findings: err.issues.map((i) => error(CHECK, formatIssue(i), `fix that line; ${FORMAT}`)), agents: { config: null, agents: [], names: [] } };
    }
    const hint = err instanceof LifeboatError ? err.hint : undefined;
    return { findings: [error(CHECK, errorText(err), hint ?? "check the file's path and permissions")], agents: { config: null, agents: [], names: [] } };
  }
  if (config === null) {
    const fix = "create one with `lifeboat agent add NAME --root DIR`, or pass --config FILE";
    return { findings: [warn(CHECK, "no lifeboat.yaml found: no agents to check", fix)], agents: { config: null, agents: [], names: [] } };
  }
  const findings: Finding[] = [];
  const agents: AgentConfig[] = [];
  const chosen = selected(config, ctx.agents ?? [], findings);
  for (const [i, raw] of chosen) {
    const where = { agent: raw.name };
    const root = await stat(raw.root).catch(() => null);
    if (root === null || !root.isDirectory()) {
      const issue = config.issue(["agents", i, "root"], `${raw.root} ${root === null ? "does not exist" : "is not a folder"}`);
      findings.push(error(CHECK, formatIssue(issue), "fix the agent's root in lifeboat.yaml, or restore the agent there (`lifeboat restore latest --agent NAME`)", where));
      continue;
    }
    try {
      agents.push(await expandAgent(raw));
    } catch (err) {
      findings.push(error(CHECK, errorText(err), (err instanceof LifeboatError ? err.hint : undefined) ?? `check agents[${i}] in lifeboat.yaml`, where));
    }
  }
  if (findings.length === 0) {
    const names = agents.map((a) => a.name).join(", ");
    findings.push(agents.length === 0
      ? warn(CHECK, `${config.path}: no agents configured`, "add one with `lifeboat agent add NAME --root DIR`")
      : ok(CHECK, `${config.path}: valid, ${agents.length} agent(s): ${names}`));
  }
  return { findings, agents: { config, agents, names: chosen.map(([, a]) => a.name) } };
}

/** selected pairs each chosen agent with its index in the file (for line numbers); unknown names become findings. */
function selected(config: LifeboatConfig, names: string[], findings: Finding[]): [number, LifeboatConfig["agents"][number]][] {
  const all = config.agents.map((a, i) => [i, a] as [number, LifeboatConfig["agents"][number]]);
  const known = new Set(config.agents.map((a) => a.name));
  for (const n of names.filter((x) => !known.has(x))) {
    findings.push(error(CHECK, `no agent ${n} in ${config.path}`, known.size > 0 ? `configured: ${[...known].join(", ")}` : "add one with `lifeboat agent add`"));
  }
  return names.length === 0 ? all : all.filter(([, a]) => names.includes(a.name));
}
