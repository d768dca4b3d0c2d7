/**
 * @module cli/commands/drill
 * `lifeboat drill`: a restore rehearsal that proves each agent comes back identical and says
 * how long it took. Each agent's drill is a tracked job (run log, drill_failed alert, all-clear)
 * and its result is signed into the repository, where `status` reads it. One agent's failed
 * drill does not stop the others; the first failure decides the exit code.
 */
import { saveDrill } from "../../drill/record.ts";
import { runDrill } from "../../drill/drill.ts";
import type { DrillReport } from "../../drill/types.ts";
import { ExitCode, LifeboatError, describeError, isAbortError } from "../../errors/index.ts";
import type { Repository } from "../../repository/repository.ts";
import { loadSnapshots } from "../../repository/snapshots.ts";
import { agentBackups } from "../../restore/safety.ts";
import { agentSnapshot, findAgentConfig } from "../agents.ts";
import { helpText, type Cli } from "../context.ts";
import { drillFromScratch } from "../drillscratch.ts";
import { renderDrill } from "../drillrender.ts";
import { tracked } from "../jobs.ts";
import { getPassword } from "../password.ts";
import type { Register } from "./index.ts";

export interface DrillFlags {
  agent: string[];
  snapshot?: string;
  keep?: boolean;
  sandbox?: string;
  fromScratch?: boolean;
  record: boolean;
}

export const registerDrill: Register = (program, cli) => {
  program.command("drill")
    .description("restore a snapshot into a sandbox, verify every item, time the recovery, and record the result")
    .option("--agent <name>", "drill only this agent (repeatable; default: every configured agent, or every agent in the repository)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--snapshot <id>", "drill this snapshot instead of the agent's newest (needs one --agent)")
    .option("--keep", "keep the sandbox folder and scratch databases for a look (the drill prints where they are)")
    .option("--sandbox <dir>", "make the sandbox inside DIR (default: the system's temp folder)")
    .option("--from-scratch", "drill as a new machine would: a fresh lifeboat with only the repository location and password (no config, cache or state)")
    .option("--no-record", "do not store the result in the repository")
    .addHelpText("after", helpText([
      "lifeboat drill",
      "lifeboat drill --agent wren --from-scratch",
      "lifeboat drill --agent wren --snapshot 1a2b3c4d --keep",
      "lifeboat drill --json | jq '.drills[] | {agent, ok, recovery_ms}'",
    ]) + "\n  drill: 0 every drill passed · 5 a drill failed (an item did not verify or the agent would not start)\n")
    .action(async (o: DrillFlags) => {
      if (o.snapshot && o.agent.length !== 1) throw new LifeboatError("--snapshot needs exactly one --agent");
      const reports: DrillReport[] = [];
      let failure: unknown;
      await cli.withRepo(async (repo) => {
        for (const name of await agentsToDrill(cli, repo, o)) {
          try {
            await tracked(cli, { job: "drill", agent: name, event: "drill_failed", what: `restore drill of ${name}` }, () => drillOne(cli, repo, name, o, reports));
          } catch (err) {
            if (isAbortError(err)) throw err;
            if (failure === undefined) failure = err;
            else cli.warn(`error: agent ${name}: ${describeError(err)}`);
          }
        }
      });
      cli.emit({ message_type: "drill", ok: failure === undefined, drills: reports });
      if (failure !== undefined) throw failure;
    });
};

/** agentsToDrill: the named agents, else the configured ones, else every agent the repository holds. */
async function agentsToDrill(cli: Cli, repo: Repository, o: DrillFlags): Promise<string[]> {
  if (o.agent.length > 0) return o.agent;
  const config = o.fromScratch ? undefined : await cli.config();
  if (config && config.agents.length > 0) return config.agents.map((a) => a.name);
  const { snapshots } = await loadSnapshots(repo, cli.signal);
  const names = [...new Set(snapshots.flatMap((s) => (s.agent ? [s.agent] : [])))].filter((a) => agentBackups(snapshots, a).length > 0).sort();
  if (names.length === 0) throw new LifeboatError("the repository holds no agent snapshot to drill", { hint: "back an agent up first: `lifeboat backup --agent NAME`" });
  return names;
}

async function drillOne(cli: Cli, repo: Repository, name: string, o: DrillFlags, reports: DrillReport[]): Promise<{ snapshotId: string }> {
  const report = o.fromScratch ? await scratchDrill(cli, name, o) : await localDrill(cli, repo, name, o);
  const recordId = o.record ? await saveDrill(repo, report, cli.signal) : null;
  reports.push(report);
  cli.print(renderDrill(report, recordId));
  if (!report.ok) {
    const itemsOk = report.items.every((i) => i.ok);
    throw new LifeboatError(`drill of ${name} failed: ${report.error ?? "see above"}`, {
      exitCode: ExitCode.drillFailed,
      hint: itemsOk
        ? "every item came back identical, but the agent would not start as it is: see the health lines above"
        : "this snapshot does not come back as it was captured: run `lifeboat check --read-data`, then take a new backup",
    });
  }
  return { snapshotId: report.snapshot };
}

async function localDrill(cli: Cli, repo: Repository, name: string, o: DrillFlags): Promise<DrillReport> {
  const lock = await repo.lock({ exclusive: false, waitMs: cli.lockWaitMs(), signal: cli.signal });
  try {
    const sn = await agentSnapshot(repo, o.snapshot ?? "latest", name, cli.signal);
    return await runDrill(repo, sn, { config: await findAgentConfig(cli, name), keep: o.keep, sandboxParent: o.sandbox, signal: cli.signal });
  } finally {
    await lock.release();
  }
}

async function scratchDrill(cli: Cli, name: string, o: DrillFlags): Promise<DrillReport> {
  const password = await getPassword({ passwordFile: await cli.passwordFile() });
  return drillFromScratch({ location: await cli.location(), password, agent: name, snapshot: o.snapshot, keep: o.keep, sandbox: o.sandbox, signal: cli.signal });
}
