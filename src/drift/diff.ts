/**
 * @module drift/diff
 * Unified diffs of a file against its approved version, for a person to read in a report
 * or an alert: 3 lines of context, capped, and only for text. Binary content, files over
 * 1 MiB and diffs that take too long to compute are named, not shown.
 */
import { isUtf8 } from "node:buffer";
import { structuredPatch } from "diff";

/** Files above this size get no diff: reading both sides costs more than a report is worth. */
export const MAX_DIFF_BYTES = 1024 * 1024;

/** Diff lines kept; an alert that scrolls past a screen is not read. */
export const MAX_DIFF_LINES = 200;

/** jsdiff is O(N·D); two unrelated 1 MiB texts would block the event loop for seconds. */
const DIFF_TIMEOUT_MS = 2000;

const SNIFF_BYTES = 8 * 1024;

export type DiffOutcome = { diff: string } | { diffHidden: "binary" | "too-large" | "unavailable" };

/** isText is true for valid UTF-8 with no NUL byte in its first 8 KiB (git's binary test). */
export function isText(buf: Uint8Array): boolean {
  return !buf.subarray(0, SNIFF_BYTES).includes(0) && isUtf8(buf);
}

export interface DiffLabels {
  before: string;
  after: string;
  maxLines?: number;
}

/** unifiedDiff returns `before` → `after` as a unified diff, or null when it takes too long to compute. */
export function unifiedDiff(path: string, before: string, after: string, labels: DiffLabels): string | null {
  const patch = structuredPatch(path, path, before, after, labels.before, labels.after, { context: 3, timeout: DIFF_TIMEOUT_MS });
  if (patch === undefined) return null;
  const lines = [`--- ${path}\t${labels.before}`, `+++ ${path}\t${labels.after}`];
  for (const h of patch.hunks) {
    lines.push(`@@ -${range(h.oldStart, h.oldLines)} +${range(h.newStart, h.newLines)} @@`, ...h.lines);
  }
  return cap(lines, labels.maxLines ?? MAX_DIFF_LINES);
}

/** range prints a hunk range as jsdiff's formatPatch does: an empty side starts one line earlier. */
function range(start: number, count: number): string {
  return `${count === 0 ? start - 1 : start},${count}`;
}

function cap(lines: string[], max: number): string {
  if (lines.length <= max) return lines.join("\n");
  return [...lines.slice(0, max), `… ${lines.length - max} more lines`].join("\n");
}

/**
 * diffContent diffs two versions of a file; null on either side is an absent file (a diff
 * against nothing), undefined a version that could not be read.
 */
export function diffContent(path: string, before: Buffer | null | undefined, after: Buffer | null | undefined, labels: DiffLabels): DiffOutcome {
  if (before === undefined || after === undefined) return { diffHidden: "unavailable" };
  if ((before?.length ?? 0) > MAX_DIFF_BYTES || (after?.length ?? 0) > MAX_DIFF_BYTES) return { diffHidden: "too-large" };
  if ((before !== null && !isText(before)) || (after !== null && !isText(after))) return { diffHidden: "binary" };
  const diff = unifiedDiff(path, before?.toString("utf8") ?? "", after?.toString("utf8") ?? "", labels);
  return diff === null ? { diffHidden: "too-large" } : { diff };
}
