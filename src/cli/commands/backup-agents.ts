/** @module cli/commands/backup-agents — `lifeboat backup` without paths: every configured agent. */
import { backupAgent } from "../../backup/agent.ts";
import { describeError, ExitCode, isAbortError } from "../../errors/index.ts";
import type { AgentConfig, Item } from "../../model/agent.ts";
import { loadSnapshots } from "../../repository/snapshots.ts";
import { agentBackups } from "../../restore/safety.ts";
import type { Repository } from "../../repository/repository.ts";
import { tracked, type TrackedJob } from "../jobs.ts";
import { firstBaseline, withVanishedItems } from "../../drift/run.ts";
import { shortId, type Snapshot } from "../../model/index.ts";
import { formatBytes, formatDuration } from "../../ui/index.ts";
import { selectAgents } from "../agents.ts";
import type { Cli } from "../context.ts";
import type { BackupFlags } from "./backup.ts";
import type { SetCode } from "./index.ts";

export async function backupAgents(cli: Cli, o: BackupFlags, setCode: SetCode): Promise<void> {
  const agents = (await selectAgents(cli, o.agent)).map((a) => (o.hooks === false ? { ...a, hooks: {} } : a));
  const job = (a: AgentConfig): TrackedJob => ({ job: "backup", agent: a.name, event: "backup_failed", what: `backup of ${a.name}` });
  let repo: Repository;
  try {
    repo = await cli.openRepo();
  } catch (err) {
    // The repository is part of the backup: every agent's run failed, and each is counted.
    for (const a of agents) await tracked(cli, job(a), () => Promise.reject(err)).catch(() => undefined);
    throw err;
  }
  const results: unknown[] = [];
  let failure: unknown;
  // Each agent's last backup (for items gone from disk) comes from one listing, taken before
  // any agent is backed up: one agent's new snapshot is never another's last backup.
  let listed: Promise<Snapshot[]> | undefined;
  const before = () => (listed ??= loadSnapshots(repo, cli.signal).then((r) => r.snapshots));
  try {
    for (const agent of agents) {
      try {
        results.push(await tracked(cli, job(agent), () => backupOne(cli, repo, agent, o, setCode, before)));
      } catch (err) {
        // One agent's failure must not cost the others their backup; the first error decides the exit code.
        if (isAbortError(err)) throw err;
        // The first failure is the command's error line at the end; later ones are named here.
        if (failure === undefined) failure = err;
        else cli.warn(`error: agent ${agent.name}: ${describeError(err)}`);
      }
    }
  } finally {
    await repo.close();
  }
  cli.emit({ message_type: "summary", agents: results });
  if (failure !== undefined) throw failure;
}

async function backupOne(cli: Cli, repo: Repository, agent: AgentConfig, o: BackupFlags, setCode: SetCode, before: () => Promise<Snapshot[]>) {
  const prev = agentBackups(await before(), agent.name).at(-1);
  const vanished = vanishedItems(agent, prev);
  const progress = cli.progress();
  try {
    const res = await backupAgent(repo, agent, {
      skip: o.skip, tags: o.tag, lockWaitMs: cli.lockWaitMs(), signal: cli.signal, passwordFile: await cli.passwordFile(),
      onItem: (item) => progress.setCurrent(`${agent.name}/${item.name}`),
      events: {
        onBytes: (n) => progress.update({ bytes: n }),
        onFile: () => progress.update({ files: 1 }),
        onError: (path, err) => cli.warn(`error: ${path}: ${(err as Error).message}`),
      },
    });
    progress.done();
    const s = res.snapshot.summary;
    const m = res.snapshot.manifest!;
    cli.print(`agent ${agent.name}: snapshot ${shortId(res.snapshotId)} saved: ${m.items.length} items, ${s.files} files, ` +
      `${formatBytes(s.bytes)} processed, ${formatBytes(s.bytesStored)} added in ${formatDuration(s.durationMs)}`);
    for (const sk of m.skipped) cli.print(`  skipped ${sk.name}: ${sk.reason}`);
    // Only an agent's first snapshot can become its first baseline: later backups skip the records listing.
    const first = prev === undefined ? await firstBaseline(repo, agent, res.snapshot, { stateDir: cli.stateDir(), signal: cli.signal }) : null;
    if (first) cli.print(`  approved as ${agent.name}'s drift baseline (first backup); \`lifeboat drift\` compares against it`);
    for (const v of vanished) cli.warn(`  missing: item ${v.name} (${v.class}) was in the last backup but ${"path" in v ? v.path : "it"} is gone from disk; \`lifeboat drift\` shows what was lost`);
    if (vanished.length > 0) setCode(ExitCode.partial);
    if (res.errors.length > 0) {
      for (const e of res.errors) cli.warn(`  unreadable: ${e.path}: ${e.message}`);
      setCode(ExitCode.partial);
    }
    return { agent: agent.name, snapshotId: res.snapshotId, ...s, items: m.items.map((i) => i.name), skipped: m.skipped, missing: vanished.map((v) => v.name), errors: res.errors };
  } finally {
    progress.done();
  }
}

/**
 * vanishedItems: items the agent's last backup held whose folder or file is gone. A preset
 * proposes only what it finds, so a deleted workspace would otherwise just drop out of the
 * backup; it is reported (exit 3) instead.
 */
function vanishedItems(agent: AgentConfig, prev: Snapshot | undefined): Item[] {
  return withVanishedItems(agent, [prev]).items.slice(agent.items.length);
}
