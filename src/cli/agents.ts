/**
 * @module cli/agents
 * Resolving configured agents for commands: load lifeboat.yaml, pick by --agent, expand
 * each agent's preset into its final item list.
 */
import { expandAgent } from "../agent/expand.ts";
import { LifeboatError } from "../errors/index.ts";
import type { AgentConfig } from "../model/agent.ts";
import type { Cli } from "./context.ts";

/** selectAgents returns the configured agents, or only those named. */
export async function selectAgents(cli: Cli, names: string[] = []): Promise<AgentConfig[]> {
  const config = await cli.requireConfig();
  const known = config.agents.map((a) => a.name);
  const missing = names.filter((n) => !known.includes(n));
  if (missing.length > 0) {
    throw new LifeboatError(`no agent ${missing.join(", ")} in ${config.path}`, { hint: known.length ? `configured: ${known.join(", ")}` : "add one with `lifeboat agent add`" });
  }
  const raws = names.length > 0 ? config.agents.filter((a) => names.includes(a.name)) : config.agents;
  if (raws.length === 0) throw new LifeboatError(`no agents configured in ${config.path}`, { hint: "add one with `lifeboat agent add NAME --root DIR`" });
  return Promise.all(raws.map((a) => expandAgent(a)));
}

/** findAgentConfig returns the configured agent called `name`, or undefined (restore works without config). */
export async function findAgentConfig(cli: Cli, name: string): Promise<AgentConfig | undefined> {
  const config = await cli.config();
  const raw = config?.agents.find((a) => a.name === name);
  return raw ? expandAgent(raw) : undefined;
}
