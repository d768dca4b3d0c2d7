/**
 * @module doctor/openclaw
 * Two ways an OpenClaw-style agent loses memory without any backup noticing
 * (agent-layouts.md §1.3, §1.5, §7): a BOOTSTRAP.md left beside a filled MEMORY.md, whose
 * first-run ritual can run again and overwrite the identity files (openclaw #70098), and
 * a scheduled job (often the user's own backup) failing silently, counted in
 * `cron/jobs.json` as `jobs[].state.consecutiveErrors`. Both are looked for in every
 * agent, not only the openclaw preset: workspaces and cron stores turn up elsewhere too.
 */
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { AgentConfig } from "../agent/types.ts";
import { error, ok, warn, type Finding } from "./types.ts";

/** FAILING_RUNS: this many failures in a row is a broken job, not a flaky one. */
export const FAILING_RUNS = 3;

/** checkBootstrap looks in the root and every files item's folder. */
export async function checkBootstrap(agent: AgentConfig): Promise<Finding[]> {
  const dirs = new Set([agent.root, ...agent.items.flatMap((i) => (i.kind === "files" ? [i.path] : []))]);
  const out: Finding[] = [];
  let workspaces = 0;
  for (const dir of dirs) {
    const memory = (await readText(join(dir, "MEMORY.md"))) ?? (await readText(join(dir, "memory.md")));
    if (memory === undefined) continue;
    workspaces++;
    if (!(await isFile(join(dir, "BOOTSTRAP.md"))) || !isFilled(memory)) continue;
    out.push(warn("bootstrap", `BOOTSTRAP.md is still in ${dir}, beside a filled MEMORY.md`,
      "the first-run ritual is done: delete BOOTSTRAP.md (keep a copy elsewhere if unsure); left there, a restart can run it again and overwrite MEMORY.md, IDENTITY.md and SOUL.md (openclaw #70098)",
      { agent: agent.name }));
  }
  if (out.length === 0 && workspaces > 0) out.push(ok("bootstrap", "no stale BOOTSTRAP.md beside MEMORY.md", { agent: agent.name }));
  return out;
}

/** isFilled: MEMORY.md holds more than headings and comments (an empty template does not count). */
export function isFilled(text: string): boolean {
  return text.replace(/<!--[\s\S]*?-->/g, "").split(/\r?\n/).some((l) => l.trim() !== "" && !/^\s*#/.test(l));
}

interface CronJob {
  id?: unknown;
  jobId?: unknown;
  name?: unknown;
  enabled?: unknown;
  state?: { consecutiveErrors?: unknown; lastError?: unknown };
}

/** checkCron reads `<root>/cron/jobs.json`; nothing to report when there is none. */
export async function checkCron(agent: AgentConfig): Promise<Finding[]> {
  const file = join(agent.root, "cron", "jobs.json");
  const text = await readText(file);
  if (text === undefined) return [];
  const where = { agent: agent.name };
  let jobs: CronJob[];
  try {
    const data = JSON.parse(text) as { jobs?: unknown };
    jobs = Array.isArray(data.jobs) ? data.jobs.filter((j): j is CronJob => j !== null && typeof j === "object") : [];
  } catch {
    return [warn("cron", `${file} is not valid JSON`, "run `openclaw doctor` to repair the cron store, or restore the file from a snapshot", where)];
  }
  const out: Finding[] = [];
  for (const job of jobs) {
    const n = job.state?.consecutiveErrors;
    if (job.enabled === false || typeof n !== "number" || n < 1) continue;
    const name = String(job.name ?? job.id ?? job.jobId ?? "?");
    const last = typeof job.state?.lastError === "string" ? ` (last error: ${job.state.lastError})` : "";
    const runs = typeof job.id === "string" ? `cron/runs/${job.id}.jsonl` : "cron/runs/";
    const fix = `fix what its last error says, then watch the next run (its log: ${runs} under ${agent.root}); disable the job if it is no longer wanted`;
    out.push((n >= FAILING_RUNS ? error : warn)("cron", `job "${name}" failed ${n === 1 ? "once" : `${n} times`} in a row${last}`, fix, where));
  }
  if (out.length === 0) out.push(ok("cron", `${jobs.length} scheduled job(s) in cron/jobs.json, none failing`, where));
  return out;
}

async function readText(p: string): Promise<string | undefined> {
  return readFile(p, "utf8").catch(() => undefined);
}

async function isFile(p: string): Promise<boolean> {
  return (await stat(p).catch(() => null))?.isFile() ?? false;
}
