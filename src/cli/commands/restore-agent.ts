/** @module cli/commands/restore-agent — `lifeboat restore SNAPSHOT --agent NAME`. */
import { restoreAgent } from "../../restore/agent.ts";
import { PRE_RESTORE_TAG } from "../../restore/safety.ts";
import { shortId } from "../../model/index.ts";
import { agentSnapshot, findAgentConfig } from "../agents.ts";
import type { Cli } from "../context.ts";
import { report } from "../jobs.ts";
import { hostname } from "node:os";
import type { RestoreFlags } from "./restore.ts";

const list = (s: string | undefined) => (s ? s.split(",").map((x) => x.trim()).filter(Boolean) : undefined);

export async function restoreAgentCommand(cli: Cli, ref: string, o: RestoreFlags): Promise<void> {
  const name = o.agent!;
  const config = await findAgentConfig(cli, name);
  await cli.withRepo(async (repo) => {
    const lock = await repo.lock({ exclusive: false, waitMs: cli.lockWaitMs(), signal: cli.signal });
    try {
      const sn = await agentSnapshot(repo, ref, name, cli.signal);
      await repo.loadIndex({ signal: cli.signal });
      const started = Date.now();
      const res = await restoreAgent(repo, sn, {
        target: o.target, only: list(o.only), skip: list(o.skip), dryRun: o.dryRun, stopAgent: o.stopAgent,
        config, reloadConfig: () => findAgentConfig(cli, name), signal: cli.signal, onItem: (line) => cli.print(line),
      });
      const ms = Date.now() - started;
      cli.emit({ message_type: "summary", agent: name, snapshot_id: sn.id, dry_run: res.dryRun, plan: res.plan, items: res.items, pre_restore_snapshot: res.preRestoreSnapshot, notes: res.notes, duration_ms: ms });
      cli.print(`${res.dryRun ? "would restore" : "restored"} agent ${name} from snapshot ${shortId(sn.id!)}${res.dryRun ? " (dry run: nothing changed)" : ` in ${ms} ms`}:`);
      for (const line of res.plan) cli.print(`  ${line}`);
      if (res.preRestoreSnapshot) cli.print(`the previous state is in snapshot ${shortId(res.preRestoreSnapshot)} (tag ${PRE_RESTORE_TAG}); restore it to undo`);
      for (const n of res.notes) cli.print(`note: ${n}`);
      if (!res.dryRun) {
        await report(cli, (await cli.alerter()).announce({
          event: "restore_done", agent: name, severity: "info",
          title: `${name} was restored from snapshot ${shortId(sn.id!)} (${sn.time.slice(0, 16).replace("T", " ")})`,
          text: [`${res.items.length} item(s) restored in ${ms} ms on ${hostname()}.`, ...(res.preRestoreSnapshot ? [`the state before is in snapshot ${shortId(res.preRestoreSnapshot)}`] : []), "check that the agent is itself again: `lifeboat drift`"].join("\n"),
          details: { snapshot: sn.id, duration_ms: ms },
        }, cli.signal));
      }
    } finally {
      await lock.release();
    }
  });
}
