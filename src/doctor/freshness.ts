/**
 * @module doctor/freshness
 * When was each agent last backed up? Pre-restore safety snapshots do not count: they
 * are taken by a restore, not by the schedule, and would hide a schedule that stopped.
 */
import { hostname } from "node:os";
import { shortId } from "../model/index.ts";
import type { Repository } from "../repository/repository.ts";
import { loadSnapshots } from "../repository/snapshots.ts";
import { agentBackups } from "../restore/safety.ts";
import { error, ok, warn, type Finding } from "./types.ts";

const CHECK = "freshness";

/**
 * checkFreshness reports each agent's newest snapshot and its age, and damaged snapshots.
 * `warnMs` is the agent's own warn age (lifeboat.yaml freshness:, default 2 × the hourly
 * interval), the same limit `lifeboat status` grades by.
 */
export async function checkFreshness(repo: Repository, agents: string[], now: number, warnMs: (agent: string) => number, signal?: AbortSignal): Promise<Finding[]> {
  const { snapshots, damaged } = await loadSnapshots(repo, signal);
  const out: Finding[] = [];
  if (damaged.length > 0) {
    out.push(warn("repository", `${damaged.length} snapshot(s) cannot be read: ${damaged[0]!.message}`, "run `lifeboat check` to see the damage; `lifeboat forget` removes a snapshot that cannot be repaired"));
  }
  for (const agent of agents) {
    const where = { agent };
    const last = agentBackups(snapshots, agent).at(-1);
    if (last === undefined) {
      out.push(error(CHECK, "no snapshot yet", `run \`lifeboat backup --agent ${agent}\`, then schedule it (cron or a systemd timer)`, where));
      continue;
    }
    const age = now - Date.parse(last.time);
    const from = last.host === hostname() ? "" : ` from host ${last.host}`;
    const text = `last snapshot ${shortId(last.id!)}${from} is ${formatAge(age)} old (${last.time})`;
    out.push(age > warnMs(agent)
      ? warn(CHECK, text, `check the scheduled backup and its log (cron or systemd timer); run \`lifeboat backup --agent ${agent}\` now`, where)
      : ok(CHECK, text, where));
  }
  return out;
}

/** formatAge renders an age coarsely: "12m", "5h03m", "3d04h". */
export function formatAge(ms: number): string {
  const m = Math.max(0, Math.floor(ms / 60_000));
  const pad = (n: number) => String(n).padStart(2, "0");
  if (m < 60) return `${m}m`;
  if (m < 24 * 60) return `${Math.floor(m / 60)}h${pad(m % 60)}m`;
  return `${Math.floor(m / 1440)}d${pad(Math.floor((m % 1440) / 60))}h`;
}
