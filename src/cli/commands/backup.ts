/** @module cli/commands/backup — `lifeboat backup PATH...`: capture paths into a snapshot. */
import { backup } from "../../backup/backup.ts";
import { scan } from "../../backup/scan.ts";
import { normalizePaths } from "../../backup/roots.ts";
import { ExitCode, LifeboatError } from "../../errors/index.ts";
import { backupAgents } from "./backup-agents.ts";
import { shortId } from "../../model/index.ts";
import { formatBytes, formatDuration } from "../../ui/index.ts";
import { helpText } from "../context.ts";
import type { Register } from "./index.ts";

export interface BackupFlags {
  agent: string[];
  hooks: boolean;
  skip: string[];
  tag: string[];
  host?: string;
  parent?: string;
  force?: boolean;
}

export const registerBackup: Register = (program, cli, setCode) => {
  program.command("backup")
    .description("back up the configured agents (one snapshot each), or the given files and folders")
    .argument("[path...]", "files or folders to back up; without paths, every agent in lifeboat.yaml")
    .option("--agent <name>", "back up only this configured agent (repeatable)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--skip <item>", "leave out this item of the agent (repeatable)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--no-hooks", "do not run the agents' before/after hooks (Clawdie's --no-snapshot: skip the ZFS snapshot hook)")
    .option("--tag <tag>", "add a tag (repeatable)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--host <name>", "record this host name instead of the machine's")
    .option("--parent <snapshot>", "compare against this snapshot instead of the newest with the same paths")
    .option("--force", "re-read every file, even unchanged ones")
    .addHelpText("after", helpText([
      "lifeboat backup                      # every agent in lifeboat.yaml",
      "lifeboat backup --agent wren --skip memory-index",
      "lifeboat backup ~/.openclaw/workspace",
      "lifeboat backup --tag hourly --json ~/agent > last-backup.json",
    ]))
    .action(async (paths: string[], o: BackupFlags) => {
      if (paths.length === 0 || o.agent.length > 0) {
        if (paths.length > 0) throw new LifeboatError("give either paths or --agent, not both");
        return backupAgents(cli, o, setCode);
      }
      await cli.withRepo(async (repo) => {
        const progress = cli.progress();
        // The scan only feeds the progress line: without one it would lstat every file twice.
        if (cli.showsProgress()) void scan(normalizePaths(paths), cli.signal).then((t) => progress.setTotal(t.files, t.bytes), () => undefined);
        try {
          const res = await backup(repo, {
            paths, tags: o.tag, host: o.host, parent: o.parent, force: o.force, lockWaitMs: cli.lockWaitMs(), signal: cli.signal,
            events: {
              onBytes: (n) => progress.update({ bytes: n }),
              onFile: (path) => { progress.update({ files: 1 }); progress.setCurrent(path); },
              onError: (path, err) => cli.warn(`error: ${path}: ${(err as Error).message}`),
            },
          });
          progress.done();
          const s = res.snapshot.summary;
          cli.emit({ message_type: "summary", snapshot_id: res.snapshotId, parent: res.snapshot.parent ?? null, ...s, errors: res.errors });
          cli.print(`snapshot ${shortId(res.snapshotId)} saved: ${s.files} files (${s.filesNew} new, ${s.filesChanged} changed, ${s.filesUnmodified} unmodified), ` +
            `${formatBytes(s.bytes)} processed, ${formatBytes(s.bytesStored)} added to the repository in ${formatDuration(s.durationMs)}`);
          if (res.errors.length > 0) {
            cli.warn(`warning: ${res.errors.length} file(s) could not be read and are not in the snapshot:`);
            for (const e of res.errors) cli.warn(`  ${e.path}: ${e.message}`);
            setCode(ExitCode.partial);
          }
        } finally {
          progress.done();
        }
      });
    });
};
