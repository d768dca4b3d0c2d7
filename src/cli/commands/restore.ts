/** @module cli/commands/restore — `lifeboat restore SNAPSHOT --target DIR`. */
import { restore } from "../../restore/restore.ts";
import { prefetchTrees } from "../../restore/prefetch.ts";
import { findSnapshot } from "../../repository/snapshots.ts";
import { indexOrphanPacks } from "../../repository/recover.ts";
import { ExitCode, LifeboatError } from "../../errors/index.ts";
import { mark } from "../../util/trace.ts";
import { restoreAgentCommand } from "./restore-agent.ts";
import { shortId } from "../../model/index.ts";
import { formatBytes, formatDuration } from "../../ui/index.ts";
import { helpText } from "../context.ts";
import type { Register } from "./index.ts";

const collect = (v: string, acc: string[]) => [...acc, v];

export interface RestoreFlags {
  target?: string;
  include: string[];
  exclude: string[];
  agent?: string;
  only?: string;
  skip?: string;
  dryRun?: boolean;
  stopAgent?: boolean;
}

export const registerRestore: Register = (program, cli, setCode) => {
  program.command("restore")
    .description("restore a snapshot into a folder, verifying every block as it is read")
    .argument("<snapshot>", "snapshot id (a unique prefix) or latest")
    .option("-t, --target <dir>", "folder to restore into (absolute snapshot paths are recreated under it); with --agent: the agent's new root")
    .option("--agent <name>", "restore an agent: items in order, verified, swapped in, never into a running agent")
    .option("--only <items>", "with --agent: restore only these items (comma-separated)")
    .option("--skip <items>", "with --agent: leave out these items (comma-separated)")
    .option("-n, --dry-run", "with --agent: print the plan and change nothing")
    .option("--stop-agent", "with --agent: run the configured stop command first and start after")
    .option("-i, --include <glob>", "restore only matching paths (repeatable)", collect, [] as string[])
    .option("-e, --exclude <glob>", "skip matching paths (repeatable)", collect, [] as string[])
    .addHelpText("after", helpText([
      "lifeboat restore latest --agent wren --dry-run",
      "lifeboat restore latest --agent wren --target /srv/new-home/.openclaw --only workspace,config",
      "lifeboat restore latest --target /tmp/restore",
      "lifeboat restore 4f2a91c3 --target / --include '/home/agent/workspace/*.md'",
    ]))
    .action(async (ref: string, o: RestoreFlags) => {
      if (o.agent) return restoreAgentCommand(cli, ref, o);
      if (!o.target) throw new LifeboatError("--target is required (or --agent NAME to restore an agent in place)");
      const target = o.target;
      await cli.withRepo(async (repo) => {
        const started = Date.now();
        // The lock's settle pause (design.md §8) overlaps finding the snapshot and loading the
        // index: reading needs no lock, and nothing is restored before it is held.
        const locking = repo.lock({ exclusive: false, waitMs: cli.lockWaitMs(), signal: cli.signal });
        locking.catch(() => undefined);
        const reading = (async () => {
          const sn = await findSnapshot(repo, ref, {}, cli.signal);
          const index = await repo.loadIndex({ signal: cli.signal, tolerateDamage: true });
          // Trees load while the lock settles too (restore/prefetch.ts).
          const trees = prefetchTrees((id, s) => repo.loadTree(id, s), sn.tree, cli.signal);
          return { sn, trees, ...index };
        })();
        reading.catch(() => undefined);
        const lock = await locking;
        try {
        const { sn, trees, damaged } = await reading;
        mark("restore: ready");
        for (const d of damaged) cli.warn(`warning: ${d.message}`);
        // A damaged index object hides its packs: read their headers instead (read-only).
        if (damaged.length > 0) await indexOrphanPacks(repo, cli.signal, false);
        const progress = cli.progress();
        progress.setTotal(0, sn.summary.bytes);
        let res;
        try {
          res = await restore(repo, sn, {
            target, include: o.include, exclude: o.exclude, signal: cli.signal, trees,
            onBytes: (n) => progress.update({ bytes: n }),
            onFile: (p) => { progress.update({ files: 1 }); progress.setCurrent(p); },
          });
        } finally {
          progress.done();
        }
        const ms = Date.now() - started;
        cli.emit({ message_type: "summary", snapshot_id: sn.id, target: o.target, files: res.files, dirs: res.dirs, links: res.links, bytes: res.bytes, duration_ms: ms, errors: res.errors });
        cli.print(`restored snapshot ${shortId(sn.id!)} to ${o.target}: ${res.files} files, ${res.dirs} folders, ${res.links} links, ${formatBytes(res.bytes)} in ${formatDuration(ms)}; every block verified`);
        if (res.errors.length > 0) {
          cli.warn(`error: ${res.errors.length} item(s) could not be restored:`);
          for (const e of res.errors) cli.warn(`  ${e.path}: ${e.message}`);
          setCode(ExitCode.partial);
        }
        } finally {
          await lock.release();
        }
      });
    });
};
