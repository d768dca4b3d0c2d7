/**
 * @module repository/repair/records
 * `lifeboat repair records`: removes signed records whose bytes no longer match their
 * name or no longer decrypt. Nothing can rebuild a record (its signature needs the
 * original content), and a reader already distrusts a damaged one; removing it makes
 * `check` clean again. The approval chain it belonged to then shows a missing link, so
 * `lifeboat drift` keeps reporting it until a person approves afresh (`drift accept
 * --force`). Records with a bad signature but intact bytes are tampering, not damage:
 * they are left to `drift`. The caller holds an exclusive lock.
 */
import type { Repository } from "../repository.ts";
import { damagedRecords } from "./objects.ts";
import type { DamagedObject } from "./types.ts";

export interface RepairRecordsResult {
  dryRun: boolean;
  damaged: DamagedObject[];
  removed: string[];
}

export async function repairRecords(repo: Repository, opts: { dryRun?: boolean; signal?: AbortSignal | undefined } = {}): Promise<RepairRecordsResult> {
  const damaged = await damagedRecords(repo, opts.signal);
  const removed: string[] = [];
  if (!opts.dryRun) {
    for (const d of damaged) {
      await repo.backend.remove({ type: "record", name: d.id }, { signal: opts.signal });
      removed.push(d.id);
    }
  }
  return { dryRun: opts.dryRun === true, damaged, removed };
}
