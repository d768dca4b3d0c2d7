/**
 * @module doctor/doctor
 * Runs every check and collects the findings in a fixed order: the config, the repository,
 * then agent by agent (items, PostgreSQL, last snapshot, BOOTSTRAP.md, cron), then the
 * machine (self-inclusion, free disk). Independent checks run concurrently; none can stop
 * the others: a check that throws becomes an error finding that names it.
 */
import type { AgentConfig } from "../agent/types.ts";
import { isAbortError } from "../errors/index.ts";
import { checkConfig } from "./config.ts";
import { checkDisk, type DiskTarget } from "./disk.ts";
import { checkFreshness } from "./freshness.ts";
import { freshnessOf } from "../model/agent.ts";
import { checkItems } from "./items.ts";
import { checkBootstrap, checkCron } from "./openclaw.ts";
import { checkPostgres } from "./postgres.ts";
import { checkRepository, localPath } from "./repository.ts";
import { checkSelfInclude } from "./selfinclude.ts";
import { error, errorText, type DoctorContext, type Finding } from "./types.ts";

/** runDoctor returns every finding; it throws only when interrupted. */
export async function runDoctor(ctx: DoctorContext): Promise<Finding[]> {
  const { findings: configFindings, agents } = await checkConfig(ctx).catch((err: unknown) => {
    if (isAbortError(err)) throw err;
    return { findings: crashed("config", err), agents: { config: null, agents: [], names: [] } };
  });
  const repoPath = localPath(await ctx.location().catch(() => ""));
  const [repo, perAgent, machine] = await Promise.all([
    repositoryChecks(ctx, agents.names, (name) => freshnessOf(agents.agents.find((a) => a.name === name) ?? {}).warnMs),
    Promise.all(agents.agents.map((a) => agentChecks(a, ctx))),
    Promise.all([
      guard("self-include", () => checkSelfInclude(agents.agents, { repository: repoPath, cache: ctx.cacheDir })),
      guard("disk", () => checkDisk(diskTargets(agents.agents, repoPath))),
    ]),
  ]);
  const out = [...configFindings, ...repo.filter((f) => f.agent === undefined)];
  for (const name of agents.names) {
    const own = perAgent.find((p) => p.agent === name);
    // Freshness goes after the probes of what the next backup will read.
    out.push(...(own?.probes ?? []), ...repo.filter((f) => f.agent === name), ...(own?.layout ?? []));
  }
  return [...out, ...machine.flat()];
}

/** repositoryChecks opens the repository, reports each agent's last snapshot, and closes it. */
async function repositoryChecks(ctx: DoctorContext, names: string[], warnMs: (agent: string) => number): Promise<Finding[]> {
  return guard("repository", async () => {
    const r = await checkRepository(ctx);
    if (r.repo === undefined) return r.findings;
    const repo = r.repo;
    try {
      return [...r.findings, ...await guard("freshness", () => checkFreshness(repo, names, ctx.now?.() ?? Date.now(), warnMs, ctx.signal))];
    } finally {
      await repo.close();
    }
  });
}

/** agentChecks runs one agent's checks concurrently: probes of its items, then checks of its layout. */
async function agentChecks(agent: AgentConfig, ctx: DoctorContext): Promise<{ agent: string; probes: Finding[]; layout: Finding[] }> {
  const where = { agent: agent.name };
  const [items, pg, bootstrap, cron] = await Promise.all([
    guard("items", () => checkItems(agent), where),
    guard("postgres", () => checkPostgres(agent, { searchPath: ctx.pgSearchPath, signal: ctx.signal }), where),
    guard("bootstrap", () => checkBootstrap(agent), where),
    guard("cron", () => checkCron(agent), where),
  ]);
  return { agent: agent.name, probes: [...items, ...pg], layout: [...bootstrap, ...cron] };
}

function diskTargets(agents: AgentConfig[], repoPath: string | undefined): DiskTarget[] {
  const targets: DiskTarget[] = agents.map((a) => ({ label: `agent ${a.name}`, path: a.root }));
  if (repoPath !== undefined) targets.unshift({ label: "repository", path: repoPath, repository: true });
  return targets;
}

/** guard turns a check that throws into one error finding naming the check. */
async function guard(check: string, fn: () => Promise<Finding[]>, where: { agent?: string } = {}): Promise<Finding[]> {
  try {
    return await fn();
  } catch (err) {
    if (isAbortError(err)) throw err;
    return crashed(check, err, where);
  }
}

function crashed(check: string, err: unknown, where: { agent?: string } = {}): Finding[] {
  const fix = "if the error names a cause (permissions, a missing folder), fix that; otherwise report it as a bug with the output of `LIFEBOAT_DEBUG=1 lifeboat doctor`";
  if (process.env.LIFEBOAT_DEBUG) process.stderr.write(`${(err as Error)?.stack}\n`);
  return [error(check, `the ${check} check failed: ${errorText(err)}`, fix, where)];
}

/** DoctorSummary is the verdict: ok unless some finding is an error (warnings alone pass). */
export interface DoctorSummary {
  ok: boolean;
  errors: number;
  warnings: number;
}

export function summarize(findings: Finding[]): DoctorSummary {
  const errors = findings.filter((f) => f.level === "error").length;
  return { ok: errors === 0, errors, warnings: findings.filter((f) => f.level === "warn").length };
}
