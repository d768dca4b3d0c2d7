/**
 * @module backends/local/fsops
 * The filesystem seam of the local backend. Every fs call the backend makes goes through
 * `fsOps`, so a test can replace one operation (say, make `write` fail with ENOSPC) and
 * check what the backend leaves behind. Also the small durability helpers built on it.
 */
import * as fsp from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { errorCodes, isNotFoundError } from "../errors.ts";

/**
 * fsOps is the set of fs operations the local backend uses. Overridden by tests only:
 * replace a member, and restore it afterwards (see local.test.ts).
 */
export const fsOps = {
  open: fsp.open,
  /** write writes all of `data` at the handle's current position. */
  write: (fh: FileHandle, data: Uint8Array, signal?: AbortSignal): Promise<void> =>
    fh.writeFile(data, { signal }),
  sync: (fh: FileHandle): Promise<void> => fh.sync(),
  rename: fsp.rename,
  link: fsp.link,
  unlink: fsp.unlink,
  mkdir: fsp.mkdir,
  readdir: fsp.readdir,
  stat: fsp.stat,
  readFile: fsp.readFile,
};

// Codes meaning "this filesystem cannot fsync a directory"; nothing to do about it.
const NO_DIR_SYNC = new Set(["EINVAL", "ENOTSUP", "EISDIR", "EBADF"]);

/**
 * fsyncDir makes a rename or create inside `dir` durable. Filesystems (and Windows) that
 * cannot sync directories are tolerated: there the rename is as durable as it gets.
 */
export async function fsyncDir(dir: string): Promise<void> {
  if (process.platform === "win32") return;
  let fh: FileHandle;
  try {
    fh = await fsOps.open(dir, "r");
  } catch (err) {
    if (errorCodes(err).some((c) => NO_DIR_SYNC.has(c))) return;
    throw new Error(`fsync directory ${dir}`, { cause: err });
  }
  try {
    await fh.sync();
  } catch (err) {
    if (!errorCodes(err).some((c) => NO_DIR_SYNC.has(c))) {
      throw new Error(`fsync directory ${dir}`, { cause: err });
    }
  } finally {
    await fh.close();
  }
}

/** removeQuietly deletes a leftover temp file during cleanup; the caller is already failing. */
export async function removeQuietly(path: string): Promise<void> {
  await fsOps.unlink(path).catch(() => undefined);
}

/** unlinkIfExists deletes `path`; an absent file is not an error. */
export async function unlinkIfExists(path: string): Promise<void> {
  try {
    await fsOps.unlink(path);
  } catch (err) {
    if (!isNotFoundError(err)) throw err;
  }
}
