/**
 * @module cli/drillrender
 * The human report of one drill: a line per item with its time and what was proven, the
 * health findings, then the recovery time. Failures are painted, and on a terminal only.
 */
import type { DrillReport } from "../drill/types.ts";
import { shortId } from "../model/index.ts";
import { formatDuration } from "../ui/index.ts";
import { paint } from "./paint.ts";

export function renderDrill(r: DrillReport, recordId: string | null): string {
  const width = Math.max(4, ...r.items.map((i) => i.name.length));
  const mark = (ok: boolean) => (ok ? paint("ok  ", "good") : paint("FAIL", "bad"));
  const lines = [`drill of ${r.agent}${r.fromScratch ? " from scratch" : ""}: snapshot ${shortId(r.snapshot)} (${r.snapshotTime.slice(0, 16).replace("T", " ")})`];
  for (const i of r.items) {
    const what = i.ok ? i.checks.join("; ") : i.error ?? "failed";
    lines.push(`  ${mark(i.ok)} ${i.name.padEnd(width)} ${formatDuration(i.ms).padStart(7)}  ${what}`);
  }
  for (const h of r.health) lines.push(`  ${mark(h.ok)} ${"health".padEnd(width)} ${"".padStart(7)}  ${h.check}: ${h.detail}`);
  for (const w of r.warnings) lines.push(`  note: ${w}`);
  const verdict = r.ok ? paint(`recovered and verified in ${formatDuration(r.recoveryMs)}`, "good") : paint(`drill FAILED after ${formatDuration(r.recoveryMs)}`, "bad");
  lines.push(`${verdict} (cleanup ${formatDuration(r.cleanupMs)})${recordId ? `; recorded as ${shortId(recordId)}` : ""}`);
  if (r.sandbox) lines.push(`kept: sandbox ${r.sandbox}${r.databases.length ? `, databases ${r.databases.join(", ")} (drop them when done)` : ""}`);
  return lines.join("\n");
}
