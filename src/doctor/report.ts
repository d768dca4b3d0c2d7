/**
 * @module doctor/report
 * The human report: one line per finding, marked ✓ (ok), ! (warning) or ✗ (error), with
 * its fix indented below, and a verdict line at the end.
 */
import { summarize } from "./doctor.ts";
import type { Finding, Level } from "./types.ts";

const MARK: Record<Level, string> = { ok: "✓", warn: "!", error: "✗" };

/** formatFinding renders one finding and its fix. */
export function formatFinding(f: Finding): string {
  const head = `${MARK[f.level]} ${f.check}${f.agent !== undefined ? ` [${f.agent}]` : ""}: ${f.message}`;
  return f.fix !== undefined && f.level !== "ok" ? `${head}\n    fix: ${f.fix}` : head;
}

/** formatFindings renders the whole report, verdict last. */
export function formatFindings(findings: Finding[]): string {
  const s = summarize(findings);
  const counts = [s.errors > 0 ? plural(s.errors, "error") : "", s.warnings > 0 ? plural(s.warnings, "warning") : ""].filter(Boolean).join(", ");
  const verdict = counts === "" ? `all ${findings.length} checks passed` : s.ok ? `no errors (${counts})` : counts;
  return [...findings.map(formatFinding), verdict].join("\n");
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
