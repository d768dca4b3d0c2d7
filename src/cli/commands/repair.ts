/**
 * @module cli/commands/repair
 * `lifeboat repair [packs] | snapshots | records | index`: bring a damaged repository back
 * to one that checks clean, saying exactly what is lost (docs/design.md §10.1). Every
 * subcommand takes the exclusive lock (a dry run a shared one) and reads without the cache,
 * whose copies could hide damage. Exit 3 when `repair packs` finds something lost.
 */
import { ExitCode } from "../../errors/index.ts";
import type { Repository } from "../../repository/repository.ts";
import { rebuildIndex } from "../../repository/rebuild.ts";
import { repairPacks } from "../../repository/repair/packs.ts";
import { repairRecords } from "../../repository/repair/records.ts";
import { repairSnapshots } from "../../repository/repair/snapshots.ts";
import { helpText, type Cli } from "../context.ts";
import type { Register } from "./index.ts";
import { printPacks, printRecords, printSnapshots } from "./repair-print.ts";

/** locked runs fn under the repository lock (exclusive unless only reading), aborting if the lock is lost. */
async function locked<T>(cli: Cli, exclusive: boolean, fn: (repo: Repository, signal: AbortSignal) => Promise<T>): Promise<T> {
  return cli.withRepo(async (repo) => {
    const lock = await repo.lock({ exclusive, waitMs: cli.lockWaitMs(), signal: cli.signal });
    try {
      return await fn(repo, AbortSignal.any([cli.signal, lock.lost]));
    } finally {
      await lock.release();
    }
  }, { cache: false });
}

export const registerRepair: Register = (program, cli, setCode) => {
  const repair = program.command("repair").description("repair a damaged repository; without a subcommand: `repair packs`")
    .addHelpText("after", helpText(["lifeboat repair --dry-run", "lifeboat repair && lifeboat repair snapshots --forget && lifeboat check --read-data"])
      + "\n  repair (packs) exits 3 when something is lost: blobs, snapshot files, damaged snapshots, records or keys");
  repair.command("packs", { isDefault: true })
    .description("read every pack, salvage the blobs of damaged ones into new packs, rebuild the index, remove damaged packs, and report what is lost (the default)")
    .option("-n, --dry-run", "read and report; write and remove nothing")
    .addHelpText("after", helpText(["lifeboat repair", "lifeboat repair packs --dry-run --json"])
      + "\n  repair packs exits 3 when something is lost: blobs, snapshot files, damaged snapshots, records or keys")
    .action(async (o: { dryRun?: boolean }) => {
      await locked(cli, !o.dryRun, async (repo, signal) => {
        const progress = cli.progress();
        let r;
        try {
          r = await repairPacks(repo, { dryRun: o.dryRun, signal, onPack: (_done, total) => { progress.setTotal(total, 0); progress.update({ files: 1 }); } });
        } finally {
          progress.done();
        }
        cli.emit({ message_type: "summary", ...r });
        printPacks(cli, r);
        if (r.lost) setCode(ExitCode.partial);
      });
    });
  repair.command("snapshots")
    .description("rewrite snapshots that reference lost data without the lost files (tag `repaired`); --forget removes the originals and unreadable snapshots")
    .option("--forget", "remove the original snapshots, snapshots with nothing left, and snapshot objects that do not decrypt")
    .option("-n, --dry-run", "report what would be rewritten; write nothing")
    .addHelpText("after", helpText(["lifeboat repair snapshots --dry-run", "lifeboat repair snapshots --forget"]))
    .action(async (o: { forget?: boolean; dryRun?: boolean }) => {
      await locked(cli, !o.dryRun, async (repo, signal) => {
        const r = await repairSnapshots(repo, { forget: o.forget, dryRun: o.dryRun, signal });
        cli.emit({ message_type: "summary", ...r });
        printSnapshots(cli, r);
      });
    });
  repair.command("records")
    .description("remove signed records (drift approvals) whose bytes are damaged; `drift accept --force` then approves afresh")
    .option("-n, --dry-run", "list them; remove nothing")
    .addHelpText("after", helpText(["lifeboat repair records --dry-run", "lifeboat repair records"]))
    .action(async (o: { dryRun?: boolean }) => {
      await locked(cli, !o.dryRun, async (repo, signal) => {
        const r = await repairRecords(repo, { dryRun: o.dryRun, signal });
        cli.emit({ message_type: "summary", ...r });
        printRecords(cli, r);
      });
    });
  repair.command("index")
    .description("rebuild the index from the headers of every pack, without reading the data (exclusive lock)")
    .addHelpText("after", helpText(["lifeboat repair index"]))
    .action(async () => {
      await locked(cli, true, async (repo, signal) => {
        const r = await rebuildIndex(repo, signal);
        cli.emit({ message_type: "summary", packs: r.packs, blobs: r.blobs, removed_index: r.removedIndex, damaged_packs: r.damaged.map((d) => d.object) });
        for (const d of r.damaged) cli.warn(`warning: ${d.message} (left out of the index; \`lifeboat repair\` salvages its blobs)`);
        cli.print(`index rebuilt from ${r.packs} packs (${r.blobs} blobs); ${r.removedIndex} old index object(s) replaced`);
      });
    });
};
