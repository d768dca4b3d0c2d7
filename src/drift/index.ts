/**
 * @module drift
 * Identity drift: an agent's live files compared with an approved baseline and its newest
 * snapshot, each file judged by its class (identity, memory, continuity, config, secret,
 * other), with diffs and the known failure patterns (agent-layouts.md §1.10, §7).
 * Pipeline: policyFor → scanLive + stateFromSnapshot → compareAgent → DriftReport.
 */
export type {
  AgentState, DbFinding, DbTable, DriftClass, DriftPolicy, DriftReport, FileFinding, FileState, FileStatus,
  FileTable, FindingSeverity, PatternFinding, PatternId, RuleId, TableEntry, Violation,
} from "./types.ts";
export { DRIFT_CLASSES } from "./types.ts";
export { classify, defaultClasses, type ClassRule } from "./classify.ts";
export { DEFAULT_IGNORE, DEFAULT_SHRINK, explainClasses, policyFor, type PolicyOverrides } from "./policy.ts";
export { displayPath, livePath, scanLive } from "./live.ts";
export { readSnapshotFile, stateFromSnapshot, type SnapshotReader } from "./snapshot.ts";
export { diffContent, isText, MAX_DIFF_BYTES, MAX_DIFF_LINES, unifiedDiff, type DiffOutcome } from "./diff.ts";
export { fileStatus, fileViolations, formatSize, tableViolations, type RuleContext, type Sides } from "./rules.ts";
export { findPatterns, templateMatch, type PatternFile } from "./patterns.ts";
export { compareAgent, type CompareInput } from "./compare.ts";
