/**
 * @module backends/mem
 * An in-memory backend for fast tests. It keeps the local backend's semantics, including
 * the awkward ones a test should trip over: objects are copied in and out (a caller reusing
 * its buffer cannot change a stored object), nothing can be saved before create(), and an
 * existing `config` is never replaced with different bytes.
 */
import type { Backend, FileInfo, FileType, Handle, IoOptions, LoadRange } from "../backend.ts";
import { InvalidHandleError, isNotFoundError, isPermanentError, NotFoundError, ObjectExistsError } from "../errors.ts";
import { checkHandle, FILE_TYPES, resolveRange, sameBytes } from "../layout.ts";

/** BACKEND_NAME is the scheme of this backend (`mem:`); each open gets a fresh, empty store. */
export const BACKEND_NAME = "mem";

interface Entry {
  readonly data: Uint8Array;
  readonly mtimeMs: number;
}

/** createMemBackend returns an empty in-memory backend; `location` only labels it in messages. */
export function createMemBackend(location = "mem:"): Backend {
  const objects = new Map<FileType, Map<string, Entry>>();
  let created = false;

  const folder = (h: Handle): Map<string, Entry> => {
    checkHandle(h);
    // Before create() there is no layout, as for a local repository path that does not exist.
    const f = objects.get(h.type);
    if (!created || !f) throw new NotFoundError(h);
    return f;
  };
  const entry = (h: Handle): Entry => {
    const e = folder(h).get(h.name);
    if (!e) throw new NotFoundError(h);
    return e;
  };

  return {
    properties: { connections: 10, atomicReplace: true, location },
    async create(opts?: IoOptions): Promise<void> {
      opts?.signal?.throwIfAborted();
      if (objects.get("config")?.has("")) throw new ObjectExistsError(`a repository already exists at ${location} (it has a config)`);
      for (const t of FILE_TYPES) if (!objects.has(t)) objects.set(t, new Map());
      created = true;
    },
    async save(h: Handle, body: Uint8Array, opts?: IoOptions): Promise<void> {
      opts?.signal?.throwIfAborted();
      const f = folder(h);
      const old = f.get(h.name);
      if (h.type === "config" && old && !sameBytes(old.data, body)) {
        throw new ObjectExistsError(`${location} config already exists with different content; refusing to replace it`);
      }
      // new Uint8Array copies; Buffer#slice would share the caller's memory.
      f.set(h.name, { data: new Uint8Array(body), mtimeMs: Date.now() });
    },
    async load(h: Handle, range?: LoadRange, opts?: IoOptions): Promise<Uint8Array> {
      opts?.signal?.throwIfAborted();
      const { data } = entry(h);
      const { start, end } = resolveRange(data.byteLength, range);
      return data.slice(start, end);
    },
    async stat(h: Handle, opts?: IoOptions): Promise<FileInfo> {
      opts?.signal?.throwIfAborted();
      const e = entry(h);
      return { name: h.name, size: e.data.byteLength, mtimeMs: e.mtimeMs };
    },
    async *list(type: FileType, opts?: IoOptions): AsyncGenerator<FileInfo> {
      opts?.signal?.throwIfAborted();
      if (!FILE_TYPES.includes(type)) throw new InvalidHandleError(`unknown file type ${JSON.stringify(type)}`);
      // Snapshot the names: a caller may remove objects while it iterates.
      for (const [name, e] of [...(objects.get(type) ?? [])]) {
        opts?.signal?.throwIfAborted();
        yield { name, size: e.data.byteLength, mtimeMs: e.mtimeMs };
      }
    },
    async remove(h: Handle, opts?: IoOptions): Promise<void> {
      opts?.signal?.throwIfAborted();
      checkHandle(h);
      objects.get(h.type)?.delete(h.name);
    },
    isNotFound: isNotFoundError,
    isPermanent: isPermanentError,
    close: async () => undefined,
  };
}
