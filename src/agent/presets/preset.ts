/**
 * @module agent/presets/preset
 * The preset contract. A preset knows one agent runtime's on-disk layout
 * (shared/reference/agent-layouts.md): `detect` scores how much a folder looks like it,
 * `plan` turns the folder into concrete items (absolute paths) plus everything `agent detect`
 * and restore need to explain themselves: what is skipped by default, what is left out and
 * why, what a backup cannot cover, which pid/lock files mean "running", and which files
 * embed absolute paths that a restore to another root must rewrite.
 */
import type { Exclusion, Item } from "../types.ts";

export interface PresetOptions {
  /** Home folder for paths outside the root (~/.config/nanoclaw, `~` in openclaw.json). Default: os.homedir(). */
  home?: string;
  /** PostgreSQL connection for presets with postgres items (clawdie); overrides the root's .env. */
  pg?: PgOptions;
}

export interface PgOptions {
  /** postgres://user@host:port (the database part is replaced per item). */
  url?: string;
  /** libpq environment (PGHOST, PGPORT, PGUSER, PGPASSWORD, ...). */
  env?: Record<string, string>;
  /** Database names, e.g. { memory: "memory_db", skills: "skills_db" }. */
  databases?: Record<string, string>;
}

/** Detection: confidence 0 (not this layout) .. 1 (certain), and the facts behind it. */
export interface Detection {
  confidence: number;
  evidence: string[];
}

/**
 * PlannedExclusion: a pattern left out with its reason. `item` names the files item whose
 * `exclude` holds the pattern (relative to that item's path); null means a path under the
 * root that no item captures (relative to the root), listed only so `agent detect` can say so.
 * `coveredBy` marks a path left out of one item because another item captures it.
 */
export interface PlannedExclusion extends Exclusion {
  item: string | null;
  coveredBy?: string;
}

/**
 * PathRewrite: files (glob relative to the root) that store absolute paths under the root in
 * string fields named `keys`, found at any depth. Restore to another root rewrites them.
 */
export interface PathRewrite {
  files: string;
  format: "json" | "json5";
  keys: string[];
  why: string;
}

export interface PresetPlan {
  /** Layout variant, e.g. "files" / "sqlite" (openclaw), "v1" / "v2" (nanoclaw). */
  variant: string;
  items: Item[];
  /** Item names left out by default (regenerable). */
  skip: string[];
  excluded: PlannedExclusion[];
  /** What a backup of this agent cannot cover, in words (for the runbook). */
  notCovered: string[];
  /** Oddities found while planning (a missing workspace, two workspaces for one agent, ...). */
  warnings: string[];
  /**
   * Files meaning "the agent runs" when they hold a live pid: relative to the root (globs
   * allowed) or absolute. Content is a bare pid or JSON with a `pid` field.
   */
  pidFiles: string[];
  pathRewrites: PathRewrite[];
}

export interface Preset {
  readonly name: string;
  readonly description: string;
  /**
   * Files holding absolute paths under the root, whatever the root holds: restore reads
   * them by preset name from the snapshot manifest, with no plan at hand.
   */
  readonly pathRewrites: readonly PathRewrite[];
  detect(root: string, opts?: PresetOptions): Promise<Detection>;
  /** plan lists the items for `root` as it is now; it only reads. */
  plan(root: string, opts?: PresetOptions): Promise<PresetPlan>;
  /**
   * health checks a restored copy of the agent the way the runtime would need it at start-up
   * (`lifeboat drill`). Secrets are not there: a drill never writes them.
   */
  health?(root: string): Promise<HealthFinding[]>;
}

/** HealthFinding is one result of a preset's health check. */
export interface HealthFinding {
  check: string;
  ok: boolean;
  detail: string;
}
