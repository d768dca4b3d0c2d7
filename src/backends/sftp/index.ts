/**
 * @module backends/sftp
 * The sftp backend: a repository is a folder on an ssh server, reached over one shared SSH
 * connection (./connection.ts) with pipelined transfers (./transfer.ts). Saves are atomic
 * via temp file + posix-rename (./save.ts). Loaded lazily by the registry, so ssh2 is only
 * imported when a repository uses sftp.
 */
import { posix } from "node:path";
import type { SFTPWrapper } from "ssh2";
import { Semaphore } from "../../util/semaphore.ts";
import type { Backend, FileType, Handle, IoOptions, LoadRange } from "../backend.ts";
import { isNotFoundError, isPermanentError, ObjectExistsError } from "../errors.ts";
import { CONFIG_FILE, objectSegments, TEMP_PREFIX, TYPE_DIRS } from "../layout.ts";
import type { BackendOptions } from "../registry.ts";
import { SftpConnection } from "./connection.ts";
import * as ops from "./ops.ts";
import { listType, loadObject, readdirOrEmpty, statObject } from "./read.ts";
import { mkdirIfMissing, saveObject } from "./save.ts";
import { resolveSettings } from "./settings.ts";

/** BACKEND_NAME is the scheme of this backend in repository locations (`sftp:host:path`). */
export const BACKEND_NAME = "sftp";

/**
 * createSftpBackend returns a backend for the location after `sftp:`. It reads the ssh
 * config now but connects on the first call, so opening a backend never blocks.
 */
export async function createSftpBackend(rest: string, opts: BackendOptions): Promise<Backend> {
  const settings = await resolveSettings(rest, opts);
  const conn = new SftpConnection(settings);
  const root = settings.path;
  const slots = new Semaphore(settings.connections);
  // with holds one of `connections` slots, so many callers cannot flood one SSH channel.
  const withSftp = <T>(signal: AbortSignal | undefined, fn: (sftp: SFTPWrapper) => Promise<T>): Promise<T> =>
    slots.run(async () => fn(await conn.sftp(signal)));
  return {
    properties: { connections: settings.connections, atomicReplace: true, location: settings.location },
    create: (o?: IoOptions) => withSftp(o?.signal, (s) => createLayout(s, root, o?.signal)),
    async save(h: Handle, body: Uint8Array, o?: IoOptions) {
      objectSegments(h); // an invalid handle fails before any connection attempt
      return await withSftp(o?.signal, (s) => saveObject(s, root, h, body, o?.signal));
    },
    load: (h: Handle, range?: LoadRange, o?: IoOptions) => withSftp(o?.signal, (s) => loadObject(s, root, h, range, o?.signal)),
    stat: (h: Handle, o?: IoOptions) => withSftp(o?.signal, (s) => statObject(s, root, h, o?.signal)),
    async *list(type: FileType, o?: IoOptions) {
      yield* listType(await conn.sftp(o?.signal), root, type, o?.signal);
    },
    remove: (h: Handle, o?: IoOptions) => withSftp(o?.signal, (s) => removeObject(s, posix.join(root, ...objectSegments(h)), o?.signal)),
    removeLeftovers: (olderThanMs: number, o?: IoOptions) =>
      withSftp(o?.signal, (s) => removeLeftovers(s, root, olderThanMs, o?.signal)),
    isNotFound: isNotFoundError,
    isPermanent: isPermanentError,
    close: () => conn.close(),
  };
}

async function removeObject(sftp: SFTPWrapper, file: string, signal?: AbortSignal): Promise<void> {
  try {
    await ops.unlink(sftp, file, signal);
  } catch (err) {
    if (!isNotFoundError(err)) throw err;
  }
}

/** createLayout makes the repository folders. It refuses a file path and an existing repository. */
async function createLayout(sftp: SFTPWrapper, root: string, signal?: AbortSignal): Promise<void> {
  const st = await ops.stat(sftp, root, signal).catch((err: unknown) => {
    if (isNotFoundError(err)) return undefined;
    throw err;
  });
  if (st && !ops.isDir(st)) {
    throw Object.assign(new Error(`cannot create a repository at ${root}: the path is not a directory`), { code: "ENOTDIR" });
  }
  if (st && (await ops.stat(sftp, posix.join(root, CONFIG_FILE), signal).then(() => true, () => false))) {
    throw new ObjectExistsError(`a repository already exists at ${root} (it has a config)`);
  }
  if (!st) await mkdirParents(sftp, root, signal);
  await Promise.all(Object.values(TYPE_DIRS).map((d) => mkdirIfMissing(sftp, posix.join(root, d), signal)));
}

/** mkdirParents is `mkdir -p`: it walks up to the first existing folder, then down. */
async function mkdirParents(sftp: SFTPWrapper, dir: string, signal?: AbortSignal): Promise<void> {
  try {
    await mkdirIfMissing(sftp, dir, signal);
  } catch (err) {
    const parent = posix.dirname(dir);
    if (!isNotFoundError(err) || parent === dir || parent === ".") throw err;
    await mkdirParents(sftp, parent, signal);
    await mkdirIfMissing(sftp, dir, signal);
  }
}

/** removeLeftovers deletes `.tmp-*` files of saves that a killed process never finished. */
async function removeLeftovers(sftp: SFTPWrapper, root: string, olderThanMs: number, signal?: AbortSignal): Promise<number> {
  const dirs = [root, ...Object.values(TYPE_DIRS).map((d) => posix.join(root, d))];
  const data = posix.join(root, TYPE_DIRS.pack);
  for (const e of await readdirOrEmpty(sftp, data, signal)) if (ops.isDir(e.attrs)) dirs.push(posix.join(data, e.filename));
  // mtime is the server's clock; a skew smaller than olderThanMs (prune uses hours) is harmless.
  const cutoff = Date.now() - olderThanMs;
  let removed = 0;
  for (const dir of dirs) {
    for (const e of await readdirOrEmpty(sftp, dir, signal)) {
      if (!e.filename.startsWith(TEMP_PREFIX) || !ops.isRegular(e.attrs) || e.attrs.mtime * 1000 > cutoff) continue;
      await removeObject(sftp, posix.join(dir, e.filename), signal);
      removed++;
    }
  }
  return removed;
}
