/**
 * @module drift/rules
 * What each drift class expects, as rules a file or table can break. Identity, config and
 * secrets must match the approved baseline. Memory and continuity may change but must not
 * shrink or vanish; their reference is the larger of the baseline and the newest snapshot,
 * because memory grows after an approval and a truncation since the last backup must still
 * show. Rules see sizes and row counts only, never content.
 */
import { baseName } from "./classify.ts";
import type { DriftClass, DriftPolicy, FileStatus, TableEntry, Violation } from "./types.ts";

/** Sides is one path (or table) as the approved baseline, the newest snapshot and the disk hold it. */
export interface Sides<T> {
  baseline?: T | undefined;
  latest?: T | undefined;
  live?: T | undefined;
}

export interface RuleContext {
  policy: Pick<DriftPolicy, "shrink">;
  /** Describes the approval: "2026-11-20, by ana: new tone". */
  baselineLabel: string;
  /** Describes the newest snapshot: "2026-11-21 14:00". */
  latestLabel?: string | undefined;
}

/** fileStatus compares with the baseline; a file known only to the newest snapshot and gone now is removed. */
export function fileStatus(s: Sides<TableEntry>): FileStatus {
  if (s.live === undefined) return s.baseline !== undefined || s.latest !== undefined ? "removed" : "unchanged";
  if (s.baseline === undefined) return "added";
  return s.baseline.sha256 === s.live.sha256 ? "unchanged" : "changed";
}

/** reference picks the larger of baseline and latest (the baseline on a tie), with how to name it. */
export function reference<T>(s: Sides<T>, size: (v: T) => number, ctx: RuleContext): { value: T; since: string } | undefined {
  const b = s.baseline;
  const l = s.latest;
  if (l !== undefined && (b === undefined || size(l) > size(b))) {
    return { value: l, since: `the snapshot of ${ctx.latestLabel ?? "the newest snapshot"}` };
  }
  return b === undefined ? undefined : { value: b, since: `the approved baseline (${ctx.baselineLabel})` };
}

/** BOOTSTRAP.md's own last line tells the agent to delete it: its removal is the ritual ending. */
const DELETE_EXPECTED = new Set(["BOOTSTRAP.md"]);

/**
 * fileViolations applies `cls`'s rules to one path. `moved` says a live file elsewhere
 * holds the reference's exact content (OpenClaw renames reset transcripts): not a loss.
 */
export function fileViolations(path: string, cls: DriftClass, s: Sides<TableEntry>, ctx: RuleContext, moved = false): Violation[] {
  const status = fileStatus(s);
  const approved = (rule: "identity-unapproved" | "config-unapproved" | "secret-changed", severity: Violation["severity"], tail = ""): Violation[] => {
    if (status === "unchanged" || (s.baseline === undefined && s.live === undefined)) return [];
    if (status === "removed" && DELETE_EXPECTED.has(baseName(path))) return [];
    return [{ rule, severity, message: `${path} ${VERB[status]} since the approved baseline (${ctx.baselineLabel})${tail}` }];
  };
  switch (cls) {
    case "identity": return approved("identity-unapproved", "critical");
    case "config": return approved("config-unapproved", "warning");
    case "secret": return approved("secret-changed", "warning", "; its content is never shown");
    case "memory": return shrinkRules(path, s, ctx, moved, "memory-shrunk", "critical", "memory-removed");
    case "continuity": return shrinkRules(path, s, ctx, moved, "continuity-shrunk", "warning", "continuity-removed");
    case "other": return [];
  }
}

const VERB: Record<FileStatus, string> = { unchanged: "is unchanged", changed: "changed", added: "appeared", removed: "was deleted" };

function shrinkRules(
  path: string, s: Sides<TableEntry>, ctx: RuleContext, moved: boolean,
  shrunk: "memory-shrunk" | "continuity-shrunk", severity: Violation["severity"], removed: "memory-removed" | "continuity-removed",
): Violation[] {
  const ref = reference(s, (e) => e.size, ctx);
  if (ref === undefined) return [];
  const was = ref.value.size;
  if (s.live === undefined) {
    if (moved) return [];
    return [{ rule: removed, severity: "critical", message: `${path} was deleted (${formatSize(was)} in ${ref.since})` }];
  }
  const now = s.live.size;
  if (now >= was * (1 - ctx.policy.shrink) || now >= was) return [];
  return [{ rule: shrunk, severity, message: `${path} shrank ${percent(was, now)}% (${formatSize(was)} → ${formatSize(now)}) since ${ref.since}` }];
}

/** tableViolations checks one table's row count against the larger of baseline and latest. */
export function tableViolations(item: string, table: string, s: Sides<number>, ctx: RuleContext): Violation[] {
  const ref = reference(s, (n) => n, ctx);
  if (ref === undefined || ref.value === 0) return [];
  const was = ref.value;
  if (s.live === undefined) {
    return [{ rule: "rows-dropped", severity: "critical", message: `${item}: table ${table} is gone (${rows(was)} in ${ref.since})` }];
  }
  if (s.live >= was * (1 - ctx.policy.shrink)) return [];
  return [{ rule: "rows-dropped", severity: "critical", message: `${item}: table ${table} lost ${percent(was, s.live)}% of its rows (${rows(was)} → ${rows(s.live)}) since ${ref.since}` }];
}

const rows = (n: number) => `${n} ${n === 1 ? "row" : "rows"}`;

export function percent(was: number, now: number): number {
  return Math.round((1 - now / was) * 100);
}

/** formatSize prints sizes for one-line messages: "512 B", "18.2 KiB", "3.1 MiB" (binary units, as ui/format). */
export function formatSize(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024;
  let u = 0;
  while (v >= 1023.95 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}
