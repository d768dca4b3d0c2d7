/**
 * @module alerts/status
 * Everything `lifeboat status` shows, gathered once: per agent its freshness, failures in a
 * row (from the run log), drift verdict, open alerts; for the repository its size and
 * growth. A repository that cannot be read still leaves the local half of the picture.
 */
import type { AgentConfig } from "../model/agent.ts";
import type { Snapshot } from "../model/index.ts";
import { evaluateFreshness, type AgentFreshness } from "./freshness.ts";
import { openAlerts, type Ledger } from "./ledger.ts";
import type { DriftResult } from "./results.ts";
import { failuresInRow, lastRun, type RunRecord } from "./runlog.ts";

export interface RepoFacts {
  snapshots: Snapshot[];
  /** Bytes of all packs as stored. */
  packBytes: number;
  /** Each agent's newest trusted drill record (drill/record.ts). */
  drills: Map<string, LastDrill>;
}

/** LastDrill is what status needs of a drill record. */
export interface LastDrill {
  report: { time: string; ok: boolean; snapshot: string; recoveryMs: number; fromScratch: boolean; error?: string };
  recordId: string;
  untrusted: number;
}

export interface DrillStatus {
  time: string;
  ok: boolean;
  snapshot: string;
  recoveryMs: number;
  fromScratch: boolean;
  error: string | null;
  record: string;
  /** Drill records of the agent that do not verify. */
  untrusted: number;
}

export interface RepoStatus {
  location: string;
  error?: string;
  snapshots: number;
  sizeBytes: number;
  /** Bytes newly stored by snapshots of the last 24 hours and 7 days. */
  growthDayBytes: number;
  growthWeekBytes: number;
}

export interface AgentStatus {
  agent: string;
  freshness: AgentFreshness | null;
  /** The next scheduled backup (ISO time); null when lifeboat.yaml schedules none for the agent. */
  nextRun: string | null;
  failuresInRow: number;
  lastFailure: { time: string; error: string } | null;
  drift: DriftResult | null;
  /** The last restore drill (from the repository's signed records); null until one ran. */
  drill: DrillStatus | null;
  openAlerts: { event: string; since: string; title: string }[];
}

export interface StatusInput {
  agents: AgentConfig[];
  location: string;
  repo: RepoFacts | { error: string };
  runs: RunRecord[];
  ledger: Ledger;
  drift: Record<string, DriftResult>;
  /** The next scheduled backup of an agent (lifeboat.yaml `schedule:`), or null. */
  nextRun?: (agent: string) => Date | null;
  now: number;
}

const DAY = 86_400_000;

/** RECENT_RUNS: how many of the run log's newest lines status shows by default. */
export const RECENT_RUNS = 10;

export function buildStatus(i: StatusInput, recent = RECENT_RUNS): { repository: RepoStatus; agents: AgentStatus[]; recentRuns: RunRecord[] } {
  return { repository: repoStatus(i), agents: i.agents.map((a) => agentStatus(a, i)), recentRuns: recent > 0 ? i.runs.slice(-recent).reverse() : [] };
}

function repoStatus(i: StatusInput): RepoStatus {
  const facts = i.repo;
  if ("error" in facts) return { location: i.location, error: facts.error, snapshots: 0, sizeBytes: 0, growthDayBytes: 0, growthWeekBytes: 0 };
  const since = (ms: number) => facts.snapshots.filter((s) => i.now - Date.parse(s.time) <= ms).reduce((n, s) => n + (s.summary?.bytesStored ?? 0), 0);
  return { location: i.location, snapshots: facts.snapshots.length, sizeBytes: facts.packBytes, growthDayBytes: since(DAY), growthWeekBytes: since(7 * DAY) };
}

function agentStatus(a: AgentConfig, i: StatusInput): AgentStatus {
  const failed = lastRun(i.runs, "backup", a.name, false);
  const failures = failuresInRow(i.runs, "backup", a.name);
  return {
    agent: a.name,
    freshness: "error" in i.repo ? null : evaluateFreshness(a, i.repo.snapshots, i.now),
    nextRun: i.nextRun?.(a.name)?.toISOString() ?? null,
    failuresInRow: failures,
    lastFailure: failed ? { time: failed.time, error: failed.error ?? `exit ${failed.exitCode}` } : null,
    drift: i.drift[a.name] ?? null,
    drill: "error" in i.repo ? null : drillStatus(i.repo.drills.get(a.name)),
    openAlerts: openAlerts(i.ledger, a.name).map((e) => ({ event: e.event, since: e.since, title: e.title })),
  };
}

function drillStatus(d: LastDrill | undefined): DrillStatus | null {
  if (!d) return null;
  const r = d.report;
  return { time: r.time, ok: r.ok, snapshot: r.snapshot, recoveryMs: r.recoveryMs, fromScratch: r.fromScratch, error: r.error ?? null, record: d.recordId, untrusted: d.untrusted };
}
