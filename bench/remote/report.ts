/**
 * @module bench/remote/report
 * Types of bench/remote.ts's raw JSON and its markdown tables: timings per backend × tool,
 * lifeboat ÷ restic ratios, and lifeboat's backend requests per op with an arithmetic
 * estimate of what those requests would cost at a given round-trip time.
 *
 *   node_modules/.bin/node bench/remote/report.ts bench/out/remote-<stamp>.json   re-print a saved run
 */
import { readFileSync } from "node:fs";
import type { GenerateStats } from "../generate.ts";
import type { Timed } from "../proc.ts";

export type Tool = "lifeboat-16MiB" | "lifeboat-4MiB" | "restic";
export type Backend = "sftp" | "s3";
export type Step = "backupInitial" | "backupChange" | "restore";

export interface Combo {
  backend: Backend;
  tool: Tool;
  steps: Partial<Record<Step, Timed>>;
  /** lifeboat only: step → op (and "op type") → backend requests. */
  requests: Partial<Record<Step | "init", Record<string, number>>>;
  repoBytes?: number;
  repoObjects?: number;
  restoreCheck?: { entries: number; missing: number; extra: number; mismatch: number };
}

export interface RemoteReport {
  date: string;
  args: { scale: number; seed: number; dropCaches: boolean };
  /** "backend/tool" → why it was not measured. */
  skipped: Record<string, string>;
  machine: Record<string, string>;
  tree: GenerateStats;
  change: { modified: number; added: number; bytesWritten: number };
  combos: Combo[];
}

const OPS = ["save", "load", "list", "stat", "remove"];
/** Round-trip time for the arithmetic latency estimate, and lifeboat's default parallelism. */
const RTT_MS = 20;
const CONNECTIONS = 5;

const s = (m: Timed | undefined) => (m ? m.wallS.toFixed(2) : "–");
const mib = (m: Timed | undefined) => (m ? (m.maxRssKB / 1024).toFixed(0) : "–");
const r2 = (a: number | undefined, b: number | undefined) => (a !== undefined && b ? (a / b).toFixed(2) : "–");

export function renderReport(rep: RemoteReport): string {
  const out: string[] = [];
  const t = rep.tree;
  out.push(`Tree: ${t.files} files, ${(t.bytes / 1e6).toFixed(1)} MB (scale ${rep.args.scale}, seed ${rep.args.seed}); ` +
    `small change: ${rep.change.modified} files modified, ${rep.change.added} added, ${(rep.change.bytesWritten / 1e6).toFixed(2)} MB written. ` +
    `Page cache ${rep.args.dropCaches ? "dropped before every measured command" : "NOT dropped (no permission)"}.\n`);
  out.push("| backend | tool | initial backup s | initial backup peak RSS MiB | 2nd backup s | restore s | restore peak RSS MiB | repo on server MB (objects) | restore check |");
  out.push("|---|---|---:|---:|---:|---:|---:|---:|---|");
  for (const c of rep.combos) {
    const rc = c.restoreCheck;
    const ok = rc ? (rc.missing + rc.mismatch === 0 ? `ok (${rc.entries} entries)` : `**FAILED** ${rc.missing} missing, ${rc.mismatch} differ`) : "–";
    out.push(`| ${c.backend} | ${c.tool} | ${s(c.steps.backupInitial)} | ${mib(c.steps.backupInitial)} | ${s(c.steps.backupChange)} | ${s(c.steps.restore)} | ` +
      `${mib(c.steps.restore)} | ${c.repoBytes !== undefined ? (c.repoBytes / 1e6).toFixed(1) : "–"} (${c.repoObjects ?? "?"}) | ${ok} |`);
  }
  const skipped = Object.entries(rep.skipped ?? {});
  for (const [k] of skipped) out.push(`| ${k.replace("/", " | ")} | – | – | – | – | – | – | not measured (below) |`);
  for (const [k, why] of skipped) out.push(`\n${k} not measured: ${why}.`);
  out.push("\nRatios lifeboat ÷ restic on the same backend (below 1: lifeboat faster / smaller):\n");
  out.push("| backend | tool | initial backup | initial RSS | 2nd backup | restore | restore RSS | repo size |");
  out.push("|---|---|---:|---:|---:|---:|---:|---:|");
  for (const c of rep.combos) {
    if (c.tool === "restic") continue;
    const rs = rep.combos.find((x) => x.backend === c.backend && x.tool === "restic");
    if (!rs) continue;
    const w = (k: Step) => r2(c.steps[k]?.wallS, rs.steps[k]?.wallS);
    const m = (k: Step) => r2(c.steps[k]?.maxRssKB, rs.steps[k]?.maxRssKB);
    out.push(`| ${c.backend} | ${c.tool} | ${w("backupInitial")} | ${m("backupInitial")} | ${w("backupChange")} | ${w("restore")} | ${m("restore")} | ${r2(c.repoBytes, rs.repoBytes)} |`);
  }
  out.push(`\nlifeboat backend requests per op (LIFEBOAT_BACKEND_LOG=1). The last column is arithmetic, not a measurement: ` +
    `requests × ${RTT_MS} ms ÷ ${CONNECTIONS} parallel connections, i.e. the added wall time if every request paid one ${RTT_MS} ms round trip.\n`);
  out.push(`| backend | tool | step | ${OPS.join(" | ")} | total | + at ${RTT_MS} ms RTT (est.) |`);
  out.push(`|---|---|---|${OPS.map(() => "---:").join("|")}|---:|---:|`);
  for (const c of rep.combos) {
    if (c.tool === "restic") continue;
    for (const step of ["backupInitial", "backupChange", "restore"] as const) {
      const r = c.requests[step] ?? {};
      const total = OPS.reduce((a, op) => a + (r[op] ?? 0), 0);
      out.push(`| ${c.backend} | ${c.tool} | ${step} | ${OPS.map((op) => r[op] ?? 0).join(" | ")} | ${total} | ${((total * RTT_MS) / CONNECTIONS / 1000).toFixed(1)} s |`);
    }
  }
  return out.join("\n");
}

export function printReport(rep: RemoteReport): void {
  console.log(renderReport(rep));
}

if (process.argv[1] === new URL(import.meta.url).pathname && process.argv[2]) {
  printReport(JSON.parse(readFileSync(process.argv[2], "utf8")) as RemoteReport);
}
