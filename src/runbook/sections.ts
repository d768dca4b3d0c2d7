/**
 * @module runbook/sections
 * The runbook's first half: the 3 AM summary, what the agent is made of, where it is backed
 * up, and where the password is. Each function returns one Markdown section; index.ts puts
 * them in order. Written for a reader who knows nothing about lifeboat.
 */
import { formatBytes } from "../ui/index.ts";
import type { ItemManifest } from "../model/agent.ts";
import type { RunbookInput } from "./index.ts";
import { isLocalPath, redactLocation } from "./shell.ts";
import { ageOf, frequencyOf, PART_MEANING, PARTS, partOf, utc } from "./words.ts";

/** code renders inline code that survives backticks in the value. */
export function code(s: string): string {
  const t = s.replace(/\n/g, " ");
  return t.includes("`") ? `\`\` ${t} \`\`` : `\`${t}\``;
}

/** cell escapes a value for a Markdown table cell. */
const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function backupAge(input: RunbookInput): string {
  return ageOf(input.snapshot.time, input.now ?? new Date());
}

/** restoreOneLiner is the single command that brings the agent back from the repository. */
export function restoreOneLiner(input: RunbookInput): string {
  const r = input.repository;
  const env = r ? `LIFEBOAT_REPOSITORY=${shq(redactLocation(r.location))} ${r.passwordFile ? `LIFEBOAT_PASSWORD_FILE=${shq(r.passwordFile)} ` : ""}` : "";
  return `${env}npx lifeboat restore latest --agent ${shq(input.manifest.agent)}`;
}

const shq = (s: string) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export function summary(input: RunbookInput): string {
  const m = input.manifest;
  const r = input.repository;
  const newest = input.noBackupYet
    ? "**NO BACKUP EXISTS YET.** Nothing can be restored until one is made."
    : `snapshot ${code(input.snapshot.id.slice(0, 8))}, taken ${utc(input.snapshot.time)} — ${backupAge(input)} when this runbook was written.`;
  const restore = input.noBackupYet
    ? `make the first backup now: ${code(`lifeboat backup --agent ${m.agent}`)}`
    : r ? code(restoreOneLiner(input)) : `from this export, follow "Restore by hand from an export" below (no lifeboat needed)`;
  return [
    "## If you are reading this at 3 AM",
    "",
    "Take a breath. Everything you need is on this page, in order. Nothing here deletes your backups.",
    "",
    `1. **Agent:** ${m.agent} (${m.preset} agent, its files were in ${code(m.root)} on host ${code(m.host)}).`,
    `2. **Newest backup:** ${newest}`,
    `3. **Repository (where the backups are):** ${r ? code(redactLocation(r.location)) : "not recorded in this copy — see \"Where it is backed up\""}`,
    `4. **Password:** ${passwordWhere(input)}`,
    `5. **To restore:** ${restore}`,
  ].join("\n");
}

function passwordWhere(input: RunbookInput): string {
  const r = input.repository;
  if (r?.passwordFile) return `in the file ${code(r.passwordFile)} on host ${code(input.manifest.host)} (not written here, on purpose).`;
  if (r?.passwordFrom) return `given through ${r.passwordFrom}; this runbook does not know where a copy is kept.`;
  return "not recorded in this runbook; it is wherever you keep the lifeboat password (a password manager, a printed copy).";
}

/** sizeOf describes an item's size: files and bytes, and rows for databases. */
function sizeOf(i: ItemManifest, noBackup: boolean): [string, string] {
  if (noBackup) return ["not backed up yet", ""];
  const size = `${i.files} file${i.files === 1 ? "" : "s"}, ${formatBytes(i.bytes)}`;
  if (!i.rowCounts) return [size, ""];
  const tables = Object.values(i.rowCounts);
  const rows = tables.reduce((a, b) => a + b, 0);
  return [size, `${rows.toLocaleString("en-US")} rows in ${tables.length} table${tables.length === 1 ? "" : "s"}`];
}

function whereItLives(i: ItemManifest): string {
  if (i.kind === "postgres") return `PostgreSQL database ${code(i.source)}`;
  if (i.kind === "command") return `output of ${code(i.source)}`;
  return code(i.source);
}

export function madeOf(input: RunbookInput): string {
  const m = input.manifest;
  const byPart = PARTS.map((p) => ({ p, items: m.items.filter((i) => partOf(i.class, i.kind) === p) }));
  const rows = byPart.flatMap(({ p, items }) => items.map((i) => {
    const [size, rows] = sizeOf(i, input.noBackupYet === true);
    return `| ${p} | ${cell(i.name)} | ${i.kind}${i.secret && i.kind !== "secret" ? " (secret)" : ""} | ${cell(whereItLives(i))} | ${size} | ${rows} |`;
  }));
  const lines = [
    "## What this agent is made of",
    "",
    ...byPart.map(({ p, items }) => `- **${p}** — ${PART_MEANING[p]}: ${items.length ? items.map((i) => i.name).join(", ") : "nothing recorded"}`),
    "",
    "| Part | Item | Kind | Where it lives | Size | Rows |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows,
  ];
  if (m.skipped.length) lines.push("", "Left out of the backup on purpose:", ...m.skipped.map((s) => `- ${s.name}: ${s.reason}`));
  const missing = (input.agent?.items ?? []).filter((c) => !m.items.some((i) => i.name === c.name) && !m.skipped.some((s) => s.name === c.name));
  if (missing.length && !input.noBackupYet) lines.push("", `Configured now but NOT in the newest backup (run a backup): ${missing.map((c) => c.name).join(", ")}.`);
  return lines.join("\n");
}

export function backedUp(input: RunbookInput): string {
  const r = input.repository;
  const agent = input.manifest.agent;
  const often = input.schedule ?? frequencyOf(input.recentTimes ?? []);
  const lines = ["## Where it is backed up", ""];
  lines.push(r ? `- **Repository:** ${code(redactLocation(r.location))} (encrypted; useless without the password).` : "- **Repository:** not recorded in this copy of the runbook (it travelled inside an export).");
  if (r && isLocalPath(r.location)) lines.push("- **Careful:** this repository is a folder on a disk of this machine. If the machine is lost, the backup may be lost with it: copy the repository folder to another machine or disk too (for example with `rsync -a`).");
  lines.push(`- **How often:** ${often ?? `unknown — lifeboat does not record a schedule. To back up every hour, add this line with ${code("crontab -e")}: ${code(`0 * * * * lifeboat backup --agent ${agent} --quiet`)}`}`);
  if (input.noBackupYet) {
    lines.push(`- **Newest backup:** none yet. Make one now with ${code(`lifeboat backup --agent ${agent}`)}, then run ${code(`lifeboat runbook --agent ${agent}`)} again so this page names it.`);
  } else {
    lines.push(`- **Newest backup:** snapshot ${code(input.snapshot.id)}, taken ${utc(input.snapshot.time)}, ${backupAge(input)} when this runbook was written. There may be newer ones: ${code(`lifeboat snapshots --agent ${agent}`)} lists them.`);
  }
  return lines.join("\n");
}

export function password(input: RunbookInput): string {
  const r = input.repository;
  const lines = ["## Password and keys", "", `- **Repository password:** ${passwordWhere(input)}`];
  if (r?.passwordFile && isLocalPath(r.passwordFile)) {
    lines.push("", `> **WARNING: if ${code(r.passwordFile)} on ${code(input.manifest.host)} is the only copy of the password, losing that machine means losing every backup with it.** Nobody can open the repository without the password — not you, not lifeboat's authors. Today, while the machine works, copy the password into a password manager or onto paper, and keep it with a printed copy of this runbook.`);
  }
  if (input.archive?.secretsEncrypted !== false) {
    lines.push("", "- **Exports:** secrets inside an export made with `lifeboat export` are encrypted with age. You need the age identity file (or the passphrase) the export was made with; keep it with the repository password.");
  }
  lines.push("", "This runbook never contains a password, key or secret value.");
  return lines.join("\n");
}
