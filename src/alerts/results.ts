/**
 * @module alerts/results
 * The last drift verdict per agent, kept in the state dir so `lifeboat status` can show it
 * without re-reading the agent's files and the repository's trees each time.
 */
import { join } from "node:path";
import { readJson, updateJson } from "./statedir.ts";

export type DriftVerdict = "clean" | "drift" | "tampered" | "no-baseline";

export interface DriftResult {
  time: string;
  state: DriftVerdict;
  /** Rules broken plus patterns matched. */
  violations: number;
  /** The paths with a broken rule, first few only. */
  paths: string[];
  /** The approval compared against: its number in the agent's chain. */
  approval: number | null;
}

const FILE = "drift.json";

export async function saveDriftResult(dir: string, agent: string, r: DriftResult): Promise<void> {
  await updateJson<Record<string, DriftResult>>(join(dir, FILE), {}, (all) => {
    all[agent] = r;
  });
}

export async function readDriftResults(dir: string): Promise<Record<string, DriftResult>> {
  return readJson<Record<string, DriftResult>>(join(dir, FILE), {});
}
