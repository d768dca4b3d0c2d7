/**
 * @module agent/describe
 * The text `lifeboat agent detect` prints: which preset matched and why, every item it
 * would back up (kind, class, path, size), what it leaves out and why, what is skipped by
 * default, what no backup of this agent covers, and whether the agent is running.
 */
import { relative } from "node:path";
import { formatBytes } from "../ui/format.ts";
import { within } from "./presets/_fs.ts";
import type { DetectResult } from "./detect.ts";
import type { ItemSize } from "./measure.ts";
import type { Item } from "./types.ts";

export function describeDetection(r: DetectResult): string {
  const out: string[] = [];
  const variant = r.plan.variant === "" ? "" : ` (${r.plan.variant})`;
  out.push(`${r.preset}${variant} agent at ${r.root}, confidence ${r.confidence.toFixed(2)}`);
  for (const e of r.evidence) out.push(`  found: ${e}`);
  const others = r.candidates.filter((c) => c.preset !== r.preset && c.confidence > 0);
  if (others.length > 0) out.push(`  also matched: ${others.map((c) => `${c.preset} ${c.confidence.toFixed(2)}`).join(", ")}`);

  out.push("", `Would back up (${r.items.length - r.skip.length} of ${r.items.length} items):`);
  out.push(...table(r.items.map((it) => row(r, it, r.sizes.find((s) => s.name === it.name)))));

  out.push("", "Leaves out:");
  const left = [...r.excluded].sort((a, b) => b.bytes - a.bytes);
  if (left.length === 0) out.push("  nothing");
  for (const l of left) {
    const where = l.item === null ? "no item" : l.item;
    out.push(`  ${l.examples.join(", ")}${l.paths > l.examples.length ? `, ... (${l.paths} paths)` : ""} (${l.count} file${l.count === 1 ? "" : "s"}, ${formatBytes(l.bytes)}; ${where}): ${l.reason}`);
  }
  for (const name of r.skip) out.push(`  item ${name}: regenerable, skipped by default (back it up with an item override: regenerable: false)`);

  section(out, "Not covered by any backup:", r.notCovered);
  section(out, "Warnings:", r.warnings);
  section(out, "Symlinks out of the tree (stored as links, not followed):", r.externalLinks);
  const rewrites = r.plan.pathRewrites.map((p) => `${p.files} (${p.keys.join(", ")}): ${p.why}`);
  section(out, "A restore to another root rewrites absolute paths in:", rewrites);

  out.push("");
  if (r.running.length > 0) {
    out.push("RUNNING: stop the agent before a restore (restore --stop-agent):");
    for (const p of r.running) out.push(`  process ${p.pid} (${p.file})`);
  } else {
    out.push(`Not running (no live pid in ${r.plan.pidFiles.join(", ") || "any pid file"}).`);
  }
  return `${out.join("\n")}\n`;
}

function row(r: DetectResult, it: Item, size: ItemSize | undefined): string[] {
  let where = "";
  if ("path" in it) where = within(it.path, r.root) ? relative(r.root, it.path) || "." : it.path;
  else if (it.kind === "postgres") where = `postgres ${it.database}${it.url !== undefined ? ` at ${redact(it.url)}` : it.env?.PGHOST !== undefined ? ` at ${it.env.PGHOST}:${it.env.PGPORT ?? 5432}` : ""}`;
  else where = `$ ${it.command}`;
  let amount = "";
  if (size !== undefined && !size.exists) amount = "missing";
  else if (size !== undefined && "path" in it) {
    amount = it.kind === "files" && size.files !== 1 ? `${size.files} files, ${formatBytes(size.bytes)}` : formatBytes(size.bytes);
    if (size.truncated === true) amount = `≥ ${amount}`;
    if (size.walBytes !== undefined) amount += ` + ${formatBytes(size.walBytes)} WAL (open)`;
  }
  const notes = [r.skip.includes(it.name) ? "skipped: regenerable" : "", it.kind === "files" && it.class === "secret" ? "secret" : ""].filter(Boolean).join(", ");
  return [it.name, it.kind, it.class, amount, where + (notes === "" ? "" : `  [${notes}]`)];
}

/** redact hides a password in a postgres:// URL. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== "") u.password = "***";
    return u.toString();
  } catch {
    return "(unparsable URL)";
  }
}

function table(rows: string[][]): string[] {
  const widths = rows.reduce<number[]>((w, r) => r.map((c, i) => Math.max(w[i] ?? 0, c.length)), []);
  return rows.map((r) => `  ${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ")}`.trimEnd());
}

function section(out: string[], title: string, lines: string[]): void {
  if (lines.length === 0) return;
  out.push("", title);
  for (const l of lines) out.push(`  - ${l}`);
}
