/**
 * @module doctor/types
 * What every doctor check shares: a Finding (one line of the report, with its fix), the
 * context the checks read the world through, and small constructors. The context is an
 * interface rather than the CLI object so the checks can be tested without a command line.
 */
import type { AgentConfig } from "../agent/types.ts";
import type { LifeboatConfig } from "../config/index.ts";
import type { Repository } from "../repository/repository.ts";

export type Level = "ok" | "warn" | "error";

/** Finding is one result of one check; `fix` says what to do, and is set on every warn and error. */
export interface Finding {
  level: Level;
  /** The check that produced it: config, items, postgres, repository, freshness, disk, bootstrap, cron, self-include. */
  check: string;
  agent?: string;
  item?: string;
  message: string;
  fix?: string;
}

export interface DoctorContext {
  /** Loads lifeboat.yaml: null when there is none; throws ConfigError when it is invalid. */
  config(): Promise<LifeboatConfig | null>;
  /** The repository location (--repo, LIFEBOAT_REPOSITORY, the config); throws when none is given. */
  location(): Promise<string>;
  /** Opens the repository with the configured password. */
  openRepo(): Promise<Repository>;
  /** Only these agents (--agent); all when empty or absent. */
  agents?: string[];
  /** The local cache folder, checked for self-inclusion; null or absent when there is none. */
  cacheDir?: string | null;
  /** Folders to look for psql and pg_dump in (tests); default PATH and the per-version folders. */
  pgSearchPath?: string[];
  signal?: AbortSignal;
  /** Clock for snapshot ages (tests). */
  now?: () => number;
}

/** Agents is what the config check hands the agent checks: every agent it could expand. */
export interface Agents {
  config: LifeboatConfig | null;
  /** The agents that expanded; the item checks look at these. */
  agents: AgentConfig[];
  /** Every selected agent's name, expanded or not: a lost root still has snapshots to report. */
  names: string[];
}

type Where = { agent?: string | undefined; item?: string | undefined };

function make(level: Level, check: string, message: string, fix: string | undefined, where: Where): Finding {
  // Key order is the JSON order: what, where, then the message and its fix.
  return {
    level, check,
    ...(where.agent !== undefined ? { agent: where.agent } : {}),
    ...(where.item !== undefined ? { item: where.item } : {}),
    message,
    ...(fix !== undefined ? { fix } : {}),
  };
}

export const ok = (check: string, message: string, where: Where = {}): Finding => make("ok", check, message, undefined, where);
export const warn = (check: string, message: string, fix: string, where: Where = {}): Finding => make("warn", check, message, fix, where);
export const error = (check: string, message: string, fix: string, where: Where = {}): Finding => make("error", check, message, fix, where);

/** errorText is an unknown thrown value as one line. */
export function errorText(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).replace(/\s+/g, " ").trim();
}
