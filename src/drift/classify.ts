/**
 * @module drift/classify
 * Decides each file's drift class, which decides the rules it answers to. A secret item's
 * files are always secret; otherwise the config's (and preset's) patterns win, then the
 * built-in names below, then the class of the item that captures the file.
 */
import type { Item, ItemClass } from "../model/agent.ts";
import { matchGlob } from "../util/glob.ts";
import type { DriftClass, DriftPolicy } from "./types.ts";

export interface ClassRule {
  pattern: string;
  class: DriftClass;
}

/**
 * Secret-looking names anywhere: a workspace or catch-all item may hold them, and a diff of
 * a non-secret class would print their content. OpenClaw's names are from agent-layouts.md
 * §1.2; the rest are the usual key and env files.
 */
const SECRET_NAMES = [
  ".env", ".env.*", "auth-profiles.json", "auth.json", "secrets.json", "gateway.token", "gateway.password",
  "*.pem", "*.key", "id_rsa", "id_ed25519",
];

/**
 * The files the agent reads as who it is, every session (§1.3). HEARTBEAT.md is left out:
 * OpenClaw's AGENTS.md template invites the agent to edit it, so each heartbeat edit would
 * ask for approval; it falls back to its item's class. BOOT.md is a startup checklist the
 * user writes, as rarely changed as AGENTS.md. BOOTSTRAP.md is identity because a stale one
 * rewrites the others on the next start (#70098).
 */
const IDENTITY_NAMES = ["SOUL.md", "IDENTITY.md", "USER.md", "AGENTS.md", "TOOLS.md", "BOOT.md", "BOOTSTRAP.md"];

/** MEMORY.md, with OpenClaw's legacy fallback name (§1.3, docs/help/faq.md). */
const MEMORY_NAMES = ["MEMORY.md", "memory.md"];

/**
 * Machine-written churn that should only grow: daily logs and session-memory hook notes
 * (memory/YYYY-MM-DD*.md; `?` stands for a digit, the glob dialect has no classes),
 * transcripts, session state (community files, §1.3), heartbeat bookkeeping and the
 * "dreaming" state and diary (docs/concepts/dreaming.md).
 */
const CONTINUITY_GLOBS = [
  "**/memory/????-??-??*.md", "**/*.jsonl", "**/session-state.json", "**/SESSION-STATE.md",
  "**/heartbeat-state.json", "**/.dreams/**", "**/memory/dreaming/**", "**/DREAMS.md",
];

/** defaultClasses lists the built-in rules as display-path globs, first match wins. */
export function defaultClasses(): ClassRule[] {
  return [
    ...SECRET_NAMES.map((n) => ({ pattern: `**/${n}`, class: "secret" as const })),
    ...CONTINUITY_GLOBS.map((pattern) => ({ pattern, class: "continuity" as const })),
    ...IDENTITY_NAMES.map((n) => ({ pattern: `**/${n}`, class: "identity" as const })),
    ...MEMORY_NAMES.map((n) => ({ pattern: `**/${n}`, class: "memory" as const })),
  ];
}

const DEFAULTS = defaultClasses();

/**
 * An identity item holds more than identity (skills/, canvas/, avatars/, a nested .git):
 * only the named files above are identity, the rest is reported without rules. A database
 * item's files never reach here (row counts are compared instead) but map like state.
 */
const BY_ITEM: Record<ItemClass, DriftClass> = {
  secret: "secret", config: "config", memory: "memory", transcripts: "continuity",
  state: "continuity", database: "continuity", identity: "other", other: "other",
};

/** classify returns the drift class of the file at display path `path`, captured by `item`. */
export function classify(path: string, item: Item, policy: Pick<DriftPolicy, "classes">): DriftClass {
  // A pattern must not turn a secret into something that gets diffed and printed.
  if (item.class === "secret" || item.kind === "secret") return "secret";
  const rule = policy.classes.find((r) => matchGlob(path, r.pattern)) ?? DEFAULTS.find((r) => matchGlob(path, r.pattern));
  return rule?.class ?? BY_ITEM[item.class];
}

const DAILY_LOG = /(?:^|\/)memory\/(\d{4}-\d{2}-\d{2})[^/]*\.md$/;

/** dailyLogDate returns the date of a memory/YYYY-MM-DD*.md daily log, or null. */
export function dailyLogDate(path: string): string | null {
  return DAILY_LOG.exec(path)?.[1] ?? null;
}

/** baseName is the last "/"-separated part of a display path. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}
