/** @module cli/commands/check — `lifeboat check [--read-data | --read-data-subset N%]`. */
import { check } from "../../check/check.ts";
import { parseSubset } from "../../check/readdata.ts";
import { LifeboatError } from "../../errors/index.ts";
import { helpText } from "../context.ts";
import type { Register } from "./index.ts";
import { tracked } from "../jobs.ts";

export const registerCheck: Register = (program, cli) => {
  program.command("check")
    .description("verify the repository: structure always; with --read-data, every byte of every pack")
    .option("--read-data", "read all packs and authenticate every blob")
    .option("--read-data-subset <subset>", "read part of the packs: N% (random) or n/t (slice n of t)")
    .addHelpText("after", helpText(["lifeboat check", "lifeboat check --read-data", "lifeboat check --read-data-subset 10%"]))
    .action(async (o: { readData?: boolean; readDataSubset?: string }) => {
      const subset = o.readDataSubset ? parseSubset(o.readDataSubset) : undefined;
      // No cache: a cached copy of a damaged index or snapshot object would hide the damage.
      await tracked(cli, { job: "check", event: "check_failed", what: "repository check" }, () => cli.withRepo(async (repo) => {
        const lock = await repo.lock({ exclusive: false, waitMs: cli.lockWaitMs(), signal: cli.signal });
        const progress = cli.progress();
        let res;
        try {
          res = await check(repo, {
            readData: o.readData, subset, signal: cli.signal,
            onPack: (done, total) => { progress.setTotal(total, 0); progress.update({ files: 1 }); void done; },
          });
        } finally {
          progress.done();
          await lock.release();
        }
        const tier = o.readData ? "structure and all data" : subset ? `structure and ${o.readDataSubset} of the data` : "structure only (no data read; use --read-data)";
        cli.emit({ message_type: "summary", ok: res.errors.length === 0, tier, ...res });
        for (const w of res.warnings) cli.warn(`warning: ${w.object}: ${w.message}`);
        for (const e of res.errors) cli.warn(`error: ${e.object}: ${e.message}`);
        cli.print(`checked ${res.snapshots} snapshots, ${res.trees} trees, ${res.packs} packs (${tier}); read ${res.packsRead} packs, ${res.blobsRead} blobs`);
        if (res.errors.length > 0) throw new LifeboatError(`check found ${res.errors.length} error(s); first: ${res.errors[0]!.object}`, { hint: "see the errors above" });
        cli.print("no errors found");
      }, { cache: false }));
    });
};
