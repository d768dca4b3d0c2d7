/** @module cli/commands/prune — `lifeboat prune`: delete data no snapshot references. */
import { prune, type PruneResult } from "../../prune/prune.ts";
import { formatBytes, parseDurationArg } from "../../ui/index.ts";
import { helpText, type Cli } from "../context.ts";
import type { Register } from "./index.ts";

export function printPrune(cli: Cli, r: PruneResult): void {
  cli.print(`${r.dryRun ? "would remove" : "removed"} ${r.packsRemoved} unused pack(s), repack ${r.packsRepacked} (${r.blobsRepacked} blobs kept), ` +
    `${r.orphansRemoved} unindexed pack(s), ${r.leftoversRemoved} unfinished temporary file(s); ${formatBytes(r.bytesFreed)} freed; ${r.packsKept} pack(s) untouched`);
}

export const registerPrune: Register = (program, cli) => {
  program.command("prune")
    .description("remove data that no snapshot references (takes an exclusive lock)")
    .option("-n, --dry-run", "only report what would be removed")
    .option("--max-unused <percent>", "repack a pack when more than this share of it is unused", "10")
    .option("--grace <duration>", "leave unindexed packs younger than this (a backup may still be writing them)", "1h")
    .addHelpText("after", helpText(["lifeboat prune --dry-run", "lifeboat prune --lock-wait 10m"]))
    .action(async (o: { dryRun?: boolean; maxUnused: string; grace: string }) => {
      await cli.withRepo(async (repo) => {
        const lock = await repo.lock({ exclusive: true, waitMs: cli.lockWaitMs(), signal: cli.signal });
        try {
          const r = await prune(repo, { dryRun: o.dryRun, maxUnusedPercent: Number(o.maxUnused), graceMs: parseDurationArg(o.grace), signal: cli.signal });
          cli.emit({ message_type: "summary", ...r });
          printPrune(cli, r);
        } finally {
          await lock.release();
        }
      });
    });
};
