/**
 * @module runbook
 * renderRunbook turns what lifeboat knows about an agent (its config, its newest snapshot's
 * manifest, where the repository and password are) into RUNBOOK.md: a page a stressed
 * person can follow at 3 AM to bring the agent back, with lifeboat or without it. Pure and
 * deterministic for a fixed `now`; `lifeboat runbook` and `lifeboat export` both call it.
 */
import type { AgentConfig, AgentManifest } from "../model/agent.ts";
import { TOOL_VERSION } from "../version.ts";
import { byHand, check, notCovered, withLifeboat } from "./recover.ts";
import { backedUp, madeOf, password, summary } from "./sections.ts";
import { utc } from "./words.ts";

export { manifestFromConfig } from "./fromconfig.ts";

/** RunbookInput is everything the runbook is written from. */
export interface RunbookInput {
  /** The agent as configured now (absent when rendering from an archive without a config). */
  agent?: AgentConfig | undefined;
  /** The newest snapshot's manifest, and the snapshot's id and time. */
  manifest: AgentManifest;
  snapshot: { id: string; time: string };
  /**
   * Repository location and where its password lives; absent inside a standalone export.
   * passwordFrom says how the password is given when there is no file ("the LIFEBOAT_PASSWORD
   * environment variable").
   */
  repository?: { location: string; passwordFile?: string | undefined; passwordFrom?: string | undefined } | undefined;
  /** Set when the runbook goes inside an export: its archive name, for the by-hand section. */
  archive?: { baseName: string; secretsEncrypted: boolean } | undefined;
  /** Now, for "how old is the newest backup" (tests pass a fixed time). */
  now?: Date;
  /** How often backups run, in words, when known (a schedule); else estimated from recentTimes. */
  schedule?: string | undefined;
  /** Times of the agent's recent snapshots (oldest first), to estimate how often it is backed up. */
  recentTimes?: string[] | undefined;
  /** True when there is no snapshot yet: `manifest` then comes from manifestFromConfig. */
  noBackupYet?: boolean | undefined;
}

/** SECTIONS are the runbook's headings in order (tests and docs/runbook.md rely on them). */
export const SECTIONS = [
  "If you are reading this at 3 AM",
  "What this agent is made of",
  "Where it is backed up",
  "Password and keys",
  "Restore with lifeboat",
  "Restore by hand from an export (no lifeboat)",
  "Check that it came back",
  "Not covered",
] as const;

/** RUNBOOK_MARK is the first line's prefix: how `lifeboat runbook` recognises a file it may overwrite. */
export const RUNBOOK_MARK = "# Recovery runbook: ";

export function renderRunbook(input: RunbookInput): string {
  const now = input.now ?? new Date();
  const at = { ...input, now };
  const title = [
    `${RUNBOOK_MARK}${input.manifest.agent}`,
    "",
    `Written by lifeboat ${TOOL_VERSION} on ${utc(now.toISOString())}${input.noBackupYet ? ", before any backup existed" : ` from snapshot ${input.snapshot.id.slice(0, 8)}`}.`,
    `Print it and keep it with a copy of the repository password. Regenerate it with \`lifeboat runbook --agent ${input.manifest.agent}\`; every backup export carries the version current at its time.`,
  ].join("\n");
  const sections = [summary, madeOf, backedUp, password, withLifeboat, byHand, check, notCovered].map((f) => f(at));
  return [title, ...sections].join("\n\n") + "\n";
}
