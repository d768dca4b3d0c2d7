/**
 * @module backends/local/read
 * Reading side of the local backend: whole and ranged loads, and listing a type's folder
 * (packs across their `data/xx/` fan-out folders). Listing yields only regular files with
 * valid object names, which skips temp files and anything else a user left there.
 */
import type { Dirent } from "node:fs";
import * as path from "node:path";
import type { FileInfo, FileType, LoadRange } from "../backend.ts";
import { InvalidHandleError, isNotFoundError } from "../errors.ts";
import { CONFIG_FILE, isObjectName, resolveRange, TYPE_DIRS } from "../layout.ts";
import { fsOps } from "./fsops.ts";

/**
 * loadFile returns the bytes of `file` selected by `range` (see resolveRange). A ranged
 * load reads only that range through a file handle; a file that shrinks mid-read gives a
 * short result rather than padding.
 */
export async function loadFile(file: string, range?: LoadRange, signal?: AbortSignal): Promise<Uint8Array> {
  signal?.throwIfAborted();
  if (range === undefined || ((range.offset ?? 0) === 0 && range.length === undefined)) {
    return await fsOps.readFile(file, { signal });
  }
  const fh = await fsOps.open(file, "r");
  try {
    // A plain (offset, length) range needs no fstat: read, and stat only if nothing came back.
    const direct = range.length !== undefined && (range.offset ?? 0) >= 0 && range.length > 0;
    const { start, end } = direct ? { start: range.offset ?? 0, end: (range.offset ?? 0) + range.length! } : resolveRange((await fh.stat()).size, range);
    const buf = Buffer.allocUnsafe(end - start);
    let done = 0;
    while (done < buf.length) {
      signal?.throwIfAborted();
      const { bytesRead } = await fh.read(buf, done, buf.length - done, start + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    if (direct && done === 0) resolveRange((await fh.stat()).size, range); // throws if beyond the end
    return done === buf.length ? buf : buf.subarray(0, done);
  } finally {
    await fh.close();
  }
}

/** listType yields every object of `type` below `root`. A missing folder lists as empty. */
export async function* listType(root: string, type: FileType, signal?: AbortSignal): AsyncGenerator<FileInfo> {
  signal?.throwIfAborted();
  if (type === "config") {
    const info = await statOrUndefined(path.join(root, CONFIG_FILE));
    if (info) yield { ...info, name: "" };
    return;
  }
  if (!Object.hasOwn(TYPE_DIRS, type)) throw new InvalidHandleError(`unknown file type ${JSON.stringify(type)}`);
  const dir = path.join(root, TYPE_DIRS[type]);
  if (type !== "pack") {
    yield* listDir(dir, "", signal);
    return;
  }
  for (const sub of await readdirOrEmpty(dir)) {
    if (sub.isDirectory() && /^[0-9a-f]{2}$/.test(sub.name)) {
      yield* listDir(path.join(dir, sub.name), sub.name, signal);
    }
  }
}

async function* listDir(dir: string, prefix: string, signal?: AbortSignal): AsyncGenerator<FileInfo> {
  for (const ent of await readdirOrEmpty(dir)) {
    signal?.throwIfAborted();
    // A pack outside its own fan-out folder could not be loaded by name, so it is not listed.
    if (!ent.isFile() || !isObjectName(ent.name) || !ent.name.startsWith(prefix)) continue;
    const info = await statOrUndefined(path.join(dir, ent.name));
    if (info) yield { ...info, name: ent.name };
  }
}

async function readdirOrEmpty(dir: string): Promise<Dirent[]> {
  try {
    return await fsOps.readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (isNotFoundError(err)) return [];
    throw err;
  }
}

// An entry removed between readdir and stat is simply gone; that is not an error.
async function statOrUndefined(file: string): Promise<FileInfo | undefined> {
  try {
    const st = await fsOps.stat(file);
    return { name: path.basename(file), size: st.size, mtimeMs: st.mtimeMs };
  } catch (err) {
    if (isNotFoundError(err)) return undefined;
    throw err;
  }
}
