/**
 * @module backends/sftp/save
 * Atomic saves over SFTP: write a temp file next to the target, fsync it on the server
 * (fsync@openssh.com), then rename it over the final name (posix-rename@openssh.com). The
 * config is published with SFTP's plain rename, which OpenSSH's server never lets replace
 * a file, so two `init`s cannot overwrite each other. Any failure or abort removes the temp.
 */
import { randomBytes } from "node:crypto";
import { posix } from "node:path";
import type { SFTPWrapper } from "ssh2";
import type { Handle } from "../backend.ts";
import { isNotFoundError, ObjectExistsError } from "../errors.ts";
import { createdOnFirstSave, objectSegments, sameBytes, TEMP_PREFIX } from "../layout.ts";
import * as ops from "./ops.ts";
import { readRange, writeAll } from "./transfer.ts";

/** saveObject stores `body` as `h` below `root`. */
export async function saveObject(sftp: SFTPWrapper, root: string, h: Handle, body: Uint8Array, signal?: AbortSignal): Promise<void> {
  const final = posix.join(root, ...objectSegments(h));
  signal?.throwIfAborted();
  const dir = posix.dirname(final);
  const tmp = posix.join(dir, TEMP_PREFIX + randomBytes(8).toString("hex"));
  const handle = await openTemp(sftp, h, dir, tmp, signal);
  try {
    await writeAndClose(sftp, handle, body, tmp, signal);
    signal?.throwIfAborted();
    if (h.type === "config") await publishConfig(sftp, tmp, final, body);
    else await publish(sftp, tmp, final);
  } catch (err) {
    await ops.unlink(sftp, tmp).catch(() => undefined); // already failing; the leftover sweep is the backstop
    throw err;
  }
}

/** openTemp creates the temp file, and a missing `data/xx` (or `records/`) folder on first use. */
async function openTemp(sftp: SFTPWrapper, h: Handle, dir: string, tmp: string, signal?: AbortSignal): Promise<Buffer> {
  try {
    return await ops.openExclusive(sftp, tmp, signal);
  } catch (err) {
    if (!createdOnFirstSave(h.type) || !isNotFoundError(err)) throw err;
  }
  // Not recursive: a missing `data/` means there is no repository, and that should fail.
  await mkdirIfMissing(sftp, dir, signal);
  return await ops.openExclusive(sftp, tmp, signal);
}

/** mkdirIfMissing creates `dir`; a folder that exists already (maybe made by a concurrent save) is fine. */
export async function mkdirIfMissing(sftp: SFTPWrapper, dir: string, signal?: AbortSignal): Promise<void> {
  try {
    await ops.mkdir(sftp, dir, signal);
  } catch (err) {
    // OpenSSH reports an existing folder as a generic failure, so look before giving up.
    const st = await ops.stat(sftp, dir, signal).catch(() => undefined);
    if (!st || !ops.isDir(st)) throw err;
  }
}

async function writeAndClose(sftp: SFTPWrapper, handle: Buffer, body: Uint8Array, tmp: string, signal?: AbortSignal): Promise<void> {
  try {
    await writeAll(sftp, handle, body, tmp, signal);
    // Without the extension the data reaches the server's page cache only; see docs/sftp.md.
    if (ops.hasExtension(sftp, "fsync@openssh.com")) await ops.fsync(sftp, handle, tmp);
  } catch (err) {
    await ops.close(sftp, handle, tmp).catch(() => undefined);
    throw err;
  }
  await ops.close(sftp, handle, tmp);
}

/**
 * publish moves `tmp` over `final`. Without posix-rename, plain rename refuses an existing
 * target, so the old copy (same name, so same content) is removed first: the object is
 * briefly absent, but never partial.
 */
async function publish(sftp: SFTPWrapper, tmp: string, final: string): Promise<void> {
  if (ops.hasExtension(sftp, "posix-rename@openssh.com")) return await ops.posixRename(sftp, tmp, final);
  try {
    await ops.rename(sftp, tmp, final);
  } catch (err) {
    if (!(await exists(sftp, final))) throw err;
    await ops.unlink(sftp, final);
    await ops.rename(sftp, tmp, final);
  }
}

/** publishConfig refuses to replace a config, except by identical bytes (a retried save). */
async function publishConfig(sftp: SFTPWrapper, tmp: string, final: string, body: Uint8Array): Promise<void> {
  try {
    await ops.rename(sftp, tmp, final);
    return;
  } catch (err) {
    if (!(await exists(sftp, final))) throw err;
    const existing = await loadAll(sftp, final);
    if (!sameBytes(existing, body)) {
      throw new ObjectExistsError(`${final} already exists with different content; refusing to replace it`, err);
    }
  }
  await ops.unlink(sftp, tmp);
}

async function exists(sftp: SFTPWrapper, p: string): Promise<boolean> {
  try {
    await ops.stat(sftp, p);
    return true;
  } catch (err) {
    if (isNotFoundError(err)) return false;
    throw err;
  }
}

async function loadAll(sftp: SFTPWrapper, p: string): Promise<Buffer> {
  const handle = await ops.openRead(sftp, p);
  try {
    const st = await ops.fstat(sftp, handle, p);
    return await readRange(sftp, handle, 0, st.size, p);
  } finally {
    await ops.close(sftp, handle, p).catch(() => undefined);
  }
}
