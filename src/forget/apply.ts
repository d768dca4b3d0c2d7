/**
 * @module forget/apply
 * Evaluates a KeepPolicy over one group of snapshots with restic's semantics
 * (restic internal/data/snapshot_policy.go, doc/060_forget.rst):
 *
 * - Snapshots are ordered newest first by their stored `time` (ties: by id, so the result
 *   does not depend on listing order).
 * - `last N` keeps the N newest. `hourly|daily|weekly|monthly|yearly N` walk newest→oldest
 *   and keep a snapshot when its UTC period differs from the previous snapshot the rule kept,
 *   while the rule has count left. Only periods holding a snapshot count: keep-daily 7 over a
 *   series with gaps keeps the newest snapshot of each of the 7 newest days that HAVE one.
 * - If a count rule still has count left when the walk reaches the oldest snapshot, that
 *   snapshot is kept too ("oldest daily snapshot"), as restic ≥ 0.17 does, so an unfilled
 *   rule retains the longest history it can.
 * - `within D` keeps snapshots strictly newer than (newest snapshot time − D). The newest
 *   time ignores snapshots dated in the future (clock skew), as restic does.
 * - `tags` keeps snapshots carrying all tags of any one entry.
 * - A snapshot is removed only when no rule keeps it; an empty policy keeps everything.
 */

import type { Snapshot } from "../model/index.ts";
import { parseSnapshotTime, periodKey, withinCutoff, type SnapshotTime } from "./period.ts";
import {
  COUNT_RULES, formatKeepDuration, isEmptyPolicy, isZeroDuration, parseDuration, validatePolicy,
  type CountRule, type KeepDuration, type KeepPolicy,
} from "./policy.ts";

/** KeptSnapshot pairs a kept snapshot with why, in restic's wording (e.g. "daily snapshot"). */
export interface KeptSnapshot {
  snapshot: Snapshot;
  reasons: string[];
}

/** PolicyResult lists kept and removed snapshots, each newest first. */
export interface PolicyResult {
  keep: KeptSnapshot[];
  remove: { snapshot: Snapshot }[];
}

export interface ApplyOptions {
  /** The current time, used only to ignore future-dated snapshots for `within`. Default: now. */
  now?: Date;
}

interface Entry {
  snapshot: Snapshot;
  time: SnapshotTime;
}

/** Bucket is the running state of one count rule during the walk. */
interface Bucket {
  rule: CountRule;
  /** Count left; -1 means unlimited. */
  count: number;
  lastKey: string | undefined;
}

/**
 * applyPolicy decides which snapshots of one group to keep. It does not mutate its input.
 * @throws Error if the policy is malformed or a snapshot time does not parse.
 */
export function applyPolicy(snapshots: Snapshot[], policy: KeepPolicy, opts: ApplyOptions = {}): PolicyResult {
  validatePolicy(policy);
  const list = sortNewestFirst(snapshots);
  const result: PolicyResult = { keep: [], remove: [] };
  if (list.length === 0) return result;
  if (isEmptyPolicy(policy)) {
    // restic's CLI never applies an empty policy (it would remove everything); keep all.
    result.keep = list.map((e) => ({ snapshot: e.snapshot, reasons: [] }));
    return result;
  }

  const tagLists = (policy.tags ?? []).map((t) => t.split(","));
  const within = policy.within === undefined ? undefined : parseDuration(policy.within);
  const isWithin = within === undefined || isZeroDuration(within)
    ? undefined
    : withinTest(list, within, opts.now ?? new Date());
  const buckets: Bucket[] = COUNT_RULES
    .filter((rule) => (policy[rule] ?? 0) !== 0)
    .map((rule) => ({ rule, count: policy[rule] ?? 0, lastKey: undefined }));

  list.forEach((entry, nr) => {
    const reasons: string[] = [];
    for (const tags of tagLists) {
      if (tags.every((t) => entry.snapshot.tags.includes(t))) reasons.push(`has tags [${tags.join(" ")}]`);
    }
    if (isWithin !== undefined && isWithin(entry)) reasons.push(isWithin.reason);
    const isOldest = nr === list.length - 1;
    for (const b of buckets) {
      const reason = bucketReason(b, entry, nr, isOldest);
      if (reason !== undefined) reasons.push(reason);
    }
    if (reasons.length > 0) result.keep.push({ snapshot: entry.snapshot, reasons });
    else result.remove.push({ snapshot: entry.snapshot });
  });
  return result;
}

/** bucketReason advances one count rule over the next-older snapshot; returns why it keeps it. */
function bucketReason(b: Bucket, entry: Entry, nr: number, isOldest: boolean): string | undefined {
  if (b.count === 0) return undefined;
  // "last" gives every snapshot its own period, so each one is new to it.
  const key = b.rule === "last" ? `#${nr}` : periodKey(b.rule, entry.time.ms);
  if (key === b.lastKey && !isOldest) return undefined;
  const base = b.rule === "last" ? "last snapshot" : `${b.rule} snapshot`;
  const reason = key === b.lastKey ? `oldest ${base}` : base;
  b.lastKey = key;
  if (b.count > 0) b.count--;
  return reason;
}

/** withinTest builds the `within` rule: newer than the newest non-future snapshot minus `d`. */
function withinTest(list: Entry[], d: KeepDuration, now: Date): ((e: Entry) => boolean) & { reason: string } {
  const nowNs = BigInt(now.getTime()) * 1_000_000n;
  const latest = list.find((e) => e.time.ns < nowNs);
  // If every snapshot is in the future, restic measures from the zero time: all are kept.
  const cutoff = latest === undefined ? undefined : withinCutoff(latest.time, d);
  const test = (e: Entry): boolean => cutoff === undefined || e.time.ns > cutoff;
  return Object.assign(test, { reason: `within ${formatKeepDuration(d)}` });
}

function sortNewestFirst(snapshots: Snapshot[]): Entry[] {
  const entries = snapshots.map((snapshot) => ({ snapshot, time: parseSnapshotTime(snapshot.time) }));
  return entries.sort((a, b) => {
    if (a.time.ns !== b.time.ns) return a.time.ns > b.time.ns ? -1 : 1;
    const ia = a.snapshot.id ?? "";
    const ib = b.snapshot.id ?? "";
    return ia < ib ? -1 : ia > ib ? 1 : 0;
  });
}
