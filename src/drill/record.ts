/**
 * @module drill/record
 * Drill results live in the repository as signed records (design §15, kind "drill",
 * subject: the agent), so `status` on any machine that has the password sees the last drill,
 * and nobody can fake a passing one without the key. Records are written without the
 * repository lock: prune never removes them.
 */
import { appendRecord, loadChain, loadChains, type RecordRepo } from "../repository/records.ts";
import { DRILL_RECORD, type DrillReport } from "./types.ts";

/** saveDrill appends the report to the agent's chain of drill records; it returns the record id. */
export async function saveDrill(repo: RecordRepo, report: DrillReport, signal?: AbortSignal): Promise<string> {
  const chain = await loadChain<DrillReport>(repo, DRILL_RECORD, report.agent, signal);
  // A damaged chain must not stop drills from being recorded: start afresh past it.
  const restart = chain.tampered.length > 0;
  const seq = Math.max(0, ...chain.tampered.map((t) => t.seq ?? 0));
  const rec = await appendRecord(repo, DRILL_RECORD, report.agent, report, chain.records.at(-1) ?? null, signal, restart ? { restart, seq } : {});
  return rec.id;
}

export interface LastDrill {
  report: DrillReport;
  recordId: string;
  /** Drill records of this agent that do not verify (edited, forged, cut from the chain). */
  untrusted: number;
}

/** lastDrills returns each agent's newest trusted drill, from one pass over the records. */
export async function lastDrills(repo: RecordRepo, signal?: AbortSignal): Promise<Map<string, LastDrill>> {
  const { chains } = await loadChains<DrillReport>(repo, DRILL_RECORD, signal);
  const out = new Map<string, LastDrill>();
  for (const [agent, chain] of chains) {
    const last = chain.records.at(-1);
    if (last) out.set(agent, { report: last.record.body, recordId: last.id, untrusted: chain.tampered.length });
  }
  return out;
}
