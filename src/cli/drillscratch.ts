/**
 * @module cli/drillscratch
 * `lifeboat drill --from-scratch`: prove the runbook's claim that the repository location and
 * the password are enough. Each agent is drilled by a child lifeboat that starts the way one
 * on a new machine would: no lifeboat.yaml (an empty working folder and XDG_CONFIG_HOME), an
 * empty cache and state folder, and no LIFEBOAT_* setting but the location and the password
 * (passed in the environment, never written to disk).
 * The machine's own access (ssh keys, cloud credentials, PG* variables) stays, as a new
 * machine would have its own. The recovery time is the child's whole run, start-up included.
 */
import { mkdtemp, mkdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runChild } from "../daemon/child.ts";
import { LifeboatError } from "../errors/index.ts";
import type { DrillReport } from "../drill/types.ts";
import { cliEntry } from "../schedule/args.ts";

export interface ScratchOptions {
  location: string;
  password: string;
  agent: string;
  snapshot?: string | undefined;
  keep?: boolean | undefined;
  sandbox?: string | undefined;
  signal: AbortSignal;
}

/** scratchEnv is a new machine's environment: the caller's, minus every lifeboat setting. */
export function scratchEnv(world: string, location: string, password: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) {
    // The test-only fast KDF is how the repository was made in tests; it changes no lookup.
    if (!k.startsWith("LIFEBOAT_") || k === "LIFEBOAT_INSECURE_TEST_KDF") env[k] = v;
  }
  return {
    ...env, LIFEBOAT_REPOSITORY: location, LIFEBOAT_PASSWORD: password,
    XDG_CONFIG_HOME: join(world, "config"), XDG_CACHE_HOME: join(world, "cache"), XDG_STATE_HOME: join(world, "state"),
  };
}

/** drillFromScratch runs one agent's drill in a child lifeboat with nothing but the location and password. */
export async function drillFromScratch(o: ScratchOptions): Promise<DrillReport> {
  const world = await mkdtemp(join(tmpdir(), "lifeboat-scratch-"));
  try {
    const cwd = join(world, "empty");
    await mkdir(cwd);
    const args = ["--json", "drill", "--agent", o.agent, "--no-record",
      ...(o.snapshot ? ["--snapshot", o.snapshot] : []), ...(o.keep ? ["--keep"] : []), ...(o.sandbox ? ["--sandbox", o.sandbox] : [])];
    const started = Date.now();
    const r = await runChild({ argv: [...cliEntry(), ...args], env: scratchEnv(world, o.location, o.password), cwd, signal: o.signal, graceMs: 10_000 });
    const ms = Date.now() - started;
    if (r.interrupted) o.signal.throwIfAborted();
    const doc = parseDrillDoc(r.stdout);
    if (!doc) throw new LifeboatError(`the drill from scratch failed before it could drill (exit ${r.exitCode}): ${lastLine(r.stderr)}`, { hint: "the location and password alone are not enough on a new machine: see the error" });
    return { ...doc, fromScratch: true, recoveryMs: ms };
  } finally {
    await rm(world, { recursive: true, force: true });
  }
}

function parseDrillDoc(stdout: string): DrillReport | undefined {
  const line = stdout.trim().split("\n").at(-1);
  if (!line) return undefined;
  try {
    const doc = JSON.parse(line) as { message_type?: string; drills?: Record<string, unknown>[] };
    const d = doc.message_type === "drill" ? doc.drills?.[0] : undefined;
    return d ? camelKeys(d) as unknown as DrillReport : undefined;
  } catch {
    return undefined;
  }
}

/** camelKeys undoes the CLI's snake_case keys (docs/cli-json.md) for the in-memory report. */
function camelKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(camelKeys);
  if (v === null || typeof v !== "object") return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), camelKeys(x)]));
}

function lastLine(stderr: string): string {
  const line = stderr.trim().split("\n").at(-1) ?? "";
  try {
    return (JSON.parse(line) as { error?: string }).error ?? line;
  } catch {
    return line;
  }
}
