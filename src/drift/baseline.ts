/**
 * @module drift/baseline
 * Approved baselines: what the humans said the agent should look like. Each approval is a
 * signed record in the repository (repository/records.ts), chained per agent, holding every
 * file's hash and size and the snapshot that holds its content. An approval of some files
 * carries the previous baseline forward for the rest. The newest approval number seen on
 * this machine is remembered, so a deleted newest approval (a rollback to an older, laxer
 * baseline) is caught even though the chain itself still looks whole.
 */
import { join } from "node:path";
import { appendRecord, loadChain, type LoadedRecord, type RecordChain, type RecordProblem, type RecordRepo } from "../repository/records.ts";
import { readJson, updateJson } from "../alerts/statedir.ts";
import type { AgentState, TableEntry } from "./types.ts";

export const APPROVAL_KIND = "drift-approval";

export interface ApprovedFile {
  item: string;
  rel: string;
  sha256: string;
  size: number;
  snapshot: string;
}

export interface ApprovalBody {
  by: string;
  reason: string;
  /** The snapshot taken for this approval. */
  snapshot: string;
  /** "all", or the display paths this approval changed. */
  scope: "all" | string[];
  files: Record<string, ApprovedFile>;
  databases: Record<string, Record<string, number>>;
}

export type Approval = LoadedRecord<ApprovalBody>;

/** loadApprovals reads the agent's approval chain; `tampered` lists every record that cannot be trusted. */
export function loadApprovals(repo: RecordRepo, agent: string, signal?: AbortSignal): Promise<RecordChain<ApprovalBody>> {
  return loadChain<ApprovalBody>(repo, APPROVAL_KIND, agent, signal);
}

/** baselineState turns an approval into the comparison's baseline side. */
export function baselineState(a: Approval): AgentState {
  const files = new Map<string, TableEntry>(Object.entries(a.record.body.files).map(([p, f]) => [p, { ...f }]));
  return { files, databases: new Map(Object.entries(a.record.body.databases)) };
}

/**
 * approvalBody builds the next approval from the state of the snapshot just taken: all of
 * it, or only `paths` (a path gone from the new state is dropped from the baseline: its
 * removal is what is approved).
 */
export function approvalBody(prev: ApprovalBody | null, next: AgentState, snapshot: string, scope: "all" | string[], by: string, reason: string): ApprovalBody {
  const own = (e: TableEntry): ApprovedFile => ({ item: e.item, rel: e.rel, sha256: e.sha256, size: e.size, snapshot: e.snapshot ?? snapshot });
  if (scope === "all" || prev === null) {
    return { by, reason, snapshot, scope: "all", files: Object.fromEntries([...next.files].map(([p, e]) => [p, own(e)])), databases: Object.fromEntries(next.databases) };
  }
  const files = { ...prev.files };
  for (const p of scope) {
    const e = next.files.get(p);
    if (e) files[p] = own(e);
    else delete files[p];
  }
  const databases = { ...prev.databases };
  for (const p of scope) if (next.databases.has(p)) databases[p] = next.databases.get(p)!;
  return { by, reason, snapshot, scope, files, databases };
}

export function saveApproval(repo: RecordRepo, agent: string, body: ApprovalBody, after: Approval | null, signal?: AbortSignal, opts: { restart?: boolean; seq?: number } = {}): Promise<Approval> {
  return appendRecord(repo, APPROVAL_KIND, agent, body, after, signal, opts);
}

const SEEN = "approvals-seen.json";
type Seen = Record<string, number>;

/** rollbackProblem reports a newest approval older than one this machine has seen. */
export async function rollbackProblem(stateDir: string, repoId: string, agent: string, newest: Approval | undefined): Promise<RecordProblem | null> {
  const seen = (await readJson<Seen>(join(stateDir, SEEN), {}))[`${repoId}/${agent}`] ?? 0;
  const have = newest?.record.seq ?? 0;
  if (have >= seen) return null;
  return { id: "", seq: seen, problem: `approval number ${seen} was seen on this machine but is gone from the repository (newest there: ${have})` };
}

/** rememberApproval records the newest approval number seen, so a later rollback shows. */
export async function rememberApproval(stateDir: string, repoId: string, agent: string, a: Approval): Promise<void> {
  await updateJson<Seen>(join(stateDir, SEEN), {}, (s) => {
    s[`${repoId}/${agent}`] = Math.max(s[`${repoId}/${agent}`] ?? 0, a.record.seq);
  });
}
