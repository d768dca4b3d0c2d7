/**
 * @module runbook/shell
 * Shell text for the runbook's commands: POSIX quoting, destinations under $RESTORE_ROOT,
 * and per-database variable names. Everything here must survive copy-paste into sh, bash
 * and zsh at 3 AM, so only single quotes are used for literal text (nothing inside them is
 * ever expanded) and variables are always double-quoted.
 */
import { basename, dirname } from "node:path";
import type { ItemManifest } from "../model/agent.ts";

/** sq quotes a string for sh: inside single quotes nothing expands; a ' becomes '\''. */
export function sq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * dest is an absolute path prefixed with $RESTORE_ROOT (empty by default), so a drill can
 * restore into a scratch folder and a real recovery puts things back where they were.
 */
export function dest(path: string): string {
  return `"$RESTORE_ROOT"${sq(path)}`;
}

/** destDir is the folder a restored file goes into, created before copying. */
export function destDir(path: string): string {
  return dest(dirname(path));
}

/** inArchive is a path inside the extracted export's top folder: items/<item>/<rel>. */
export function inArchive(item: string, rel?: string): string {
  return sq(rel === undefined ? `items/${item}` : `items/${item}/${rel}`);
}

/** dbVar is the variable naming an item's database: DB_<item name, non-alphanumerics as _>. */
export function dbVar(item: string): string {
  return `DB_${item.replace(/[^A-Za-z0-9]/g, "_")}`;
}

/** fileNames are the item's captured files, as keyed in the manifest (sorted for stable output). */
export function fileNames(m: ItemManifest): string[] {
  return Object.keys(m.sha256).sort();
}

/**
 * isSingleFile: a files item that captured one file rather than a folder. The manifest keys
 * a single file by its own name (backup/capture.ts), a folder's files by their paths inside it.
 */
export function isSingleFile(m: ItemManifest): boolean {
  const names = fileNames(m);
  return m.kind !== "files" || (names.length === 1 && names[0] === basename(m.source));
}

/** singleName is the file name a one-file item is stored under in the export. */
export function singleName(m: ItemManifest): string {
  return fileNames(m)[0] ?? basename(m.source);
}

/** fence wraps lines in a fenced code block; `info` follows the backticks (e.g. "sh manual-restore"). */
export function fence(info: string, lines: string[]): string {
  return ["```" + info, ...lines, "```"].join("\n");
}

/** redactLocation hides a password written into a repository URL (user:pass@host). */
export function redactLocation(location: string): string {
  return location.replace(/(\/\/[^/:@]+):[^@/]*@/, "$1:***@");
}

/** isLocalPath: a repository or file on this machine's own file system (not s3:, sftp:, ...). */
export function isLocalPath(location: string): boolean {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(location)?.[1]?.toLowerCase();
  return scheme === undefined || scheme === "local";
}
