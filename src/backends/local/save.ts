/**
 * @module backends/local/save
 * Atomic, durable object writes: temp file in the target folder, write, fsync, close,
 * rename (or link, for config) to the final name, fsync the folder. A failure or abort at
 * any step removes the temp file, so no partial object ever appears under its final name.
 */
import { randomBytes } from "node:crypto";
import type { FileHandle } from "node:fs/promises";
import * as path from "node:path";
import type { Handle } from "../backend.ts";
import { errorCodes, isNotFoundError, ObjectExistsError } from "../errors.ts";
import { createdOnFirstSave, objectSegments, sameBytes, TEMP_PREFIX } from "../layout.ts";
import { fsOps, fsyncDir, removeQuietly } from "./fsops.ts";

/** FILE_MODE and DIR_MODE keep the repository private: it holds key and data ciphertext. */
export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

// link() codes meaning "no hard links on this filesystem": fall back to check-then-rename.
const NO_LINK = new Set(["ENOTSUP", "EOPNOTSUPP", "ENOSYS", "EPERM", "EXDEV"]);

/**
 * saveAtomic writes `body` as object `h` below `root`. Packs and the other content-addressed
 * objects replace an existing file atomically (same name, same bytes). `config` is never
 * replaced: an existing config with different bytes rejects with ObjectExistsError.
 */
export async function saveAtomic(root: string, h: Handle, body: Uint8Array, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  const final = path.join(root, ...objectSegments(h));
  const dir = path.dirname(final);
  const tmp = path.join(dir, TEMP_PREFIX + randomBytes(8).toString("hex"));
  const fh = await openTemp(h, dir, tmp);
  try {
    await writeAndClose(fh, body, signal);
    signal?.throwIfAborted();
    if (h.type === "config") {
      await publishNoReplace(tmp, final, body);
      await removeQuietly(tmp); // still there after link(), or if an identical config existed
    } else {
      await fsOps.rename(tmp, final);
    }
  } catch (err) {
    await removeQuietly(tmp);
    throw err;
  }
  // The object is in place; an abort arriving now is too late to undo it, so finish.
  await fsyncDir(dir);
}

/** openTemp creates the temp file, creating a missing pack fan-out (or `records/`) folder on first use. */
async function openTemp(h: Handle, dir: string, tmp: string): Promise<FileHandle> {
  try {
    return await fsOps.open(tmp, "wx", FILE_MODE);
  } catch (err) {
    if (!createdOnFirstSave(h.type) || !isNotFoundError(err)) throw err;
  }
  // Not recursive: a missing `data/` means there is no repository, and that should fail.
  try {
    await fsOps.mkdir(dir, { mode: DIR_MODE });
    await fsyncDir(path.dirname(dir));
  } catch (err) {
    if (!errorCodes(err).includes("EEXIST")) throw err;
  }
  return await fsOps.open(tmp, "wx", FILE_MODE);
}

async function writeAndClose(fh: FileHandle, body: Uint8Array, signal?: AbortSignal): Promise<void> {
  try {
    await fsOps.write(fh, body, signal);
    await fsOps.sync(fh);
  } catch (err) {
    await fh.close().catch(() => undefined);
    throw err;
  }
  await fh.close();
}

/**
 * publishNoReplace moves `tmp` to `final` unless `final` exists. link() fails with EEXIST
 * atomically; where hard links are unsupported, check-then-rename is the best available.
 */
async function publishNoReplace(tmp: string, final: string, body: Uint8Array): Promise<void> {
  try {
    await fsOps.link(tmp, final);
    return;
  } catch (err) {
    const codes = errorCodes(err);
    if (codes.includes("EEXIST")) return await acceptIfIdentical(final, body, err);
    if (!codes.some((c) => NO_LINK.has(c))) throw err;
  }
  try {
    await fsOps.stat(final);
  } catch (err) {
    if (isNotFoundError(err)) return await fsOps.rename(tmp, final);
    throw err;
  }
  await acceptIfIdentical(final, body);
}

async function acceptIfIdentical(final: string, body: Uint8Array, cause?: unknown): Promise<void> {
  const existing = await fsOps.readFile(final);
  if (!sameBytes(existing, body)) {
    throw new ObjectExistsError(`${final} already exists with different content; refusing to replace it`, cause);
  }
}
