/**
 * @module cli/commands/repair-print
 * The human report of the repair subcommands: what was damaged, what was done about it,
 * what is lost (per blob, per snapshot, per agent item), and the next command to run.
 * Long lists are cut; `--json` has them whole.
 */
import type { RepairPacksResult } from "../../repository/repair/packs.ts";
import type { RepairRecordsResult } from "../../repository/repair/records.ts";
import type { RepairSnapshotsResult } from "../../repository/repair/snapshots.ts";
import type { SnapshotLoss } from "../../repository/repair/types.ts";
import type { Cli } from "../context.ts";

const SHOW = 20;

const short = (id: string) => id.slice(0, 8);
const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;

/** cut prints at most SHOW lines, then how many more there are. */
function cut(cli: Cli, lines: string[]): void {
  for (const l of lines.slice(0, SHOW)) cli.print(`  ${l}`);
  if (lines.length > SHOW) cli.print(`  … and ${lines.length - SHOW} more (--json lists them all)`);
}

export function printPacks(cli: Cli, r: RepairPacksResult): void {
  const would = r.dryRun ? "would be " : "";
  cli.print(`read ${plural(r.packsRead, "pack")}: ${r.damagedPacks.length} damaged`);
  cut(cli, r.damagedPacks.map((d) => `pack ${short(d.id)}: ${d.problem}; ${d.blobs === null
    ? "its blob list is unreadable (header and index both damaged): every blob it held is lost"
    : `${d.salvaged} of ${d.blobs} blobs intact, ${d.lost} lost`}`));
  if (r.damagedPacks.length > 0) cli.print(`${r.blobsSalvaged} blob(s) ${would}copied into ${r.dryRun ? "new packs" : plural(r.packsWritten, "new pack")}; ${plural(r.damagedPacks.length, "damaged pack")} ${would}removed`);
  if (r.index.damaged.length > 0) cli.print(`damaged index objects (rebuilt from the packs, nothing lost): ${r.index.damaged.map((d) => short(d.id)).join(", ")}`);
  cli.print(r.index.rewritten ? `index rebuilt: ${plural(r.index.packs, "pack")}, ${plural(r.index.blobs, "blob")}; ${r.index.removed} old index object(s) replaced`
    : r.dryRun ? "dry run: nothing written or removed" : "index already lists every intact pack: not rewritten");
  printLost(cli, r);
}

function printLost(cli: Cli, r: RepairPacksResult): void {
  if (!r.lost) {
    cli.print("nothing is lost");
    return;
  }
  if (r.lostBlobs.length > 0) {
    cli.print(`lost: ${plural(r.lostBlobs.length, "blob")}`);
    cut(cli, r.lostBlobs.map((b) => `${b.type} blob ${short(b.id)} (pack ${short(b.pack)}): ${b.reason}`));
  }
  for (const s of r.snapshots) printLoss(cli, s);
  for (const d of r.damagedSnapshots) cli.print(`damaged snapshot ${d.id}: ${d.message}: it cannot be read (\`lifeboat repair snapshots --forget\` removes it)`);
  for (const d of r.damagedRecords) cli.print(`damaged record ${d.id}: ${d.message} (\`lifeboat repair records\` removes it)`);
  for (const d of r.damagedKeys) cli.print(`damaged key ${d.id}: ${d.message} (\`lifeboat key remove ${short(d.id)}\` removes it; \`lifeboat key add\` a new password)`);
  if (r.snapshots.length + r.damagedSnapshots.length > 0) cli.print("next: `lifeboat repair snapshots --forget` rewrites these snapshots without what is lost; then `lifeboat check --read-data`");
}

function printLoss(cli: Cli, s: SnapshotLoss): void {
  const items = s.items.length > 0 ? ` (agent ${s.agent} items: ${s.items.join(", ")})` : "";
  const what = s.rootLost ? "can restore nothing: its root tree is lost" : `can no longer restore ${s.lost.length} file(s) or folder(s)${items}:`;
  cli.print(`snapshot ${short(s.id)} (${s.time}, ${s.host}, ${s.paths.join(" ")}) ${what}`);
  if (!s.rootLost) cut(cli, s.lost.map((l) => `${l.path}${l.type === "dir" ? "/" : ""}: ${l.reason}`));
}

export function printSnapshots(cli: Cli, r: RepairSnapshotsResult): void {
  for (const w of r.rewritten) {
    const verb = r.dryRun ? "would be rewritten" : `rewritten as ${w.repaired ? short(w.repaired) : "?"}`;
    cli.print(`snapshot ${short(w.id)} ${verb} without ${w.lost.length} lost file(s) or folder(s)`);
    cut(cli, w.lost.map((l) => l.path));
  }
  for (const u of r.unrepairable) cli.print(`snapshot ${short(u.id)}: its root tree is lost; nothing to keep${r.forget ? "" : " (--forget removes it)"}`);
  for (const d of r.damaged) cli.print(`snapshot ${short(d.id)} does not load: ${d.message}${r.forget ? "" : " (--forget removes it)"}`);
  if (r.removed.length > 0) cli.print(`removed ${plural(r.removed.length, "snapshot")}: ${r.removed.map(short).join(", ")}`);
  if (r.rewritten.length + r.unrepairable.length + r.damaged.length === 0) cli.print("every snapshot is whole: nothing to repair");
  else if (!r.forget && !r.dryRun) cli.print("the originals are kept (check still reports them); `--forget` removes them");
}

export function printRecords(cli: Cli, r: RepairRecordsResult): void {
  for (const d of r.damaged) cli.print(`record ${short(d.id)}: ${d.message}${r.dryRun ? " (would be removed)" : ": removed"}`);
  if (r.damaged.length === 0) cli.print("every record is intact");
  else cli.print("the approval chain now has a gap: `lifeboat drift` reports it until `lifeboat drift accept --force`");
}
