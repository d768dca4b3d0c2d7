/**
 * @module test/reliability/record
 * What every reliability suite shares: how many trials to run (a few in `npm test`, the long
 * count under `npm run reliability`), a seeded random source so a failing trial can be
 * replayed, and the result file each suite writes so docs/reliability.md is produced by the
 * suite itself (report.ts renders it). A suite records its result before it asserts, so a
 * failing run still reports what it found.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** LONG is true under `npm run reliability` (LIFEBOAT_RELIABILITY=long). */
export const LONG = process.env.LIFEBOAT_RELIABILITY === "long";

/** trials picks the CI count or the long count. */
export function trials(short: number, long: number): number {
  const forced = Number(process.env.LIFEBOAT_RELIABILITY_TRIALS);
  if (Number.isInteger(forced) && forced > 0) return forced;
  return LONG ? long : short;
}

/** SEED is fixed by LIFEBOAT_RELIABILITY_SEED to replay a run; otherwise new each run. */
export const SEED = Number(process.env.LIFEBOAT_RELIABILITY_SEED) || (Date.now() % 2 ** 31);

/** rng is mulberry32: small, fast, and the same sequence for the same seed on every machine. */
export function rng(seed: number = SEED): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** pick returns a random integer in [0, n). */
export const pick = (r: () => number, n: number): number => Math.floor(r() * n);

export interface SuiteResult {
  /** File name and table row key, e.g. "crash-backup". */
  suite: string;
  /** One line: what a trial does and what it must show. */
  what: string;
  trials: number;
  /** Trials in which the property did not hold (each is a bug). */
  failures: number;
  /** Short descriptions of the failures (first few), or extra counts worth a column. */
  details?: string[];
  seed?: number;
  ms?: number;
}

/** recordResult writes the suite's result where `npm run reliability` collects them (if set). */
export async function recordResult(r: SuiteResult): Promise<void> {
  const out = process.env.LIFEBOAT_RELIABILITY_OUT;
  if (!out) return;
  await mkdir(out, { recursive: true });
  const body = { ...r, seed: r.seed ?? SEED, mode: LONG ? "long" : "ci", time: new Date().toISOString() };
  await writeFile(join(out, `${r.suite}.json`), JSON.stringify(body, null, 2) + "\n");
}
