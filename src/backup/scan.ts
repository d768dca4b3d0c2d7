/**
 * @module backup/scan
 * Counts files and bytes under the paths, concurrently with the backup, so progress can
 * show a percentage and an ETA (restic's scanner). Errors are ignored here: the archiver
 * reports them.
 */
import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";

export interface ScanTotals {
  files: number;
  bytes: number;
}

export async function scan(paths: string[], signal?: AbortSignal): Promise<ScanTotals> {
  const totals: ScanTotals = { files: 0, bytes: 0 };
  const visit = async (p: string): Promise<void> => {
    signal?.throwIfAborted();
    const st = await lstat(p).catch(() => null);
    if (!st) return;
    if (st.isFile()) {
      totals.files++;
      totals.bytes += st.size;
    } else if (st.isDirectory()) {
      const names = await readdir(p).catch(() => [] as string[]);
      for (const n of names) await visit(join(p, n));
    }
  };
  for (const p of paths) await visit(p);
  return totals;
}
