/**
 * @module runbook
 * Placeholder until the runbook generator lands: renderRunbook turns what lifeboat knows
 * about an agent into RUNBOOK.md.
 */
import type { AgentConfig, AgentManifest } from "../model/agent.ts";

/** RunbookInput is everything the runbook is written from. */
export interface RunbookInput {
  /** The agent as configured now (absent when rendering from an archive without a config). */
  agent?: AgentConfig | undefined;
  /** The newest snapshot's manifest, and the snapshot's id and time. */
  manifest: AgentManifest;
  snapshot: { id: string; time: string };
  /** Repository location and where its password lives; absent inside a standalone export. */
  repository?: { location: string; passwordFile?: string | undefined } | undefined;
  /** Set when the runbook goes inside an export: its archive name, for the by-hand section. */
  archive?: { baseName: string; secretsEncrypted: boolean } | undefined;
  /** Now, for "how old is the newest backup" (tests pass a fixed time). */
  now?: Date;
}

export function renderRunbook(input: RunbookInput): string {
  return `# Recovery runbook: ${input.manifest.agent}\n\n(placeholder)\n`;
}
