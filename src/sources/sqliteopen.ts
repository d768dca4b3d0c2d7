/**
 * @module sources/sqliteopen
 * Opening an agent's SQLite database to read it without leaving files behind (drift's row
 * counts, transcripts). A read-only connection to a WAL database creates -wal and -shm when
 * they are missing and cannot remove them on close. Missing sidecars mean no connection is
 * open and every commit is in the main file, so it is read as immutable (no locks, no
 * sidecars). Otherwise the sidecars exist already and a plain read-only open is harmless.
 */
import { lstat, open } from "node:fs/promises";
import { pathToFileURL } from "node:url";

/** readOnlyTarget is what to pass to `new DatabaseSync(target, { readOnly: true })`. */
export async function readOnlyTarget(path: string, signal?: AbortSignal): Promise<string | URL> {
  signal?.throwIfAborted();
  const header = Buffer.alloc(20);
  const fh = await open(path, "r");
  try {
    await fh.read(header, 0, 20, 0);
  } finally {
    await fh.close();
  }
  const wal = header[18] === 2; // file format write version: 2 = WAL (sqlite.org/fileformat2.html)
  const sidecars = await Promise.all(["-wal", "-shm"].map((s) => lstat(path + s).then(() => true, () => false)));
  if (!wal || sidecars.some(Boolean)) return path;
  const url = pathToFileURL(path);
  url.searchParams.set("immutable", "1");
  return url;
}
