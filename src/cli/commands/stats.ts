/** @module cli/commands/stats — `lifeboat stats`: sizes, deduplication and compression. */
import { loadSnapshots } from "../../repository/snapshots.ts";
import { formatBytes } from "../../ui/index.ts";
import { helpText } from "../context.ts";
import type { Register } from "./index.ts";

export const registerStats: Register = (program, cli) => {
  program.command("stats")
    .description("show how much the snapshots hold and how much the repository stores")
    .addHelpText("after", helpText(["lifeboat stats", "lifeboat stats --json"]))
    .action(async () => {
      await cli.withRepo(async (repo) => {
        const { snapshots } = await loadSnapshots(repo, cli.signal);
        await repo.loadIndex({ signal: cli.signal });
        let rawData = 0;
        let blobs = 0;
        for (const e of repo.index.blobs.values()) if (e.type === "data") { rawData += e.rawLength; blobs++; }
        let stored = 0;
        let packs = 0;
        for await (const fi of repo.backend.list("pack", { signal: cli.signal })) { stored += fi.size; packs++; }
        const restoreSize = snapshots.reduce((n, s) => n + s.summary.bytes, 0);
        const latest = snapshots.at(-1);
        const r = {
          snapshots: snapshots.length, restore_size_all: restoreSize, restore_size_latest: latest?.summary.bytes ?? 0,
          files_latest: latest?.summary.files ?? 0, blobs, packs, raw_data: rawData, stored_size: stored,
          dedup_ratio: rawData > 0 ? restoreSize / rawData : 0, compression_ratio: stored > 0 ? rawData / stored : 0,
        };
        cli.emit(r);
        cli.print([
          `snapshots:                 ${r.snapshots}`,
          `latest snapshot:           ${r.files_latest} files, ${formatBytes(r.restore_size_latest)}`,
          `all snapshots restore to:  ${formatBytes(r.restore_size_all)}`,
          `unique data (raw):         ${formatBytes(r.raw_data)} in ${r.blobs} data blobs`,
          `stored (compressed+enc.):  ${formatBytes(r.stored_size)} in ${r.packs} packs`,
          `deduplication ratio:       ${r.dedup_ratio.toFixed(2)}x`,
          `compression ratio:         ${r.compression_ratio.toFixed(2)}x`,
        ].join("\n"));
      });
    });
};
