/**
 * @module schedule/args
 * Which lifeboat command each job kind runs, and how to start the lifeboat CLI itself.
 * Jobs run as child processes of the CLI (never in the daemon's process), so every job
 * keeps its own run-log line and alerts, and a job that crashes cannot take the daemon
 * down with it.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ScheduleJob } from "./schema.ts";

/** cliEntry is [node, main] for starting lifeboat: src/cli/main.ts from a checkout, dist/cli/main.js when built. */
export function cliEntry(): [string, string] {
  const ext = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
  const main = fileURLToPath(new URL(`../cli/main${ext}`, import.meta.url));
  if (!existsSync(main)) throw new Error(`cannot find the lifeboat CLI at ${main}`);
  return [process.execPath, main];
}

/** GlobalArgs are the global options the daemon passes on to every job, so a job sees what the daemon saw. */
export interface GlobalArgs {
  config: string;
  repo?: string | undefined;
  passwordFile?: string | undefined;
  option?: string[] | undefined;
  lockWait?: string | undefined;
  cacheDir?: string | undefined;
  noCache?: boolean | undefined;
}

export function globalArgs(g: GlobalArgs): string[] {
  const out = ["--config", g.config];
  if (g.repo) out.push("--repo", g.repo);
  if (g.passwordFile) out.push("--password-file", g.passwordFile);
  for (const o of g.option ?? []) out.push("-o", o);
  if (g.lockWait) out.push("--lock-wait", g.lockWait);
  if (g.cacheDir) out.push("--cache-dir", g.cacheDir);
  if (g.noCache) out.push("--no-cache");
  return out;
}

/** jobArgs is the command (after the global options) a job runs; `slice` is the check's rotating slice. */
export function jobArgs(job: ScheduleJob, slice?: number): string[] {
  const agent = job.agent ? ["--agent", job.agent] : [];
  switch (job.kind) {
    case "backup": return ["backup", ...agent];
    case "transcripts": return ["transcripts", "sync", ...agent];
    case "drift": return ["drift", ...agent];
    case "drill": return ["drill", ...agent];
    case "prune": return ["prune"];
    case "status": return ["status", "--notify"];
    case "forget": return ["forget", ...keepFlags(job), ...(job.prune ? ["--prune"] : [])];
    case "check": return ["check", ...subsetFlags(job, slice)];
  }
}

function keepFlags(job: ScheduleJob): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(job.keep ?? {})) if (v !== undefined) out.push(`--keep-${k}`, String(v));
  return out;
}

function subsetFlags(job: ScheduleJob, slice?: number): string[] {
  if (!job.subset) return [];
  if ("percent" in job.subset) return ["--read-data-subset", job.subset.percent];
  return ["--read-data-subset", `${slice ?? 1}/${job.subset.rotate}`];
}

/** commandLine renders a job's command for people: `lifeboat check --read-data-subset 3/7`. */
export function commandLine(job: ScheduleJob, slice?: number): string {
  return ["lifeboat", ...jobArgs(job, slice)].join(" ");
}
