/**
 * @module state/atomic
 * Replacing a file so that a crash at any moment leaves either the old or the new bytes:
 * write a temporary file beside it, fsync, rename over the original, fsync the folder.
 * The temporary name starts with `.lifeboat-`, which backups and `lifeboat watch` ignore
 * and which is never read as state.
 */
import { randomBytes } from "node:crypto";
import { open, readdir, rename, stat, unlink, type FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { syncDir } from "../util/durable.ts";

/** stateFs is the seam a crash test replaces (restic's `var tempFile = os.CreateTemp`). */
export const stateFs = { rename };

/** tempPrefix names the temporary files of `file`, so leftovers of a crashed writer can be found. */
export function tempPrefix(file: string): string {
  return `.lifeboat-state-${basename(file)}.`;
}

/**
 * writeAtomic replaces `file` with `text`. An existing file keeps its mode (and, for root,
 * its owner); a new one is created 0644 minus the umask.
 */
export async function writeAtomic(file: string, text: string, signal?: AbortSignal): Promise<void> {
  const dir = dirname(file);
  const old = await stat(file).catch((err: NodeJS.ErrnoException) => { if (err.code === "ENOENT") return null; throw err; });
  const tmp = join(dir, `${tempPrefix(file)}${randomBytes(6).toString("hex")}.tmp`);
  const fh = await open(tmp, "wx", 0o644);
  try {
    await keepOwnership(fh, old);
    await fh.writeFile(text, { signal });
    await fh.sync();
  } catch (err) {
    await fh.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fh.close();
  try {
    await stateFs.rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await syncDir(dir);
}

async function keepOwnership(fh: FileHandle, old: { mode: number; uid: number; gid: number } | null): Promise<void> {
  if (!old) return;
  // chmod, not the open mode: the umask must not narrow a mode the agent chose.
  await fh.chmod(old.mode & 0o7777);
  if (process.getuid?.() === 0) await fh.chown(old.uid, old.gid).catch(() => undefined);
}


/** removeTemps deletes temporary files a crashed writer of `file` left; call it holding the lock. */
export async function removeTemps(file: string): Promise<number> {
  const prefix = tempPrefix(file);
  const names = (await readdir(dirname(file))).filter((n) => n.startsWith(prefix) && n.endsWith(".tmp"));
  await Promise.all(names.map((n) => unlink(join(dirname(file), n)).catch(() => undefined)));
  return names.length;
}
