/**
 * @module export/format
 * The portable export archive: what `lifeboat export` writes and `lifeboat import` reads. A
 * person with only tar, sqlite3, psql and age (or rage) can restore from it by following its
 * RUNBOOK.md; lifeboat checks it against manifest.json. docs/export.md documents it for users.
 *
 * Layout (one top folder, so `tar xf` never scatters files):
 *
 *   lifeboat-<agent>-<stamp>/manifest.json      ExportManifest (below), pretty-printed
 *   lifeboat-<agent>-<stamp>/RUNBOOK.md          the recovery runbook as of the snapshot
 *   lifeboat-<agent>-<stamp>/items/<item>/...    each item's content:
 *     files    the item's tree (a single-file item: that one file)
 *     sqlite   the database file (a consistent copy; open it with sqlite3)
 *     postgres <database>.sql, a plain SQL dump (`psql -d DB -f <database>.sql`)
 *     secret   <file>.age (age-encrypted), or <file> with --plain-secrets
 *     command  the command's output file
 *
 * The archive file is `lifeboat-<agent>-<stamp>.tar.gz` (or `.tar.zst`) with a
 * `<archive>.sha256` beside it in sha256sum format. <stamp> is the snapshot's UTC time as
 * YYYYMMDDTHHMMSSZ.
 */
import type { ItemClass, ItemKind } from "../model/agent.ts";

export const EXPORT_FORMAT = "lifeboat-export";
export const EXPORT_VERSION = 1;

/** ExportItem describes one item in the archive. */
export interface ExportItem {
  name: string;
  kind: ItemKind;
  class: ItemClass;
  /** Where it lived: an absolute path, or the database name for postgres. */
  source: string;
  /** Its folder in the archive, relative to the top folder: `items/<name>`. */
  path: string;
  files: number;
  bytes: number;
  /**
   * sha256 of every file as stored in the archive, by path relative to `path`. For an
   * encrypted secret this is the hash of the .age file: a hash of a secret's plaintext would
   * let anyone holding the archive test guesses of it.
   */
  sha256: Record<string, string>;
  secret: boolean;
  /** "age" when the item's files are age-encrypted (recipient or passphrase), else "none". */
  encryption: "age" | "none";
  versions?: Record<string, string | number>;
  rowCounts?: Record<string, number>;
}

/** ExportManifest is manifest.json. */
export interface ExportManifest {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  agent: string;
  preset: string;
  /** The agent's root when it was backed up. */
  root: string;
  host: string;
  /** When the snapshot was taken (ISO 8601, UTC). */
  time: string;
  /** When the export was written. */
  exportedAt: string;
  snapshot: string;
  tool: string;
  items: ExportItem[];
  skipped: { name: string; reason: string }[];
  notCovered: string[];
}

/** stampOf renders an ISO time as the archive name's UTC stamp, e.g. 20261122T051200Z. */
export function stampOf(iso: string): string {
  return new Date(iso).toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
}

/** archiveBaseName is `lifeboat-<agent>-<stamp>`: the file name without extension, and the top folder. */
export function archiveBaseName(agent: string, iso: string): string {
  return `lifeboat-${agent}-${stampOf(iso)}`;
}
