/** @module cli/commands/snapshots — `lifeboat snapshots`: list snapshots. */
import { loadSnapshots, matchesFilter } from "../../repository/snapshots.ts";
import { shortId } from "../../model/index.ts";
import { formatBytes, renderTable } from "../../ui/index.ts";
import { helpText } from "../context.ts";
import type { Register } from "./index.ts";

export const registerSnapshots: Register = (program, cli) => {
  program.command("snapshots")
    .description("list snapshots, oldest first")
    .option("--host <name>", "only snapshots from this host")
    .option("--tag <tag>", "only snapshots with this tag")
    .option("--path <path>", "only snapshots of exactly this path")
    .option("--agent <name>", "only snapshots of this agent")
    .addHelpText("after", helpText(["lifeboat snapshots", "lifeboat snapshots --json | jq '.[-1].id'"]))
    .action(async (o: { host?: string; tag?: string; path?: string; agent?: string }) => {
      await cli.withRepo(async (repo) => {
        const { snapshots, damaged } = await loadSnapshots(repo, cli.signal);
        const list = snapshots.filter((s) => matchesFilter(s, { host: o.host, agent: o.agent, tags: o.tag ? [o.tag] : undefined, paths: o.path ? [o.path] : undefined }));
        for (const d of damaged) cli.warn(`warning: ${d.message}`);
        // The manifest's per-file hashes can be large: the listing shows each item's totals only.
        cli.emit(list.map((s) => ({ ...s, short_id: shortId(s.id!), manifest: s.manifest && {
          ...s.manifest, items: s.manifest.items.map(({ sha256: _h, tableHashes: _t, tableHashScheme: _s, excluded, ...rest }) => ({ ...rest, excluded: excluded?.length ?? 0 })),
        } })));
        cli.print(renderTable(["ID", "Time", "Host", "Tags", "Paths", "Size"], list.map((s) => [
          shortId(s.id!), s.time.replace("T", " ").slice(0, 19), s.host, s.tags.join(","), s.paths.join("\n"), formatBytes(s.summary.bytes),
        ])) + `${list.length} snapshot(s)`);
      });
    });
};
