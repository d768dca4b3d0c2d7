/**
 * @module cli/commands/drift-accept
 * `lifeboat drift accept`: a person approves the agent as it is now (or only some files).
 * It takes a backup, so the approved content is in the repository for later diffs, signs
 * an approval record with who and why, then checks again so the alert clears at once.
 */
import { resolve } from "node:path";
import { userInfo, hostname } from "node:os";
import type { Command } from "commander";
import { backupAgent } from "../../backup/agent.ts";
import { trustedApproval, approve, runDrift } from "../../drift/run.ts";
import { displayPath } from "../../drift/live.ts";
import { renderRun } from "../../drift/render.ts";
import { stateFromSnapshot } from "../../drift/snapshot.ts";
import type { AgentState } from "../../drift/types.ts";
import { ExitCode, LifeboatError } from "../../errors/index.ts";
import type { AgentConfig } from "../../model/agent.ts";
import { shortId, type Snapshot } from "../../model/index.ts";
import type { Repository } from "../../repository/repository.ts";
import { selectAgents } from "../agents.ts";
import { helpText, type Cli } from "../context.ts";
import { checkOne } from "../driftjob.ts";
import type { SetCode } from "./index.ts";

interface AcceptFlags {
  agent: string[];
  reason?: string;
  by?: string;
  force?: boolean;
  hooks: boolean;
}

export function registerDriftAccept(drift: Command, cli: Cli, _setCode: SetCode): void {
  drift.command("accept")
    .description("approve the agent's current state (or only FILES) as its drift baseline, with who and why")
    .argument("[files...]", "only these files (paths relative to the agent root, or absolute); default: everything")
    .option("--agent <name>", "the configured agent (needed when several are configured)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--reason <text>", "why the change is wanted (required; stored in the signed record)")
    .option("--by <who>", "who approves (default: user@host)")
    .option("--force", "the approval chain was tampered with: remove the untrusted records and restart the chain from this approval")
    .option("--no-hooks", "do not run the agent's before/after hooks for the backup")
    .addHelpText("after", helpText([
      "lifeboat drift accept --agent wren --reason \"new tone agreed with ana\" SOUL.md",
      "lifeboat drift accept --agent wren --reason \"after the 2026.11 update\"",
      "lifeboat drift accept --agent wren --force --reason \"reviewed after tampering alert\"",
    ]))
    .action(async (files: string[], o: AcceptFlags) => {
      if (!o.reason?.trim()) throw new LifeboatError("--reason is required: an approval records why", { hint: "add --reason \"what changed and why\"" });
      const agents = await selectAgents(cli, o.agent);
      if (agents.length !== 1) throw new LifeboatError(`${agents.length} agents are configured: say which with --agent`, { hint: `configured: ${agents.map((a) => a.name).join(", ")}` });
      const agent = o.hooks === false ? { ...agents[0]!, hooks: {} } : agents[0]!;
      const by = o.by ?? `${userInfo().username}@${hostname()}`;
      const run = await cli.withRepo((repo) => acceptOne(cli, repo, agent, files, { ...o, reason: o.reason!.trim(), by }));
      cli.emit({ message_type: "drift_accept", ...run.accepted, check: run.check });
      cli.print(`approval ${run.accepted.seq} recorded for ${agent.name} (snapshot ${shortId(run.accepted.snapshot)}, ${run.accepted.scope === "all" ? "all files" : run.accepted.scope.join(", ")}) by ${by}: ${o.reason!.trim()}`);
      cli.print(renderRun(run.check, { diffs: false }));
    });
}

async function acceptOne(cli: Cli, repo: Repository, agent: AgentConfig, files: string[], o: AcceptFlags & { reason: string; by: string }) {
  const { approval, tampered } = await trustedApproval(repo, agent.name, { stateDir: cli.stateDir(), signal: cli.signal });
  if (tampered.length > 0 && !o.force) {
    throw new LifeboatError(`${agent.name}'s approval chain was tampered with: ${tampered[0]!.problem}`, {
      exitCode: ExitCode.tampered, hint: "review `lifeboat drift`, then approve everything with --force (removes the untrusted records)" });
  }
  if (o.force && files.length > 0) throw new LifeboatError("--force restarts the baseline: it approves every file, so give no FILES");
  const sn = await backupFor(cli, repo, agent);
  // One walk of the new snapshot's trees serves both the FILES lookup and the approval.
  const state = await stateFromSnapshot(repo, sn, agent.root, cli.signal);
  const paths = files.length > 0 ? resolvePaths(agent, state, files, approval?.record.body.files ?? {}) : "all";
  // Records that do not verify are removed; valid ones before the restart are kept and ignored from now on.
  if (o.force) for (const t of tampered) if (t.id && t.seq === undefined) await repo.backend.remove({ type: "record", name: t.id }, { signal: cli.signal });
  const saved = await approve(repo, agent, sn, {
    paths, by: o.by, reason: o.reason, after: approval ?? null, stateDir: cli.stateDir(), signal: cli.signal, state,
    ...(o.force ? { restart: true, seq: Math.max(0, ...tampered.map((t) => t.seq ?? 0)) } : {}),
  });
  const check = await checkOne(cli, agent, true, () => runDrift(repo, agent, { stateDir: cli.stateDir(), signal: cli.signal }));
  return { accepted: { agent: agent.name, id: saved.id, seq: saved.record.seq, snapshot: sn.id!, scope: saved.record.body.scope, by: o.by, reason: o.reason }, check };
}

async function backupFor(cli: Cli, repo: Repository, agent: AgentConfig): Promise<Snapshot> {
  const res = await backupAgent(repo, agent, { tags: ["drift-accept"], lockWaitMs: cli.lockWaitMs(), signal: cli.signal, passwordFile: await cli.passwordFile() });
  return res.snapshot;
}

/** resolvePaths turns FILES into display paths the new snapshot or the old baseline knows. */
function resolvePaths(agent: AgentConfig, state: AgentState, files: string[], known: Record<string, unknown>): string[] {
  return files.map((f) => {
    const candidates = [displayPath(resolve(f), agent.root), displayPath(resolve(agent.root, f), agent.root), f];
    const hit = candidates.find((c) => state.files.has(c) || c in known || state.databases.has(c)) ?? uniqueSuffix(f, [...state.files.keys(), ...Object.keys(known)]);
    if (!hit) throw new LifeboatError(`${f} is not a file of agent ${agent.name} (no item captures it)`, { hint: "give a path relative to the agent root, as `lifeboat drift` prints it" });
    return hit;
  });
}

/** uniqueSuffix lets `SOUL.md` name `workspace/SOUL.md` when no other file of the agent ends so. */
function uniqueSuffix(f: string, paths: string[]): string | undefined {
  const hits = [...new Set(paths.filter((p) => p.endsWith(`/${f}`)))];
  return hits.length === 1 ? hits[0] : undefined;
}
