/**
 * @module backends/wrappers/intercept
 * intercept builds a wrapper from one function that runs around every call, so each
 * wrapper (limit, read-only, log) states its policy once instead of re-listing the
 * Backend's methods.
 */
import type { Backend, FileInfo, FileType, Handle, IoOptions, LoadRange } from "../backend.ts";

/** BackendOp names a Backend operation. */
export type BackendOp = "create" | "save" | "load" | "stat" | "list" | "remove";

/**
 * Around runs `fn` (the inner call) for `op` on `handle`. For list it wraps opening the
 * listing and draining it, so a limit holds its slot for the whole listing.
 */
export type Around = <T>(op: BackendOp, handle: Handle, fn: () => Promise<T>) => Promise<T>;

const CONFIG: Handle = { type: "config", name: "" };

/** intercept returns `be` with `around` applied to every operation; other members pass through. */
export function intercept(be: Backend, around: Around, properties = be.properties): Backend {
  async function* list(type: FileType, o?: IoOptions): AsyncGenerator<FileInfo> {
    // Buffer the listing inside `around`: a slot or a log line then covers the whole list call.
    const all = await around("list", { type, name: "" }, async () => {
      const out: FileInfo[] = [];
      for await (const fi of be.list(type, o)) out.push(fi);
      return out;
    });
    yield* all;
  }
  const out: Backend = {
    properties,
    create: (o?: IoOptions) => around("create", CONFIG, () => be.create(o)),
    save: (h: Handle, body: Uint8Array, o?: IoOptions) => around("save", h, () => be.save(h, body, o)),
    load: (h: Handle, range?: LoadRange, o?: IoOptions) => around("load", h, () => be.load(h, range, o)),
    stat: (h: Handle, o?: IoOptions) => around("stat", h, () => be.stat(h, o)),
    list,
    remove: (h: Handle, o?: IoOptions) => around("remove", h, () => be.remove(h, o)),
    isNotFound: (err: unknown) => be.isNotFound(err),
    isPermanent: (err: unknown) => be.isPermanent(err),
    close: () => be.close(),
  };
  const leftovers = be.removeLeftovers?.bind(be);
  if (leftovers) out.removeLeftovers = (ms: number, o?: IoOptions) => around("remove", CONFIG, () => leftovers(ms, o));
  return out;
}
