/**
 * @module cli/commands/watch
 * `lifeboat watch`: continuous capture (docs/watch.md). Watches each agent's files and
 * SQLite databases and takes an ordinary agent snapshot, tagged `watch`, `--delay` after a
 * change and at most once per `--min-interval`. Each snapshot runs through `tracked`, so the
 * run log, `status` and failure alerts see it like any backup. SIGINT/SIGTERM stop watching:
 * a running snapshot is aborted (no snapshot written, lock released) and the command exits 0;
 * the snapshot the next `lifeboat watch` takes when it starts covers what was not captured.
 */
import { backupAgent } from "../../backup/agent.ts";
import { firstBaseline } from "../../drift/run.ts";
import { describeError, isAbortError, LifeboatError } from "../../errors/index.ts";
import type { AgentConfig } from "../../model/agent.ts";
import { shortId } from "../../model/index.ts";
import type { Repository } from "../../repository/repository.ts";
import { loadSnapshots } from "../../repository/snapshots.ts";
import { agentBackups } from "../../restore/safety.ts";
import { formatBytes, formatDuration } from "../../ui/index.ts";
import { watchAgents, watchSettings, type ChangeBatch, type WatchEvent, type WatchSettings } from "../../watch/index.ts";
import { selectAgents } from "../agents.ts";
import { helpText, type Cli } from "../context.ts";
import { tracked } from "../jobs.ts";
import type { Register } from "./index.ts";

/** WATCH_TAG marks the snapshots `lifeboat watch` takes (`forget --tag watch` can thin them separately). */
export const WATCH_TAG = "watch";

interface WatchFlags {
  agent: string[];
  delay?: string;
  minInterval?: string;
  initial: boolean;
  hooks: boolean;
}

export const registerWatch: Register = (program, cli) => {
  program.command("watch")
    .description("snapshot agents seconds after their files or databases change (continuous capture); runs until SIGINT/SIGTERM")
    .option("--agent <name>", "only this configured agent (repeatable; default: every agent)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--delay <duration>", "snapshot this long after the first change; later changes join it (default 10s, or the agent's watch.delay)")
    .option("--min-interval <duration>", "least time between two snapshots of an agent (default 1m, or the agent's watch.min_interval)")
    .option("--no-initial", "do not snapshot each agent when watching starts")
    .option("--no-hooks", "do not run the agents' before/after hooks around watch snapshots")
    .addHelpText("after", helpText([
      "lifeboat watch --agent wren",
      "lifeboat watch --agent wren --delay 5s --min-interval 30s",
      "lifeboat watch --json | jq -c 'select(.message_type == \"watch_snapshot\")'",
    ]) + "\n  watch: 0 when stopped by SIGINT/SIGTERM (a snapshot in progress is abandoned, never half-written);\n" +
      "  a failed snapshot is logged, alerted and retried, and watching goes on\n")
    .action(async (o: WatchFlags) => {
      const agents = (await selectAgents(cli, o.agent)).map((a) => (o.hooks ? a : { ...a, hooks: {} }));
      const repo = await cli.openRepo();
      try {
        const { snapshots } = await loadSnapshots(repo, cli.signal);
        // Only an agent's first snapshot can become its drift baseline, as in `lifeboat backup`.
        const neverBackedUp = new Set(agents.filter((a) => agentBackups(snapshots, a.name).length === 0).map((a) => a.name));
        await watchAgents(agents.map((agent) => ({ agent, settings: parseSettings(o, agent) })), {
          signal: cli.signal, initial: o.initial,
          snapshot: (agent, batch, signal) => snapshotOne(cli, repo, agent, batch, signal, neverBackedUp),
          onEvent: (e) => report(cli, e),
        });
      } finally {
        await repo.close();
      }
      cli.emit({ message_type: "watch_stopped", time: new Date().toISOString() });
      cli.print("stopped watching");
    });
};

/** parseSettings: the flags win over the agent's `watch:` key, which wins over the defaults. */
function parseSettings(o: WatchFlags, agent: AgentConfig): WatchSettings {
  const file = agent.watch ? { delay: agent.watch.delay, min_interval: agent.watch.minInterval } : null;
  try {
    return watchSettings({ delay: o.delay, minInterval: o.minInterval }, file);
  } catch (err) {
    throw new LifeboatError((err as Error).message, { hint: "e.g. --delay 10s --min-interval 1m" });
  }
}

async function snapshotOne(cli: Cli, repo: Repository, agent: AgentConfig, batch: ChangeBatch, signal: AbortSignal, first: Set<string>): Promise<void> {
  const job = { job: "backup" as const, agent: agent.name, event: "backup_failed" as const, what: `backup of ${agent.name}` };
  await tracked(cli, job, async () => {
    const res = await backupAgent(repo, agent, { tags: [WATCH_TAG], lockWaitMs: cli.lockWaitMs(), signal, passwordFile: await cli.passwordFile() })
      .catch((err: unknown) => {
        // Stopping may break the backup with any error (a cut pack upload): it is an interruption, not a failure to alert on.
        throw signal.aborted && !isAbortError(err) ? Object.assign(new Error("interrupted", { cause: err }), { name: "AbortError" }) : err;
      });
    const s = res.snapshot.summary;
    const latencyMs = Date.now() - batch.firstAt;
    cli.emit({ message_type: "watch_snapshot", agent: agent.name, snapshotId: res.snapshotId, time: res.snapshot.time, changes: batch.paths, changeCount: batch.count,
      files: s.files, bytes: s.bytes, bytesStored: s.bytesStored, durationMs: s.durationMs, latencyMs, errors: res.errors });
    cli.print(`${new Date().toISOString()} agent ${agent.name}: snapshot ${shortId(res.snapshotId)} for ${batch.count} change(s) (${batch.paths.slice(0, 3).join(", ")}${batch.paths.length > 3 ? ", …" : ""}): ` +
      `${formatBytes(s.bytesStored)} added in ${formatDuration(s.durationMs)}, ${formatDuration(latencyMs)} after the first change`);
    for (const e of res.errors) cli.warn(`  unreadable: ${e.path}: ${e.message}`);
    if (first.delete(agent.name) && await firstBaseline(repo, agent, res.snapshot, { stateDir: cli.stateDir(), signal })) {
      cli.print(`  approved as ${agent.name}'s drift baseline (first backup)`);
    }
    return { snapshotId: res.snapshotId };
  });
}

function report(cli: Cli, e: WatchEvent): void {
  const time = new Date().toISOString();
  if (e.type === "watching") {
    cli.emit({ message_type: "watch_started", time, agent: e.agent, delayMs: e.settings.delayMs, minIntervalMs: e.settings.minIntervalMs, targets: e.targets, unwatched: e.unwatched });
    cli.print(`watching agent ${e.agent}: ${e.targets.length} path(s), snapshot ${formatDuration(e.settings.delayMs)} after a change, at most every ${formatDuration(e.settings.minIntervalMs)}`);
    for (const u of e.unwatched) cli.print(`  not watched: ${u.item}: ${u.reason}`);
  } else if (e.type === "failed") {
    cli.emit({ message_type: "watch_failed", time, agent: e.agent, error: describeError(e.error), retryInMs: e.retryInMs });
    cli.warn(`${time} agent ${e.agent}: snapshot failed: ${describeError(e.error)}; retrying in ${formatDuration(e.retryInMs)}`);
  } else {
    cli.emit({ message_type: "watch_warning", time, agent: e.agent, warning: e.message });
    cli.warn(`warning: agent ${e.agent}: ${e.message}`);
  }
}
