/** @module cli/commands/forget — `lifeboat forget --keep-...`: remove snapshots by policy. */
import { applyPolicy, formatGroupKey, groupSnapshots, isEmptyPolicy, parseGroupBy, validatePolicy, type KeepPolicy } from "../../forget/index.ts";
import { LifeboatError } from "../../errors/index.ts";
import { shortId } from "../../model/index.ts";
import { loadSnapshots } from "../../repository/snapshots.ts";
import { prune } from "../../prune/prune.ts";
import { helpText } from "../context.ts";
import type { Register } from "./index.ts";
import { printPrune } from "./prune.ts";

interface ForgetFlags {
  keepLast?: string; keepHourly?: string; keepDaily?: string; keepWeekly?: string; keepMonthly?: string; keepYearly?: string;
  keepWithin?: string; keepTag: string[]; groupBy: string; prune?: boolean; dryRun?: boolean;
}

function toPolicy(o: ForgetFlags): KeepPolicy {
  const n = (v: string | undefined, flag: string) => {
    if (v === undefined) return undefined;
    if (!/^-?\d+$/.test(v)) throw new LifeboatError(`--${flag} takes a whole number, got "${v}"`);
    return Number(v);
  };
  const p: KeepPolicy = {
    last: n(o.keepLast, "keep-last"), hourly: n(o.keepHourly, "keep-hourly"), daily: n(o.keepDaily, "keep-daily"),
    weekly: n(o.keepWeekly, "keep-weekly"), monthly: n(o.keepMonthly, "keep-monthly"), yearly: n(o.keepYearly, "keep-yearly"),
    within: o.keepWithin, tags: o.keepTag.length > 0 ? o.keepTag : undefined,
  };
  try { validatePolicy(p); } catch (cause) { throw new LifeboatError((cause as Error).message, { cause }); }
  return p;
}

export const registerForget: Register = (program, cli) => {
  program.command("forget")
    .description("remove snapshots according to a retention policy (calendar rules as restic)")
    .option("--keep-last <n>", "keep the n newest snapshots")
    .option("--keep-hourly <n>", "keep the newest snapshot of each of the last n hours that have one")
    .option("--keep-daily <n>", "… of each of the last n days that have one (UTC)")
    .option("--keep-weekly <n>", "… of the last n ISO weeks")
    .option("--keep-monthly <n>", "… of the last n months")
    .option("--keep-yearly <n>", "… of the last n years")
    .option("--keep-within <duration>", "keep snapshots younger than this, relative to the newest (e.g. 2d, 1y6m)")
    .option("--keep-tag <tag>", "keep snapshots with this tag (repeatable)", (v: string, a: string[]) => [...a, v], [] as string[])
    .option("--group-by <fields>", "group snapshots by host,paths,agent,tags (agent snapshots group by agent)", "host,agent,paths")
    .option("--prune", "run prune afterwards")
    .option("-n, --dry-run", "only show what would be removed, and why each kept snapshot stays")
    .addHelpText("after", helpText([
      "lifeboat forget --keep-hourly 24 --keep-daily 7 --keep-weekly 4 --dry-run",
      "lifeboat forget --keep-within 2d --keep-daily 30 --prune",
    ]))
    .action(async (o: ForgetFlags) => {
      const policy = toPolicy(o);
      if (isEmptyPolicy(policy)) throw new LifeboatError("no retention rule given; refusing to forget every snapshot", { hint: "add --keep-last, --keep-daily, ..." });
      const by = parseGroupBy(o.groupBy);
      await cli.withRepo(async (repo) => {
        const lock = o.dryRun ? null : await repo.lock({ exclusive: true, waitMs: cli.lockWaitMs(), signal: cli.signal });
        try {
          const { snapshots } = await loadSnapshots(repo, cli.signal);
          const groups = groupSnapshots(snapshots, by).map((g) => ({ key: g.key, ...applyPolicy(g.snapshots, policy) }));
          const out = groups.map((g) => ({
            group: g.key,
            keep: g.keep.map((k) => ({ id: k.snapshot.id, time: k.snapshot.time, reasons: k.reasons })),
            remove: g.remove.map((r) => ({ id: r.snapshot.id, time: r.snapshot.time })),
          }));
          for (const g of groups) {
            cli.print(`snapshots for ${formatGroupKey(g.key)}:`);
            for (const k of g.keep) cli.print(`  keep    ${shortId(k.snapshot.id!)}  ${k.snapshot.time}  ${k.reasons.join(", ")}`);
            for (const r of g.remove) cli.print(`  remove  ${shortId(r.snapshot.id!)}  ${r.snapshot.time}`);
          }
          const doomed = groups.flatMap((g) => g.remove.map((r) => r.snapshot.id!));
          if (!o.dryRun) for (const id of doomed) await repo.backend.remove({ type: "snapshot", name: id }, { signal: cli.signal });
          cli.print(o.dryRun ? `would remove ${doomed.length} snapshot(s) (dry run)` : `removed ${doomed.length} snapshot(s)`);
          const pruned = o.prune && !o.dryRun && doomed.length > 0 ? await prune(repo, { signal: cli.signal }) : null;
          if (pruned) printPrune(cli, pruned);
          cli.emit({ message_type: "summary", dry_run: !!o.dryRun, groups: out, removed: doomed.length, prune: pruned });
        } finally {
          await lock?.release();
        }
      });
    });
};
