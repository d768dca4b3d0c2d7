/**
 * @module model/agent
 * What an agent is to lifeboat: a named root plus items, each captured by its own source
 * and restored in a fixed order. Shared by config (which parses it), presets (which
 * propose it), backup (which captures it) and restore (which brings it back).
 */

/** ItemKind: how an item is captured. */
export type ItemKind = "files" | "sqlite" | "postgres" | "secret" | "command";

/**
 * ItemClass orders restore (secrets, then config, then databases, then files) and tells
 * drift detection which changes are expected.
 */
export type ItemClass = "secret" | "config" | "database" | "identity" | "memory" | "transcripts" | "state" | "other";

export const RESTORE_ORDER: readonly ItemClass[] = ["secret", "config", "database", "identity", "memory", "transcripts", "state", "other"];

interface ItemBase {
  /** Unique within the agent: [a-z0-9][a-z0-9._-]*. Names the item in manifests, --only, --skip. */
  name: string;
  kind: ItemKind;
  class: ItemClass;
  /** Derived data that can be rebuilt (a search index): left out with --skip NAME or skip: in config. */
  regenerable?: boolean;
  /** A required item that cannot be captured fails the backup; an optional one is recorded as skipped. */
  required?: boolean;
}

export interface FilesItem extends ItemBase {
  kind: "files";
  /** Absolute path (a folder or a single file). */
  path: string;
  /** Globs relative to `path`; default: everything. */
  include?: string[];
  exclude?: string[];
}

export interface SqliteItem extends ItemBase {
  kind: "sqlite";
  path: string;
}

export interface PostgresItem extends ItemBase {
  kind: "postgres";
  database: string;
  /** postgres://user:pass@host:port/db; when absent, libpq environment (PGHOST, ...) applies. */
  url?: string;
  /** Extra libpq environment (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGPASSFILE, ...). */
  env?: Record<string, string>;
}

export interface SecretItem extends ItemBase {
  kind: "secret";
  path: string;
}

export interface CommandItem extends ItemBase {
  kind: "command";
  /** Run with /bin/sh -c; its stdout is stored as a file named `filename`. */
  command: string;
  filename: string;
  timeoutMs?: number;
}

export type Item = FilesItem | SqliteItem | PostgresItem | SecretItem | CommandItem;

export interface Hook {
  command: string;
  timeoutMs: number;
}

/** AgentConfig is one agent as the config file states it (after presets are expanded). */
export interface AgentConfig {
  name: string;
  preset: string;
  /** Absolute root of the agent's state (e.g. ~/.openclaw, a NanoClaw project folder). */
  root: string;
  items: Item[];
  /** Item names skipped by default (regenerable data). */
  skip: string[];
  hooks: { before?: Hook; after?: Hook };
  /** Commands to stop/start the agent around a restore (--stop-agent) and to ask if it runs. */
  stop?: string;
  start?: string;
  status?: string;
  /** Files whose presence with a live pid means the agent runs (relative to root or absolute). */
  pidFiles: string[];
  /** What the preset knows it does not cover, for the manifest and the runbook. */
  notCovered?: string[];
  /** The config's changes to drift detection (docs/drift.md). */
  drift?: DriftSettings;
  /** How old the newest good snapshot may get (docs/alerts.md); defaults from DEFAULT_INTERVAL_MS. */
  freshness?: FreshnessSettings;
  /** Chat transcripts into daily markdown (docs/transcripts.md). */
  transcripts?: TranscriptSettings;
  /** Continuous capture (docs/watch.md): durations as written; `--delay`/`--min-interval` override them. */
  watch?: { delay?: string; minInterval?: string };
}

/** TranscriptSettings: where `lifeboat transcripts sync` reads and writes (converted `transcripts:`). */
export interface TranscriptSettings {
  timeZone?: string;
  memoryDir?: string;
  detect: boolean;
  channels?: string[];
  sources: { kind: "telegram-export" | "messages-db" | "openclaw-sessions"; path: string }[];
}

/** DriftClassName: what drift detection expects of a file (drift/types.ts explains each). */
export type DriftClassName = "identity" | "memory" | "continuity" | "config" | "secret" | "other";

export interface DriftSettings {
  /** Display-path globs (relative to the agent root) and the class they get; checked before the preset's rules. */
  classes?: { pattern: string; class: DriftClassName }[];
  /** Display-path globs never reported. */
  ignore?: string[];
  /** Fraction (0..1) a memory or continuity file, or a table's rows, may shrink before it is drift. */
  shrink?: number;
}

/** Ages of the newest good snapshot that are worth a warning and a critical alert. */
export interface FreshnessLimits {
  warnMs: number;
  criticalMs: number;
}

export interface FreshnessSettings extends FreshnessLimits {
  /** How often the agent is meant to be backed up (the schedule's interval). */
  intervalMs: number;
  /** Per item, for items captured less often than the agent (skipped in most snapshots). */
  items: Record<string, FreshnessLimits>;
}

/** DEFAULT_INTERVAL_MS: agents are backed up hourly unless the config says otherwise. */
export const DEFAULT_INTERVAL_MS = 3_600_000;

/** freshnessOf applies sanoid's defaults: warn at 2× the interval, critical at 4×. */
export function freshnessOf(agent: Pick<AgentConfig, "freshness">): FreshnessSettings {
  const f = agent.freshness;
  const intervalMs = f?.intervalMs ?? DEFAULT_INTERVAL_MS;
  return { intervalMs, warnMs: f?.warnMs ?? 2 * intervalMs, criticalMs: f?.criticalMs ?? 4 * intervalMs, items: f?.items ?? {} };
}

/** Exclusion is a path left out of a files item, with the reason shown to the user. */
export interface Exclusion {
  pattern: string;
  reason: string;
}

/** VOLATILE lists runtime state that is never worth restoring; shown by `agent detect`. */
export const VOLATILE: readonly Exclusion[] = [
  { pattern: "**/*.lock", reason: "lock file: belongs to a running process" },
  { pattern: "**/*.pid", reason: "pid file: belongs to a running process" },
  { pattern: "**/*.sock", reason: "socket: runtime only" },
  { pattern: "**/*-wal", reason: "SQLite write-ahead log: the database is captured through the engine" },
  { pattern: "**/*-shm", reason: "SQLite shared memory: runtime only" },
  { pattern: "**/*-journal", reason: "SQLite rollback journal: the database is captured through the engine" },
  { pattern: "**/tmp/**", reason: "temporary files" },
  { pattern: "**/ipc/**", reason: "inter-process messages in flight" },
  { pattern: "**/logs/**", reason: "logs: regenerated, often large" },
  { pattern: "**/*.log", reason: "log file" },
  { pattern: "**/node_modules/**", reason: "installed packages: reinstall with npm" },
];

/** ItemManifest records what one captured item held, so restore can verify it. */
export interface ItemManifest {
  name: string;
  kind: ItemKind;
  class: ItemClass;
  /** Where it came from (absolute path, or database name). */
  source: string;
  secret: boolean;
  files: number;
  bytes: number;
  /** sha256 of every captured file, by path relative to the item (single-file items: their file name). */
  sha256: Record<string, string>;
  /** Versions that matter for restoring: sqlite (page_size, journal_mode, user_version, sqlite_version), postgres (server, pg_dump). */
  versions?: Record<string, string | number>;
  /** Per-table row counts (sqlite and postgres). */
  rowCounts?: Record<string, number>;
  /**
   * Per-table content hashes, so a restore can prove each table identical: postgres
   * (and sqlite snapshots written before 0.1.0; newer sqlite captures rely on the file's sha256).
   */
  tableHashes?: Record<string, string>;
  /** How tableHashes were computed: "copy1" (from the dump's COPY lines); absent: server-side md5 of row::text. */
  tableHashScheme?: string;
  excluded?: { path: string; reason: string }[];
}

/** AgentManifest is stored in every agent snapshot. */
export interface AgentManifest {
  version: 1;
  agent: string;
  preset: string;
  root: string;
  host: string;
  time: string;
  items: ItemManifest[];
  skipped: { name: string; reason: string }[];
  /** What this backup does not cover, in words, for the runbook. */
  notCovered: string[];
}
