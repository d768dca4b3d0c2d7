/** @module cli/commands/backup-agents — `lifeboat backup` without paths: every configured agent. */
import { backupAgent } from "../../backup/agent.ts";
import { ExitCode } from "../../errors/index.ts";
import { shortId } from "../../model/index.ts";
import { formatBytes, formatDuration } from "../../ui/index.ts";
import { selectAgents } from "../agents.ts";
import type { Cli } from "../context.ts";
import type { BackupFlags } from "./backup.ts";
import type { SetCode } from "./index.ts";

export async function backupAgents(cli: Cli, o: BackupFlags, setCode: SetCode): Promise<void> {
  const agents = (await selectAgents(cli, o.agent)).map((a) => (o.hooks === false ? { ...a, hooks: {} } : a));
  await cli.withRepo(async (repo) => {
    const results = [];
    for (const agent of agents) {
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
        results.push({ agent: agent.name, snapshot_id: res.snapshotId, ...s, items: m.items.map((i) => i.name), skipped: m.skipped, errors: res.errors });
        cli.print(`agent ${agent.name}: snapshot ${shortId(res.snapshotId)} saved: ${m.items.length} items, ${s.files} files, ` +
          `${formatBytes(s.bytes)} processed, ${formatBytes(s.bytesStored)} added in ${formatDuration(s.durationMs)}`);
        for (const sk of m.skipped) cli.print(`  skipped ${sk.name}: ${sk.reason}`);
        if (res.errors.length > 0) {
          for (const e of res.errors) cli.warn(`  unreadable: ${e.path}: ${e.message}`);
          setCode(ExitCode.partial);
        }
      } finally {
        progress.done();
      }
    }
    cli.emit({ message_type: "summary", agents: results });
  });
}
