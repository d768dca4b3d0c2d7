/**
 * @module drift/render
 * Drift for people: the terminal report and the alert text. Both come from the same
 * report, whose secret findings carry no content and no hashes, so neither can leak one.
 */
import type { DriftRun } from "./run.ts";
import type { FileFinding } from "./types.ts";

const STATUS_WIDTH = 9;

/** renderRun is the terminal report of one agent's drift check. */
export function renderRun(r: DriftRun, opts: { diffs: boolean }): string {
  const lines = [headline(r)];
  for (const t of r.tampered) lines.push(`  TAMPERED  ${t.problem}`);
  for (const f of r.report?.files ?? []) lines.push(...fileLines(f, opts.diffs));
  for (const d of r.report?.databases ?? []) {
    for (const v of d.violations) lines.push(`  ${"rows".padEnd(STATUS_WIDTH)} ${d.item}.${d.table}: ${d.before ?? "-"} → ${d.after ?? "-"}  [${v.rule}] ${v.message}`);
  }
  for (const p of r.report?.patterns ?? []) lines.push(`  ${"pattern".padEnd(STATUS_WIDTH)} ${p.pattern} (${p.severity}): ${p.message}`);
  for (const n of r.report?.notes ?? []) lines.push(`  note: ${n}`);
  if (r.state === "drift" || r.state === "tampered") lines.push(`  review the changes; if they are wanted: lifeboat drift accept --agent ${r.agent} --reason "why" [FILES...]`);
  if (r.state === "no-baseline") lines.push(`  approve the current state: lifeboat drift accept --agent ${r.agent} --reason "first baseline"`);
  return lines.join("\n");
}

function headline(r: DriftRun): string {
  const against = r.approval ? ` against approval ${r.approval.seq} (${r.approval.time.slice(0, 16).replace("T", " ")}, by ${r.approval.by}: ${r.approval.reason})` : "";
  const c = r.report?.counts;
  const counts = c ? `: ${c.changed} changed, ${c.added} added, ${c.removed} removed, ${c.violations} rule(s) broken` : "";
  const word = { clean: "clean", drift: "DRIFT", tampered: "BASELINE TAMPERED", "no-baseline": "no approved baseline" }[r.state];
  return `${r.agent}: ${word}${against}${counts}`;
}

function fileLines(f: FileFinding, diffs: boolean): string[] {
  const rules = f.violations.map((v) => `[${v.rule}] ${v.message}`);
  const head = `  ${f.status.padEnd(STATUS_WIDTH)} ${f.path} (${f.class})${rules.length ? `  ${rules.join("; ")}` : ""}`;
  const out = [head];
  if (f.diffHidden === "secret") out.push("            (secret: content not shown)");
  else if (diffs && f.diff) out.push(...f.diff.trimEnd().split("\n").map((l) => `      ${l}`));
  return out;
}

/** alertText is the body of a drift_found alert: what broke, with short diffs of identity files. */
export function alertText(r: DriftRun, maxDiffLines = 40): string {
  const lines: string[] = [];
  for (const t of r.tampered) lines.push(`TAMPERED: ${t.problem}`);
  for (const f of r.report?.files ?? []) {
    for (const v of f.violations) lines.push(`${v.severity === "critical" ? "!!" : "!"} ${v.message}`);
    if (f.violations.length > 0 && f.diff && f.class === "identity") lines.push(...f.diff.split("\n").slice(0, maxDiffLines));
  }
  for (const d of r.report?.databases ?? []) for (const v of d.violations) lines.push(`! ${v.message}`);
  for (const p of r.report?.patterns ?? []) lines.push(`known failure "${p.pattern}": ${p.message}`);
  lines.push(`review with \`lifeboat drift --agent ${r.agent}\`; approve wanted changes with \`lifeboat drift accept --agent ${r.agent} --reason "..."\``);
  return lines.join("\n");
}

/** fingerprint names what is wrong, so the same drift is one alert and new drift is another. */
export function fingerprint(r: DriftRun): string {
  const parts = [
    ...r.tampered.map((t) => `tampered:${t.id}`),
    ...(r.report?.files ?? []).flatMap((f) => f.violations.map((v) => `${f.path}:${v.rule}`)),
    ...(r.report?.databases ?? []).flatMap((d) => d.violations.map((v) => `${d.item}.${d.table}:${v.rule}`)),
    ...(r.report?.patterns ?? []).map((p) => `pattern:${p.pattern}`),
  ];
  return parts.sort().join("|");
}
