/**
 * @module drill/types
 * What a restore drill reports and records. The same shape is the `--json` summary
 * (docs/cli-json.md), the body of the signed `drill` record in the repository, and what
 * `lifeboat status` shows as the last drill.
 */

/** HealthCheck is one finding of the preset's own health check on the restored agent. */
export interface HealthCheck {
  check: string;
  ok: boolean;
  detail: string;
}

export interface DrillItem {
  name: string;
  kind: string;
  class: string;
  ok: boolean;
  /** From the start of this item's restore until it was verified. */
  ms: number;
  /** What was proven, in words ("sha256 of 12 file(s)", "integrity_check ok", ...). */
  checks: string[];
  /** Where it was restored inside the sandbox (or the scratch database); secrets: "memory". */
  restoredTo: string;
  error?: string;
}

export interface DrillReport {
  agent: string;
  snapshot: string;
  snapshotTime: string;
  host: string;
  ok: boolean;
  /** Run the way a new machine would: a child lifeboat with only the repository and password. */
  fromScratch: boolean;
  /** When the drill started (ISO). */
  time: string;
  /** From the drill's start until every item was verified and the health check passed. */
  recoveryMs: number;
  /** Removing the sandbox and scratch databases (not part of the recovery time). */
  cleanupMs: number;
  items: DrillItem[];
  health: HealthCheck[];
  warnings: string[];
  /** The sandbox, when kept with --keep (null: removed). */
  sandbox: string | null;
  /** Scratch databases kept with --keep. */
  databases: string[];
  /** The first failure, in one line (absent when ok). */
  error?: string;
}

/** DRILL_RECORD is the signed record kind of drill results (design §15). */
export const DRILL_RECORD = "drill";
