/**
 * @module cli/agents
 * Resolving configured agents for commands: load lifeboat.yaml, pick by --agent, expand
 * each agent's preset into its final item list.
 */
import { expandAgent } from "../agent/expand.ts";
import { LifeboatError } from "../errors/index.ts";
import type { AgentConfig } from "../model/agent.ts";
import { shortId, type Snapshot } from "../model/index.ts";
import type { Repository } from "../repository/repository.ts";
import { findSnapshot, loadSnapshots } from "../repository/snapshots.ts";
import { agentBackups } from "../restore/safety.ts";
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

/**
 * agentSnapshot resolves SNAPSHOT for commands that work on one agent's snapshot (restore
 * --agent, export): `latest` is the agent's newest snapshot that is not a pre-restore safety
 * copy; an id must name an agent snapshot, of `agent` when one is given.
 */
export async function agentSnapshot(repo: Repository, ref: string, agent: string | undefined, signal: AbortSignal): Promise<Snapshot> {
  if (ref !== "latest") {
    const sn = await findSnapshot(repo, ref, {}, signal);
    if (!sn.agent) throw new LifeboatError(`snapshot ${shortId(sn.id!)} is not an agent snapshot`, { hint: "take one with `lifeboat backup --agent NAME`" });
    if (agent !== undefined && sn.agent !== agent) throw new LifeboatError(`snapshot ${shortId(sn.id!)} is not a snapshot of agent ${agent} (it is of ${sn.agent})`);
    return sn;
  }
  if (agent === undefined) throw new LifeboatError("--agent NAME is required to pick the latest snapshot", { hint: "or give a snapshot id" });
  const sn = agentBackups((await loadSnapshots(repo, signal)).snapshots, agent).at(-1);
  if (!sn) throw new LifeboatError(`no snapshot of agent ${agent}`, { hint: "run `lifeboat snapshots` to list them, or `lifeboat backup --agent NAME`" });
  return sn;
}
