/**
 * @module backends/local
 * The local-filesystem backend: a repository is a folder on a mounted disk. Writes are
 * atomic and durable (see ./save.ts); files are 0600 and folders 0700, since the repository
 * holds key and data ciphertext. The fs calls go through `fsOps` so tests can inject faults.
 */
import type { Stats } from "node:fs";
import * as path from "node:path";
import type { Backend, FileInfo, FileType, Handle, IoOptions, LoadRange } from "../backend.ts";
import { isNotFoundError, isPermanentError, ObjectExistsError } from "../errors.ts";
import { CONFIG_FILE, objectSegments, TEMP_PREFIX, TYPE_DIRS } from "../layout.ts";
import { fsOps, fsyncDir, unlinkIfExists } from "./fsops.ts";
import { listType, loadFile } from "./read.ts";
import { DIR_MODE, saveAtomic } from "./save.ts";

export { fsOps } from "./fsops.ts";

/** BACKEND_NAME is the scheme of this backend in repository locations (`local:/path`). */
export const BACKEND_NAME = "local";

/**
 * createLocalBackend returns a backend for the repository folder at `repoPath` (made
 * absolute now, so a later chdir does not move it). Nothing is touched until the first call.
 */
export function createLocalBackend(repoPath: string): Backend {
  const root = path.resolve(repoPath);
  const fileOf = (h: Handle): string => path.join(root, ...objectSegments(h));
  return {
    properties: { connections: 8, packUploads: 1, listLagMs: 0, atomicReplace: true, location: root },
    create: (opts?: IoOptions) => createLayout(root, opts?.signal),
    save: (h: Handle, body: Uint8Array, opts?: IoOptions) => saveAtomic(root, h, body, opts?.signal),
    load: (h: Handle, range?: LoadRange, opts?: IoOptions) => loadFile(fileOf(h), range, opts?.signal),
    stat: (h: Handle, opts?: IoOptions) => statObject(fileOf(h), h, opts?.signal),
    list: (type: FileType, opts?: IoOptions) => listType(root, type, opts?.signal),
    async remove(h: Handle, opts?: IoOptions): Promise<void> {
      opts?.signal?.throwIfAborted();
      await unlinkIfExists(fileOf(h));
    },
    removeLeftovers: (olderThanMs: number, opts?: IoOptions) => removeLeftovers(root, olderThanMs, opts?.signal),
    isNotFound: isNotFoundError,
    isPermanent: isPermanentError,
    close: async () => undefined,
  };
}

async function statObject(file: string, h: Handle, signal?: AbortSignal): Promise<FileInfo> {
  signal?.throwIfAborted();
  const st = await fsOps.stat(file);
  if (!st.isFile()) throw Object.assign(new Error(`${file} is not a regular file`), { code: "EISDIR" });
  return { name: h.name, size: st.size, mtimeMs: st.mtimeMs };
}

/** createLayout makes the repository folders. It refuses a file path and an existing repository. */
async function createLayout(root: string, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  const st = await statOrUndefined(root);
  if (st && !st.isDirectory()) {
    throw Object.assign(new Error(`cannot create a repository at ${root}: the path is not a directory`), {
      code: "ENOTDIR",
    });
  }
  if (st && (await statOrUndefined(path.join(root, CONFIG_FILE)))) {
    throw new ObjectExistsError(`a repository already exists at ${root} (it has a config)`);
  }
  await fsOps.mkdir(root, { recursive: true, mode: DIR_MODE });
  for (const dir of Object.values(TYPE_DIRS)) {
    signal?.throwIfAborted();
    await fsOps.mkdir(path.join(root, dir), { recursive: true, mode: DIR_MODE });
  }
  await fsyncDir(root);
  await fsyncDir(path.dirname(root));
}

async function statOrUndefined(file: string): Promise<Stats | undefined> {
  try {
    return await fsOps.stat(file);
  } catch (err) {
    if (isNotFoundError(err)) return undefined;
    throw err;
  }
}

/** removeLeftovers deletes `.tmp-*` files of saves that a killed process never finished. */
async function removeLeftovers(root: string, olderThanMs: number, signal?: AbortSignal): Promise<number> {
  const dirs = [root, ...Object.values(TYPE_DIRS).map((d) => path.join(root, d))];
  const fanout = await fsOps.readdir(path.join(root, TYPE_DIRS.pack)).catch(() => [] as string[]);
  dirs.push(...fanout.map((d) => path.join(root, TYPE_DIRS.pack, String(d))));
  let removed = 0;
  const now = Date.now();
  for (const dir of dirs) {
    signal?.throwIfAborted();
    const names = await fsOps.readdir(dir).catch(() => [] as string[]);
    for (const name of names.map(String).filter((n) => n.startsWith(TEMP_PREFIX))) {
      const st = await statOrUndefined(path.join(dir, name));
      if (!st || !st.isFile() || now - st.mtimeMs < olderThanMs) continue;
      await unlinkIfExists(path.join(dir, name));
      removed++;
    }
  }
  return removed;
}
