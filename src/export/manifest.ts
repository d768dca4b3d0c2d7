/**
 * @module export/manifest
 * manifest.json for an export (ExportManifest in format.ts) from the snapshot's agent
 * manifest, and the --skip selection both it and the runbook describe.
 */
import { LifeboatError } from "../errors/index.ts";
import type { AgentManifest } from "../model/agent.ts";
import { TOOL_VERSION } from "../version.ts";
import { EXPORT_FORMAT, EXPORT_VERSION, type ExportItem, type ExportManifest } from "./format.ts";

export const SKIPPED_BY_FLAG = "skipped by --skip";

/**
 * selectItems applies --skip to the snapshot's manifest: the result is the manifest of what
 * the archive holds, the skipped items recorded with their reason.
 */
export function selectItems(m: AgentManifest, skip: string[]): AgentManifest {
  const known = new Set([...m.items.map((i) => i.name), ...m.skipped.map((s) => s.name)]);
  const unknown = skip.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new LifeboatError(`agent ${m.agent} has no item ${unknown.join(", ")} in this snapshot`, { hint: `its items: ${m.items.map((i) => i.name).join(", ")}` });
  }
  const leave = new Set(skip);
  const dropped = m.items.filter((i) => leave.has(i.name)).map((i) => ({ name: i.name, reason: SKIPPED_BY_FLAG }));
  return {
    ...m,
    items: m.items.filter((i) => !leave.has(i.name)),
    skipped: [...m.skipped, ...dropped],
    notCovered: [...dropped.map((d) => `${d.name}: ${d.reason}`), ...m.notCovered],
  };
}

/** buildManifest is manifest.json's content for `m` (already selected) and the planned items. */
export function buildManifest(m: AgentManifest, snapshotId: string, items: ExportItem[], now: Date): ExportManifest {
  return {
    format: EXPORT_FORMAT, version: EXPORT_VERSION,
    agent: m.agent, preset: m.preset, root: m.root, host: m.host,
    time: new Date(m.time).toISOString(), exportedAt: now.toISOString(), snapshot: snapshotId,
    tool: `lifeboat ${TOOL_VERSION}`, items, skipped: m.skipped, notCovered: m.notCovered,
  };
}

/** sha256Line is the `.sha256` file in sha256sum's format (two spaces: text mode, as sha256sum writes). */
export function sha256Line(hex: string, archive: string): string {
  return `${hex}  ${archive}\n`;
}
