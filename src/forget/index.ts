/**
 * @module forget
 * Retention policies with restic's semantics: which snapshots `lifeboat forget` keeps.
 * Pure functions over snapshot metadata; removing snapshots is the caller's job.
 */

export { applyPolicy, type ApplyOptions, type KeptSnapshot, type PolicyResult } from "./apply.ts";
export {
  formatGroupKey, groupKey, groupSnapshots, parseGroupBy, GROUP_FIELDS,
  type GroupField, type GroupKey, type SnapshotGroup,
} from "./group.ts";
export {
  formatKeepDuration, isEmptyPolicy, isZeroDuration, parseDuration, validatePolicy, COUNT_RULES,
  type CountRule, type KeepDuration, type KeepPolicy,
} from "./policy.ts";
