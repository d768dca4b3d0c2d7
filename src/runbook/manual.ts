/**
 * @module runbook/manual
 * The by-hand restore from an export (src/export/format.ts) with only sha256sum, tar,
 * age, sqlite3 and psql: one fenced block, info string "sh manual-restore", that runs
 * top to bottom with `sh -e` from the folder holding the archive. Tests extract and run
 * it, so its variables (ARCHIVE, RESTORE_ROOT, AGE, AGE_KEY, DB_<item>) are a contract:
 * docs/runbook.md lists them.
 */
import { RESTORE_ORDER, type AgentManifest, type ItemManifest } from "../model/agent.ts";
import { dbVar, dest, destDir, fence, fileNames, inArchive, isSingleFile, singleName, sq } from "./shell.ts";

export interface ManualOptions {
  /** The archive's top folder and file name without extension: lifeboat-<agent>-<stamp>. */
  baseName: string;
  secretsEncrypted: boolean;
  /** The agent's stop command, shown as a reminder (never run by the block). */
  stop?: string | undefined;
}

/** ordered sorts items into restore order (secrets, config, databases, then files), stable. */
export function ordered(items: readonly ItemManifest[]): ItemManifest[] {
  const rank = (m: ItemManifest) => RESTORE_ORDER.indexOf(m.class);
  return items.map((m, i) => ({ m, i })).sort((a, b) => rank(a.m) - rank(b.m) || a.i - b.i).map((x) => x.m);
}

/** oneLine keeps a value on one comment line (a command text may hold newlines). */
const oneLine = (s: string) => s.replace(/\s*\n\s*/g, " ");

/** preamble: variables a drill or test overrides from the environment, then archive check and unpack. */
function preamble(m: AgentManifest, o: ManualOptions): string[] {
  const dbs = m.items.filter((i) => i.kind === "postgres").map((i) => `${dbVar(i.name)}="\${${dbVar(i.name)}:-}"; [ -n "$${dbVar(i.name)}" ] || ${dbVar(i.name)}=${sq(i.source)}`);
  return [
    `# Restore agent ${m.agent} by hand. Run from the folder that holds the archive.`,
    "set -eu",
    `TOP=${sq(o.baseName)}`,
    `ARCHIVE="\${ARCHIVE:-}"      # the archive file; found automatically (.tar.gz or .tar.zst)`,
    `[ -n "$ARCHIVE" ] || { if [ -f "$TOP.tar.zst" ]; then ARCHIVE="$TOP.tar.zst"; else ARCHIVE="$TOP.tar.gz"; fi; }`,
    `RESTORE_ROOT="\${RESTORE_ROOT:-}"   # empty: put everything back where it was; a folder: restore under it instead`,
    `case "$RESTORE_ROOT" in ""|/*) ;; *) RESTORE_ROOT="$PWD/$RESTORE_ROOT" ;; esac`,
    `AGE="\${AGE:-age}"            # or rage`,
    `AGE_KEY="\${AGE_KEY:-}"       # your age identity file (from age-keygen); empty: age asks for the export passphrase`,
    ...(dbs.length ? ["# PostgreSQL: the usual PGHOST, PGPORT, PGUSER, PGPASSWORD apply; DB_<item> renames a database", ...dbs] : []),
    `decrypt() { if [ -n "$AGE_KEY" ]; then "$AGE" -d -i "$AGE_KEY" -o "$2" "$1"; else "$AGE" -d -o "$2" "$1"; fi; }`,
    "",
    "# 1. Check the archive is intact (a FAILED line means a damaged copy: use another copy)",
    `sha256sum -c "$ARCHIVE.sha256"`,
    "# 2. Unpack it and go into its folder",
    `case "$ARCHIVE" in *.zst) tar --zstd -xf "$ARCHIVE" ;; *) tar xzf "$ARCHIVE" ;; esac`,
    `cd "$TOP"`,
    `# 3. Make sure the agent is NOT running${o.stop ? ` (its stop command: ${oneLine(o.stop)})` : ""}`,
  ];
}

/** secretLines restores a secret file: decrypted (or copied when the export kept it plain), mode 0600. */
function secretFile(item: string, rel: string, to: string, toDir: string, encrypted: boolean): string[] {
  return [
    `mkdir -p ${toDir}`,
    encrypted ? `decrypt ${inArchive(item, `${rel}.age`)} ${to}` : `cp ${inArchive(item, rel)} ${to}`,
    `chmod 600 ${to}`,
  ];
}

function filesLines(m: ItemManifest, encrypted: boolean): string[] {
  const enc = encrypted && m.secret;
  if (isSingleFile(m)) {
    const name = singleName(m);
    if (m.secret) return secretFile(m.name, name, dest(m.source), destDir(m.source), enc);
    return [`mkdir -p ${destDir(m.source)}`, `cp -p ${inArchive(m.name, name)} ${dest(m.source)}`];
  }
  if (enc) {
    // A folder of secrets is encrypted file by file: decrypt each into place.
    return [`mkdir -p ${dest(m.source)}`, ...fileNames(m).flatMap((rel) =>
      secretFile(m.name, rel, dest(`${m.source}/${rel}`), destDir(`${m.source}/${rel}`), true))];
  }
  const lines = [`mkdir -p ${dest(m.source)}`, `cp -a ${inArchive(m.name, ".")} ${dest(`${m.source}/`)}`];
  return m.secret ? [...lines, `chmod -R go-rwx ${dest(m.source)}`] : lines;
}

function sqliteLines(m: ItemManifest): string[] {
  const file = inArchive(m.name, singleName(m));
  const to = dest(m.source);
  return [
    `test "$(sqlite3 ${file} 'PRAGMA integrity_check')" = ok   # stops here if this copy of the database is damaged`,
    `mkdir -p ${destDir(m.source)}`,
    // A leftover -wal beside the restored file would be replayed into it and corrupt it.
    `rm -f ${dest(`${m.source}-wal`)} ${dest(`${m.source}-shm`)} ${dest(`${m.source}-journal`)}`,
    `cp ${file} ${to}`,
  ];
}

function postgresLines(m: ItemManifest): string[] {
  const db = `"$${dbVar(m.name)}"`;
  return [
    `createdb ${db} || echo "createdb failed: fine if the database already exists (the dump replaces its tables)"`,
    `psql -X -q -v ON_ERROR_STOP=1 -d ${db} -f ${inArchive(m.name, singleName(m))}`,
  ];
}

/** itemLines are the commands that put one item back. */
export function itemLines(m: ItemManifest, secretsEncrypted: boolean): string[] {
  switch (m.kind) {
    case "secret": return secretFile(m.name, singleName(m), dest(m.source), destDir(m.source), secretsEncrypted);
    case "files": return filesLines(m, secretsEncrypted);
    case "sqlite": return sqliteLines(m);
    case "postgres": return postgresLines(m);
    case "command": return [`test -f ${inArchive(m.name, singleName(m))}   # output of: ${oneLine(m.source)} (read it; nothing to put back)`];
  }
}

/** where says in a comment where an item goes. */
function where(m: ItemManifest): string {
  if (m.kind === "postgres") return `PostgreSQL database ${m.source}`;
  if (m.kind === "command") return "reference only";
  return oneLine(m.source);
}

/** manualBlock renders the whole "sh manual-restore" fenced block. */
export function manualBlock(m: AgentManifest, o: ManualOptions): string {
  const lines = preamble(m, o);
  ordered(m.items).forEach((item, i) => {
    const body = itemLines(item, o.secretsEncrypted).filter((l, j, all) => !l.startsWith("mkdir -p ") || all.indexOf(l) === j);
    lines.push("", `# ${i + 4}. ${item.name} (${item.kind}, ${item.class}) -> ${where(item)}`, ...body);
  });
  for (const s of m.skipped) lines.push(`# not in this backup: ${s.name}: ${oneLine(s.reason)}`);
  lines.push("", `echo "agent ${m.agent.replace(/["$`\\]/g, "")} restored under \${RESTORE_ROOT:-/}; now check it (next section)"`);
  return fence("sh manual-restore", lines);
}
