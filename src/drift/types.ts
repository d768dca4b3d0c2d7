/**
 * @module drift/types
 * The vocabulary of drift detection: each file of an agent belongs to a drift class with its
 * own expectations, is compared between an approved baseline, the newest snapshot and the
 * live disk, and may break rules or match a known failure pattern.
 */

/**
 * DriftClass: identity changes rarely and only with approval; memory changes often but
 * should not shrink sharply; continuity (daily logs, transcripts, session state, database
 * rows) churns but should only grow; config and secret change rarely; other is reported only.
 */
export type DriftClass = "identity" | "memory" | "continuity" | "config" | "secret" | "other";

export const DRIFT_CLASSES: readonly DriftClass[] = ["identity", "memory", "continuity", "config", "secret", "other"];

export interface FileState {
  sha256: string;
  size: number;
}

/** TableEntry is one file of an agent state, as the item that captures it names it. */
export interface TableEntry extends FileState {
  item: string;
  /** The key in the item manifest's sha256 map (relative to the item's folder; a single-file item: its file name). */
  rel: string;
  /** The snapshot that holds this version's content (for diffs); absent for the live disk. */
  snapshot?: string;
}

/** FileTable is an agent state's files keyed by display path: relative to the agent root, or absolute outside it. */
export type FileTable = Map<string, TableEntry>;

/** DbTable is each database item's per-table row counts, by item name. */
export type DbTable = Map<string, Record<string, number>>;

/** AgentState is one side of a comparison. */
export interface AgentState {
  files: FileTable;
  databases: DbTable;
  /**
   * What could not be read (a busy database: no `path`; an unreadable file: its display
   * path). Their absence from `files`/`databases` is not a loss, so no rule fires for them.
   */
  unread?: { item: string; path?: string; reason: string }[];
}

/** DriftPolicy is the preset's classification with the config's overrides applied. */
export interface DriftPolicy {
  /** First match wins; patterns are util/glob globs on the display path. */
  classes: { pattern: string; class: DriftClass }[];
  /** Display-path globs never reported (churn nobody cares about). */
  ignore: string[];
  /** A memory or continuity file (or a table's rows) shrinking by more than this fraction breaks a rule. 0..1. */
  shrink: number;
}

export type FileStatus = "unchanged" | "changed" | "added" | "removed";

export type RuleId =
  | "identity-unapproved" | "config-unapproved" | "secret-changed"
  | "memory-shrunk" | "memory-removed" | "continuity-shrunk" | "continuity-removed" | "rows-dropped";

export type PatternId = "template-overwrite" | "stale-bootstrap" | "memory-truncated" | "daily-logs-deleted" | "runbook-stale";

export type FindingSeverity = "critical" | "warning";

export interface Violation {
  rule: RuleId;
  severity: FindingSeverity;
  /** One line: "SOUL.md changed since the approved baseline (2026-11-20, by ana: new tone)". */
  message: string;
}

export interface FileFinding {
  path: string;
  item: string;
  class: DriftClass;
  /** Against the approved baseline. */
  status: FileStatus;
  before?: FileState;
  after?: FileState;
  violations: Violation[];
  /** Unified diff against the baseline, for changed text files of non-secret classes. */
  diff?: string;
  /** Why there is no diff: a secret (never shown), binary content, too large, or content unreadable. */
  diffHidden?: "secret" | "binary" | "too-large" | "unavailable";
}

export interface DbFinding {
  item: string;
  table: string;
  before: number | null;
  after: number | null;
  violations: Violation[];
}

export interface PatternFinding {
  pattern: PatternId;
  severity: FindingSeverity;
  message: string;
  paths: string[];
}

export interface DriftReport {
  agent: string;
  /** Every compared file that is not unchanged (unchanged ones only with `all`). */
  files: FileFinding[];
  databases: DbFinding[];
  patterns: PatternFinding[];
  counts: { unchanged: number; changed: number; added: number; removed: number; violations: number };
  /** True when any rule is broken or any pattern matched: the exit code says drift. */
  drift: boolean;
  /** What was not compared and why (a busy database, an item absent from the baseline's scan), one line each. */
  notes?: string[];
}
