/**
 * @module drill/scratch
 * Scratch PostgreSQL databases for drills. The name carries a marker and a random tag, so a
 * drill can never load into (or drop) the agent's real database, and a person can find and
 * drop what a killed drill left: `lifeboat_drill_<tag>_<item>`.
 */
import type { AgentConfig } from "../model/agent.ts";
import type { PlannedItem } from "../restore/plan.ts";
import { pgItemFor } from "../restore/agent.ts";
import { dropDatabase } from "../sources/pgrestore.ts";

export const SCRATCH_PREFIX = "lifeboat_drill_";

export interface ScratchDatabase {
  database: string;
  item: PlannedItem;
}

/** scratchName is a valid, unquoted-safe PostgreSQL name of at most 63 bytes. */
export function scratchName(tag: string, item: string): string {
  return `${SCRATCH_PREFIX}${tag}_${item.toLowerCase().replace(/[^a-z0-9_]/g, "_")}`.slice(0, 63);
}

/**
 * dropScratch removes the drill's databases and returns the ones it could not drop. It runs
 * after an abort too, so it takes no signal.
 */
export async function dropScratch(dbs: ScratchDatabase[], config: AgentConfig | undefined): Promise<string[]> {
  const failed: string[] = [];
  for (const { database, item } of dbs) {
    if (!database.startsWith(SCRATCH_PREFIX)) continue;
    await dropDatabase(pgItemFor(item, config), database).catch(() => failed.push(database));
  }
  return failed;
}
