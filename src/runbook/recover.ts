/**
 * @module runbook/recover
 * The runbook's second half: restoring with lifeboat, restoring by hand from an export,
 * checking that the agent came back, and what no backup covers. Commands are exact and in
 * order; prose around them says what each step does and what failure looks like.
 */
import { archiveBaseName } from "../export/format.ts";
import type { ItemManifest } from "../model/agent.ts";
import type { RunbookInput } from "./index.ts";
import { manualBlock, ordered } from "./manual.ts";
import { gapsOf, renderGaps } from "./notcovered.ts";
import { code } from "./sections.ts";
import { dbVar, dest, fence, isSingleFile, redactLocation, singleName, sq } from "./shell.ts";

export function withLifeboat(input: RunbookInput): string {
  const agent = sq(input.manifest.agent);
  const r = input.repository;
  const repo = r ? sq(redactLocation(r.location)) : "'WHERE-THE-REPOSITORY-IS'   # s3:..., sftp:..., or a folder";
  const pw = r?.passwordFile ? sq(r.passwordFile) : "'/path/to/a/copy/of/the/password'";
  const cmds = [
    "# 1. Install lifeboat (needs Node.js 22.16 or newer); or write `npx lifeboat` wherever `lifeboat` appears",
    "npm install -g lifeboat",
    "# 2. Tell it where the repository and its password are",
    `export LIFEBOAT_REPOSITORY=${repo}`,
    `export LIFEBOAT_PASSWORD_FILE=${pw}`,
    "# 3. List this agent's backups, newest last (this also proves the password works)",
    `lifeboat snapshots --agent ${agent}`,
    "# 4. Rehearse: prints what would go where, in order, and changes nothing",
    `lifeboat restore latest --agent ${agent} --dry-run`,
    "# 5. Restore for real: every file and database is verified before it is swapped in",
    `lifeboat restore latest --agent ${agent}`,
    "# 6. Check the machine and the agent",
    `lifeboat doctor --agent ${agent}`,
  ];
  return [
    "## Restore with lifeboat",
    "",
    "The easy way, on this machine or a new one. Run these in order:",
    "",
    fence("sh", cmds),
    "",
    `- Step 5 refuses to touch a running agent. Stop it first${input.agent?.stop ? ` (${code(input.agent.stop)})` : ""}, or add ${code("--stop-agent")} when the config knows how to stop and start it.`,
    `- To use an older backup, put its id (from step 3) instead of ${code("latest")}. To restore somewhere else, add ${code("--target DIR")}.`,
    "- A restore first saves what it replaces as a `pre-restore` snapshot, so it can be undone the same way.",
    `- On a new machine, ${code("lifeboat doctor --agent ...")} needs the agent in lifeboat.yaml: ${code(`lifeboat agent add ${input.manifest.agent} --root ${input.manifest.root}`)} adds it.`,
  ].join("\n");
}

export function byHand(input: RunbookInput): string {
  const base = input.archive?.baseName ?? archiveBaseName(input.manifest.agent, input.snapshot.time);
  const encrypted = input.archive?.secretsEncrypted ?? true;
  const head = [
    "## Restore by hand from an export (no lifeboat)",
    "",
  ];
  if (input.noBackupYet) return [...head, "No backup exists yet, so no export exists either. After the first backup, `lifeboat export` writes one."].join("\n");
  return [
    ...head,
    `When lifeboat itself cannot run, an export (${code(`${base}.tar.gz`)} or ${code(".tar.zst")}, made with ${code("lifeboat export")}) can be restored with ordinary tools: ${code("sha256sum")}, ${code("tar")}${encrypted ? `, ${code("age")}` : ""}, ${code("sqlite3")} and ${code("psql")}.`,
    "Put the archive and its `.sha256` file in one folder, `cd` there, then paste the block below (or save it as `restore.sh` and run `sh -e restore.sh`).",
    "It checks the archive, unpacks it, and puts each item back in order: secrets, configuration, databases, then files. It stops at the first error.",
    "To rehearse without touching anything, run it with `RESTORE_ROOT=/tmp/drill` first: everything then lands under that folder.",
    "",
    manualBlock(input.manifest, { baseName: base, secretsEncrypted: encrypted, stop: input.agent?.stop }),
  ].join("\n");
}

/** checkItem is how to see that one restored item is right, or null when there is nothing to run. */
function checkItem(m: ItemManifest): string[] {
  const hash = m.sha256[singleName(m)];
  if (m.kind === "sqlite") {
    return [`sqlite3 ${dest(m.source)} 'PRAGMA integrity_check'   # must print: ok`, ...(hash ? [sumLine(hash, m.source)] : [])];
  }
  if (m.kind === "postgres") {
    const first = Object.keys(m.rowCounts ?? {})[0];
    return first ? [`psql -X -d "\${${dbVar(m.name)}:-${m.source.replace(/["$`\\]/g, "")}}" -c ${sq(`SELECT count(*) FROM ${first}`)}   # expect ${m.rowCounts?.[first]}`] : [];
  }
  if (m.kind === "command" || (m.kind === "files" && !isSingleFile(m))) return [];
  return hash ? [sumLine(hash, m.source)] : [];
}

const sumLine = (hash: string, path: string) => `printf '%s  %s%s\\n' ${hash} "$RESTORE_ROOT" ${sq(path)} | sha256sum -c`;

/** folderCheck verifies a restored folder against the export's manifest.json (plain items: same hashes). */
function folderCheck(m: ItemManifest): string {
  return `jq -r --arg d "$RESTORE_ROOT"${sq(m.source)} '.items[] | select(.name == ${JSON.stringify(m.name).replace(/'/g, "")}) | .sha256 | to_entries[] | "\\(.value)  \\($d)/\\(.key)"' manifest.json | sha256sum -c --quiet`;
}

export function check(input: RunbookInput): string {
  const items = ordered(input.manifest.items);
  const lines = [`RESTORE_ROOT="\${RESTORE_ROOT:-}"   # the same as for the restore`, ...items.flatMap(checkItem)];
  const folders = items.filter((m) => m.kind === "files" && !isSingleFile(m) && !m.secret);
  const counts = items.filter((m) => m.rowCounts && Object.keys(m.rowCounts).length > 0);
  const out = [
    "## Check that it came back",
    "",
    "- **Restored with lifeboat:** `lifeboat restore` checks every file's SHA-256 and every database (integrity, row counts, table hashes) against the backup before it swaps anything in; it says so item by item. Then run " + code(`lifeboat doctor --agent ${input.manifest.agent}`) + ": every line should say ok.",
    "- **Restored by hand:** from the export's folder, check the archive's files against its manifest, then the restored files (no output from `sha256sum -c --quiet` means all equal):",
    "",
    fence("sh", [
      `jq -r '.items[] | .path as $p | .sha256 | to_entries[] | "\\(.value)  \\($p)/\\(.key)"' manifest.json | sha256sum -c --quiet`,
      ...lines, ...folders.map(folderCheck),
    ]),
  ];
  if (counts.length) out.push("", "Row counts at the time of the backup (a restored database should have exactly these):", "", ...counts.map(rowTable));
  out.push("", "Finally start the agent, talk to it, and ask it something only it would know from its memory.");
  return out.join("\n");
}

function rowTable(m: ItemManifest): string {
  const entries = Object.entries(m.rowCounts ?? {});
  const shown = entries.slice(0, 15).map(([t, n]) => `${t}: ${n}`).join(", ");
  return `- ${m.name}: ${shown}${entries.length > 15 ? `, and ${entries.length - 15} more tables` : ""}`;
}

export function notCovered(input: RunbookInput): string {
  return [
    "## Not covered",
    "",
    "A restore brings back the agent's state, not everything around it. Deal with these yourself:",
    "",
    renderGaps(gapsOf(input.manifest.notCovered, input.agent?.notCovered)),
  ].join("\n");
}
