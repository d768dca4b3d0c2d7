/**
 * @module backends/sftp/read
 * Reading side of the sftp backend: whole and ranged loads, stat, and listing a type's
 * folder (packs across the `data/xx` fan-out folders, read concurrently since each readdir
 * is a round trip). Only regular files with valid object names are listed, which skips
 * temp files and anything else a user left there.
 */
import { posix } from "node:path";
import type { FileEntryWithStats, SFTPWrapper } from "ssh2";
import type { FileInfo, FileType, Handle, LoadRange } from "../backend.ts";
import { InvalidHandleError, isNotFoundError } from "../errors.ts";
import { CONFIG_FILE, isObjectName, objectSegments, resolveRange, TYPE_DIRS } from "../layout.ts";
import * as ops from "./ops.ts";
import { readRange } from "./transfer.ts";

/** loadObject reads `range` of `h`; a positive range skips the fstat round trip. */
export async function loadObject(sftp: SFTPWrapper, root: string, h: Handle, range: LoadRange = {}, signal?: AbortSignal): Promise<Buffer> {
  const file = posix.join(root, ...objectSegments(h));
  const handle = await ops.openRead(sftp, file, signal);
  try {
    const direct = range.length !== undefined && range.length > 0 && (range.offset ?? 0) >= 0;
    const size = async () => (await ops.fstat(sftp, handle, file, signal)).size;
    const { start, end } = direct ? { start: range.offset ?? 0, end: (range.offset ?? 0) + range.length! } : resolveRange(await size(), range);
    const buf = await readRange(sftp, handle, start, end, file, signal);
    if (direct && buf.length === 0) resolveRange(await size(), range); // throws if the range starts beyond the end
    return buf;
  } finally {
    await ops.close(sftp, handle, file).catch(() => undefined); // a read-only handle has nothing to lose
  }
}

/** statObject returns size and mtime of `h`; a folder in its place is an error, not an object. */
export async function statObject(sftp: SFTPWrapper, root: string, h: Handle, signal?: AbortSignal): Promise<FileInfo> {
  const file = posix.join(root, ...objectSegments(h));
  const st = await ops.stat(sftp, file, signal);
  if (!ops.isRegular(st)) throw Object.assign(new Error(`${file} is not a regular file`), { code: "EISDIR" });
  return { name: h.name, size: st.size, mtimeMs: st.mtime * 1000 };
}

const LIST_PARALLEL = 16;

/** listType yields every object of `type`; a missing folder lists as empty. */
export async function* listType(sftp: SFTPWrapper, root: string, type: FileType, signal?: AbortSignal): AsyncGenerator<FileInfo> {
  signal?.throwIfAborted();
  if (type === "config") {
    const st = await ops.stat(sftp, posix.join(root, CONFIG_FILE), signal).catch((err: unknown) => {
      if (isNotFoundError(err)) return undefined;
      throw err;
    });
    if (st && ops.isRegular(st)) yield { name: "", size: st.size, mtimeMs: st.mtime * 1000 };
    return;
  }
  if (!Object.hasOwn(TYPE_DIRS, type)) throw new InvalidHandleError(`unknown file type ${JSON.stringify(type)}`);
  const dir = posix.join(root, TYPE_DIRS[type]);
  if (type !== "pack") {
    yield* objects(await readdirOrEmpty(sftp, dir, signal), "");
    return;
  }
  const subs = (await readdirOrEmpty(sftp, dir, signal)).filter((e) => ops.isDir(e.attrs) && /^[0-9a-f]{2}$/.test(e.filename));
  for (let i = 0; i < subs.length; i += LIST_PARALLEL) {
    const batch = subs.slice(i, i + LIST_PARALLEL);
    const listed = await Promise.all(batch.map((e) => readdirOrEmpty(sftp, posix.join(dir, e.filename), signal)));
    for (const [j, entries] of listed.entries()) yield* objects(entries, batch[j]!.filename);
  }
}

// A pack outside its own fan-out folder could not be loaded by name, so it is not listed.
function* objects(entries: readonly FileEntryWithStats[], prefix: string): Generator<FileInfo> {
  for (const e of entries) {
    if (!ops.isRegular(e.attrs) || !isObjectName(e.filename) || !e.filename.startsWith(prefix)) continue;
    yield { name: e.filename, size: e.attrs.size, mtimeMs: e.attrs.mtime * 1000 };
  }
}

/** readdirOrEmpty lists `dir`, treating a missing folder as empty. */
export async function readdirOrEmpty(sftp: SFTPWrapper, dir: string, signal?: AbortSignal): Promise<FileEntryWithStats[]> {
  try {
    return await ops.readdir(sftp, dir, signal);
  } catch (err) {
    if (isNotFoundError(err)) return [];
    throw err;
  }
}
