/**
 * @module test/reliability/fuzz-kit
 * The harness every fuzz suite runs its parsers through. A Target makes one input from the
 * seeded rng, runs the parser on it and says whether a returned value is valid. The rule per
 * input: a valid value, or an error the code threw on purpose (a LifeboatError, an
 * IntegrityError, AuthError, or the module's own Error), never a bare TypeError, RangeError
 * or SyntaxError (those are crashes the parser did not foresee), never a Node system error
 * escaping unwrapped, never longer than the time box, never hundreds of MiB allocated.
 */
import assert from "node:assert/strict";
import { AuthError } from "../../src/crypto/aead.ts";
import { IntegrityError, LifeboatError } from "../../src/errors/index.ts";
import { recordResult, rng, SEED, type SuiteResult } from "./record.ts";
import type { Rand } from "./fuzz-mutate.ts";

export interface Target<I> {
  /** The result's suite name, e.g. "fuzz-index". */
  suite: string;
  what: string;
  make(r: Rand, trial: number): I | Promise<I>;
  /** How the input was made, for a failure message. */
  label(input: I): string;
  run(input: I): Promise<unknown> | unknown;
  /** check returns why a returned value is not valid, or null. */
  check?(value: unknown, input: I): string | null | Promise<string | null>;
  /** accept overrides which errors count as clean refusals. */
  accept?(err: unknown): boolean;
  timeLimitMs?: number;
  /** notes are the target's own counts, for the result's details. */
  notes?(): string[];
}

export interface Outcome {
  failures: string[];
  accepted: number;
  refused: number;
  slowestMs: number;
  ms: number;
}

const BARE = [TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError];
/** Allocation one input may leave behind before it counts as unbounded memory. */
const MEMORY_LIMIT = 768 * 1024 * 1024;

/** deliberate is true for an error a parser threw on purpose rather than one it tripped over. */
export function deliberate(err: unknown): boolean {
  if (err instanceof LifeboatError || err instanceof IntegrityError || err instanceof AuthError) return true;
  if (!(err instanceof Error) || BARE.some((C) => err instanceof C)) return false;
  return typeof (err as { code?: unknown }).code !== "string"; // ENOENT, ERR_*, Z_DATA_ERROR: not wrapped
}

/** describe flattens an error and its causes for a failure line. */
export function describe(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err; e !== undefined && parts.length < 4; e = (e as Error).cause) {
    parts.push(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
    if (!(e instanceof Error)) break;
  }
  return parts.join(" <- ").slice(0, 300);
}

const used = () => { const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };
/** Peak resident memory so far (bytes): catches what an input allocated and dropped again. */
const peak = () => process.resourceUsage().maxRSS * 1024;

/** fuzz runs `n` inputs through a target; the rng is the suite's own, derived from SEED. */
export async function fuzz<I>(t: Target<I>, n: number, seed = SEED): Promise<Outcome> {
  const r = rng(seed ^ hashOf(t.suite));
  const out: Outcome = { failures: [], accepted: 0, refused: 0, slowestMs: 0, ms: 0 };
  const limit = t.timeLimitMs ?? 2000;
  const started = Date.now();
  for (let i = 0; i < n; i++) {
    const input = await t.make(r, i);
    const fail = (why: string) => out.failures.push(`#${i} ${t.label(input)}: ${why}`);
    const before = used();
    const peakBefore = peak();
    const t0 = performance.now();
    try {
      const value = await withTimeout(Promise.resolve().then(() => t.run(input)), limit);
      const bad = await t.check?.(value, input);
      if (bad) fail(`returned an invalid value: ${bad}`);
      else out.accepted++;
    } catch (err) {
      if (err === TIMEOUT) fail(`no answer within ${limit} ms (a hang)`);
      else if ((t.accept ?? deliberate)(err)) out.refused++;
      else fail(`crashed: ${describe(err)}`);
    }
    const ms = performance.now() - t0;
    out.slowestMs = Math.max(out.slowestMs, Math.round(ms));
    if (ms > limit) fail(`took ${Math.round(ms)} ms (limit ${limit})`);
    const grew = Math.max(used() - before, peak() - peakBefore);
    if (grew > MEMORY_LIMIT) fail(`allocated ${Math.round(grew / 2 ** 20)} MiB`);
  }
  out.ms = Date.now() - started;
  return out;
}

const TIMEOUT = Symbol("timeout");

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(TIMEOUT), ms); });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

function hashOf(s: string): number {
  let h = 2166136261;
  for (const c of s) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return h >>> 0;
}

/** report records one parser's result (before asserting, so a failing run still reports) and asserts it. */
export async function report<I>(t: Target<I>, n: number, out: Outcome, extra: string[] = []): Promise<void> {
  const result: SuiteResult = {
    suite: t.suite, what: t.what, trials: n, failures: out.failures.length, seed: SEED, ms: out.ms,
    details: [`${n} inputs: ${out.accepted} answered with a valid value, ${out.refused} refused with a typed error; slowest ${out.slowestMs} ms`, ...(t.notes?.() ?? []), ...extra, ...out.failures.slice(0, 5)],
  };
  await recordResult(result);
  assert.equal(out.failures.length, 0, `${t.suite} (seed ${SEED}, replay with LIFEBOAT_RELIABILITY_SEED=${SEED}): ${out.failures.length} failure(s):\n  ${out.failures.slice(0, 8).join("\n  ")}`);
}
