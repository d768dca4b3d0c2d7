/**
 * @module drift/run
 * One drift check of one agent: read the approval chain (any tampering is the verdict, the
 * comparison still runs against the newest trusted approval), the newest snapshot, and the
 * live disk, then compare. Also the first baseline: an agent's first backup is approved
 * automatically (trust on first use, as ssh does with host keys), so drift works from day one.
 */
import { existsSync } from "node:fs";
import { isAbsolute, join, relative } from "node:path";
import type { AgentConfig, Item } from "../model/agent.ts";
import { shortId, type Snapshot } from "../model/index.ts";
import type { RecordProblem } from "../repository/records.ts";
import type { Repository } from "../repository/repository.ts";
import { loadSnapshots } from "../repository/snapshots.ts";
import { agentBackups } from "../restore/safety.ts";
import { approvalBody, baselineState, loadApprovals, rememberApproval, rollbackProblem, saveApproval, type Approval } from "./baseline.ts";
import { compareAgent } from "./compare.ts";
import { scanLive } from "./live.ts";
import { policyFor } from "./policy.ts";
import { readSnapshotFile, stateFromSnapshot } from "./snapshot.ts";
import type { AgentState, DriftReport, PatternFinding, TableEntry } from "./types.ts";

export type DriftState = "clean" | "drift" | "tampered" | "no-baseline";

export interface DriftRun {
  agent: string;
  state: DriftState;
  report: DriftReport | null;
  approval: { id: string; seq: number; time: string; by: string; reason: string; snapshot: string } | null;
  tampered: RecordProblem[];
  latest: { id: string; time: string } | null;
}

/** Baseline files larger than this are not read back for a diff. */
const MAX_DIFF_READ = 1 << 20;

export interface DriftOptions {
  stateDir: string;
  all?: boolean | undefined;
  signal: AbortSignal;
}

export async function runDrift(repo: Repository, agent: AgentConfig, o: DriftOptions): Promise<DriftRun> {
  const { approval, tampered } = await trustedApproval(repo, agent.name, o);
  const snapshots = (await loadSnapshots(repo, o.signal)).snapshots;
  const newest = agentBackups(snapshots, agent.name).at(-1);
  const base = { agent: agent.name, tampered, latest: newest ? { id: newest.id!, time: newest.time } : null };
  if (!approval) return { ...base, state: tampered.length > 0 ? "tampered" : "no-baseline", report: null, approval: null };
  const b = approval.record.body;
  const policy = policyFor(agent, agent.drift);
  // Trees and blobs are found through the index, needed for the newest snapshot's state and for diffs.
  let index: Promise<unknown> | undefined;
  const loadIndex = () => (index ??= repo.loadIndex({ signal: o.signal }));
  if (newest && newest.id !== b.snapshot) await loadIndex();
  const latest = newest && newest.id !== b.snapshot ? await stateFromSnapshot(repo, newest, agent.root, o.signal) : undefined;
  const seen = withVanishedItems(agent, [newest, snapshots.find((s) => s.id === b.snapshot)]);
  const report = await compareAgent({
    agent: seen, policy, baseline: baselineState(approval), latest, live: await scanLive(agent, policy, o.signal),
    baselineLabel: `approval ${approval.record.seq}, ${approval.record.time.slice(0, 16).replace("T", " ")}, by ${b.by}: ${b.reason}`,
    latestLabel: newest ? newest.time.slice(0, 16).replace("T", " ") : undefined,
    readBaseline: (_path, entry) => readBaselineFile(repo, snapshots, entry, loadIndex(), o.signal),
    all: o.all, signal: o.signal,
  });
  const gap = runbookGap(seen, newest);
  if (gap) {
    report.patterns.push(gap);
    report.drift = true;
  }
  const state: DriftState = tampered.length > 0 ? "tampered" : report.drift ? "drift" : "clean";
  return { ...base, state, report, approval: { id: approval.id, seq: approval.record.seq, time: approval.record.time, by: b.by, reason: b.reason, snapshot: b.snapshot } };
}

/**
 * withVanishedItems adds back the items a backup held whose folder or file is gone from
 * disk. A preset only proposes what it finds, so a deleted workspace would otherwise drop
 * out of the comparison silently; as an item it is compared, and every file in it is lost.
 * An item still on disk but no longer configured stays out: that was a person's choice.
 */
export function withVanishedItems(agent: AgentConfig, snapshots: (Snapshot | undefined)[]): AgentConfig {
  const have = new Set(agent.items.map((i) => i.name));
  const ghosts: Item[] = [];
  for (const sn of snapshots) {
    for (const m of sn?.manifest?.items ?? []) {
      if (have.has(m.name) || agent.skip.includes(m.name) || !["files", "secret", "sqlite"].includes(m.kind)) continue;
      const path = rebase(m.source, sn!.manifest!.root, agent.root);
      if (existsSync(path)) continue;
      have.add(m.name);
      ghosts.push(m.kind === "files" ? { name: m.name, kind: "files", class: m.class, path } : { name: m.name, kind: m.kind as "secret" | "sqlite", class: m.class, path });
    }
  }
  return ghosts.length === 0 ? agent : { ...agent, items: [...agent.items, ...ghosts] };
}

/** rebase moves a path under the snapshot's agent root to the same place under today's root. */
function rebase(source: string, oldRoot: string, root: string): string {
  const rel = relative(oldRoot, source);
  return rel === "" || rel.startsWith("..") || isAbsolute(rel) ? source : join(root, rel);
}

/**
 * runbookGap: the items on disk now are not the ones the newest backup (and the RUNBOOK.md
 * stored with it) describes, e.g. a database the preset found since. The next backup closes it.
 */
export function runbookGap(agent: AgentConfig, newest: Snapshot | undefined): PatternFinding | null {
  const m = newest?.manifest;
  if (!m) return null;
  const described = new Set([...m.items.map((i) => i.name), ...m.skipped.map((i) => i.name)]);
  const now = agent.items.map((i) => i.name);
  const added = now.filter((n) => !described.has(n) && !agent.skip.includes(n));
  const gone = m.items.map((i) => i.name).filter((n) => !now.includes(n));
  if (added.length === 0 && gone.length === 0) return null;
  const parts = [...(added.length ? [`new on disk: ${added.join(", ")}`] : []), ...(gone.length ? [`no longer configured: ${gone.join(", ")}`] : [])];
  return {
    pattern: "runbook-stale", severity: "warning", paths: [...added, ...gone],
    message: `the newest backup and its RUNBOOK.md do not describe the agent as it is now (${parts.join("; ")}): run \`lifeboat backup --agent ${agent.name}\`, then \`lifeboat runbook\``,
  };
}

/** trustedApproval is the newest approval that verifies, and every problem with the chain. */
export async function trustedApproval(repo: Repository, agent: string, o: { stateDir: string; signal: AbortSignal }): Promise<{ approval: Approval | undefined; tampered: RecordProblem[] }> {
  const chain = await loadApprovals(repo, agent, o.signal);
  const approval = chain.records.at(-1);
  const rollback = await rollbackProblem(o.stateDir, repo.config.id, agent, approval);
  const tampered = [...chain.tampered, ...(rollback ? [rollback] : [])];
  if (approval && tampered.length === 0) await rememberApproval(o.stateDir, repo.config.id, agent, approval);
  return { approval, tampered };
}

async function readBaselineFile(repo: Repository, snapshots: Snapshot[], entry: TableEntry, index: Promise<unknown>, signal: AbortSignal): Promise<Buffer | null> {
  const sn = snapshots.find((s) => s.id === entry.snapshot);
  if (!sn) return null; // forgotten by retention: the hashes still compare, the diff cannot be shown
  try {
    await index;
    return await readSnapshotFile(repo, sn.tree, entry, MAX_DIFF_READ, signal);
  } catch (err) {
    if (signal.aborted) throw err;
    return null;
  }
}

/** approve records the state of `snapshot` as approved (all of it, or only `paths`). */
export async function approve(repo: Repository, agent: AgentConfig, snapshot: Snapshot, o: { paths: "all" | string[]; by: string; reason: string; after: Approval | null; stateDir: string; signal: AbortSignal; restart?: boolean; seq?: number; state?: AgentState }): Promise<Approval> {
  const state = o.state ?? (await stateFromSnapshot(repo, snapshot, agent.root, o.signal));
  const body = approvalBody(o.after?.record.body ?? null, state, snapshot.id!, o.paths, o.by, o.reason);
  const saved = await saveApproval(repo, agent.name, body, o.after, o.signal, { ...(o.restart ? { restart: true } : {}), ...(o.seq !== undefined ? { seq: o.seq } : {}) });
  await rememberApproval(o.stateDir, repo.config.id, agent.name, saved);
  return saved;
}

/**
 * firstBaseline approves an agent's first snapshot; null when that is not safe to assume.
 * Only the very first snapshot qualifies, and only with no approval anywhere (not even one
 * remembered on this machine): someone who deletes the approvals must not get a later
 * backup of a poisoned workspace approved in their place.
 */
export async function firstBaseline(repo: Repository, agent: AgentConfig, snapshot: Snapshot, o: { stateDir: string; signal: AbortSignal }): Promise<Approval | null> {
  const earlier = agentBackups((await loadSnapshots(repo, o.signal)).snapshots, agent.name).filter((s) => s.id !== snapshot.id);
  if (earlier.length > 0) return null;
  const { approval, tampered } = await trustedApproval(repo, agent.name, o);
  if (approval || tampered.length > 0) return null;
  return approve(repo, agent, snapshot, { paths: "all", by: "lifeboat", reason: `first backup (snapshot ${shortId(snapshot.id!)}), approved on first use`, after: null, stateDir: o.stateDir, signal: o.signal });
}
