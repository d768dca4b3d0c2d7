/** @module cli/commands/repair — `lifeboat repair index`: rebuild the index from pack headers. */
import { rebuildIndex } from "../../repository/rebuild.ts";
import { helpText } from "../context.ts";
import type { Register } from "./index.ts";

export const registerRepair: Register = (program, cli) => {
  const repair = program.command("repair").description("repair a damaged repository")
    .addHelpText("after", helpText(["lifeboat repair index"]));
  repair.command("index")
    .description("rebuild the index from the headers of every pack (exclusive lock)")
    .addHelpText("after", helpText(["lifeboat repair index"]))
    .action(async () => {
      await cli.withRepo(async (repo) => {
        const lock = await repo.lock({ exclusive: true, waitMs: cli.lockWaitMs(), signal: cli.signal });
        try {
          const r = await rebuildIndex(repo, cli.signal);
          cli.emit({ message_type: "summary", packs: r.packs, blobs: r.blobs, removed_index: r.removedIndex, damaged_packs: r.damaged.map((d) => d.object) });
          for (const d of r.damaged) cli.warn(`warning: ${d.message} (left out of the index)`);
          cli.print(`index rebuilt from ${r.packs} packs (${r.blobs} blobs); ${r.removedIndex} old index object(s) replaced`);
        } finally {
          await lock.release();
        }
      });
    });
};
