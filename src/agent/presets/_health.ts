/**
 * @module agent/presets/_health
 * The checks a preset runs on a restored copy of its agent (`Preset.health`, used by
 * `lifeboat drill`). They ask what the runtime itself would need at start-up: transcripts
 * where sessions.json says they are, the message store's tables, a config that parses.
 * Each returns findings; a missing optional part is not a failure.
 */
import { readdir } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { exists, isFile, readText } from "./_fs.ts";
import type { HealthFinding } from "./preset.ts";

export const finding = (check: string, ok: boolean, detail: string): HealthFinding => ({ check, ok, detail });

/**
 * sessionsResolve: every agents/<id>/sessions/sessions.json parses, and every transcript it
 * names by absolute path lies under the root and exists (a restore to another root rewrites
 * them; a path still pointing at the old root would make the runtime start a new session).
 */
export async function sessionsResolve(root: string): Promise<HealthFinding[]> {
  const agentsDir = join(root, "agents");
  const ids = await readdir(agentsDir).catch(() => [] as string[]);
  let files = 0;
  const bad: string[] = [];
  for (const id of ids) {
    const text = await readText(join(agentsDir, id, "sessions", "sessions.json"));
    if (text === null) continue;
    let sessions: Record<string, { sessionFile?: unknown }>;
    try {
      sessions = JSON.parse(text) as typeof sessions;
    } catch {
      bad.push(`agents/${id}/sessions/sessions.json does not parse`);
      continue;
    }
    for (const [key, s] of Object.entries(sessions ?? {})) {
      const f = typeof s?.sessionFile === "string" ? s.sessionFile : undefined;
      if (!f || !isAbsolute(f)) continue;
      files++;
      if (!f.startsWith(root + "/")) bad.push(`session ${key} of ${id} points outside the agent: ${f}`);
      else if (!(await exists(f))) bad.push(`session ${key} of ${id}: transcript ${f.slice(root.length + 1)} is missing`);
    }
  }
  if (bad.length > 0) return [finding("sessions", false, `${bad[0]}${bad.length > 1 ? ` (and ${bad.length - 1} more)` : ""}`)];
  return files > 0 ? [finding("sessions", true, `${files} transcript(s) named by sessions.json are in place`)] : [];
}

/** sqliteHasTables: the database opens and holds the tables the runtime reads. */
export function sqliteHasTables(path: string, rel: string, tables: string[]): HealthFinding {
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(path, { readOnly: true });
    const have = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name));
    const missing = tables.filter((t) => !have.has(t));
    return missing.length > 0
      ? finding("store", false, `${rel} lacks table(s) ${missing.join(", ")}`)
      : finding("store", true, `${rel} opens and has ${tables.join(", ")}`);
  } catch (err) {
    return finding("store", false, `${rel} does not open: ${(err as Error).message}`);
  } finally {
    db?.close();
  }
}

/** identityPresent: at least one of the identity files is there and not empty. */
export async function identityPresent(dir: string, rel: string, names: string[]): Promise<HealthFinding> {
  for (const n of names) {
    if (!(await isFile(join(dir, n)))) continue;
    if (((await readText(join(dir, n))) ?? "").trim() !== "") return finding("identity", true, `${rel}${n} is in place`);
  }
  return finding("identity", false, `none of ${names.join(", ")} is in ${rel || "the agent root"} (or all are empty)`);
}
