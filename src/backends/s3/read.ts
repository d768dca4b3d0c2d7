/**
 * @module backends/s3/read
 * stat (HeadObject), load (GetObject, ranged) and list (ListObjectsV2). load turns the
 * contract's ranges into HTTP Range headers without knowing the size: a negative offset is a
 * suffix range (`bytes=-N`), so a pack trailer costs one request. Only a range the server
 * refuses (416) or a zero-length read costs a HeadObject to decide "empty" vs "beyond the end".
 */
import type { FileInfo, FileType, Handle, LoadRange } from "../backend.ts";
import { describeHandle, InvalidHandleError, isNotFoundError, RangeNotSatisfiableError } from "../errors.ts";
import { isObjectName, resolveRange, TYPE_DIRS } from "../layout.ts";
import type { S3Context } from "./context.ts";
import { objectKey } from "./location.ts";

/** statObject is one HeadObject; never a LIST. */
export async function statObject(ctx: S3Context, h: Handle, signal?: AbortSignal): Promise<FileInfo> {
  const { client, sdk } = ctx.conn;
  const Key = ctx.key(h);
  try {
    const out = await ctx.call("stat", h, signal, (abortSignal) => client.send(new sdk.HeadObjectCommand({ Bucket: ctx.s.bucket, Key }), { abortSignal }));
    return { name: h.name, size: out.ContentLength ?? 0, mtimeMs: out.LastModified?.getTime() };
  } catch (err) {
    throw await ctx.confirmBucket(err, signal);
  }
}

/** loadObject returns the bytes of `h` selected by `range` (see layout.resolveRange). */
export async function loadObject(ctx: S3Context, h: Handle, range: LoadRange = {}, signal?: AbortSignal): Promise<Uint8Array> {
  const Key = ctx.key(h);
  checkRange(range);
  if (range.length === 0) {
    resolveRange((await statObject(ctx, h, signal)).size, range);
    return new Uint8Array(0);
  }
  try {
    return await getRange(ctx, h, Key, range, signal);
  } catch (err) {
    if (!(err instanceof RangeNotSatisfiableError)) throw await ctx.confirmBucket(err, signal);
    // 416: either exactly at the end (an empty read) or beyond it; only the size can tell.
    const r = resolveRange((await statObject(ctx, h, signal)).size, range);
    if (r.end === r.start) return new Uint8Array(0);
    throw err;
  }
}

function checkRange({ offset = 0, length }: LoadRange): void {
  if (!Number.isSafeInteger(offset)) throw new RangeNotSatisfiableError(`invalid offset ${offset}`);
  if (length !== undefined && (!Number.isSafeInteger(length) || length < 0)) throw new RangeNotSatisfiableError(`invalid length ${length}`);
}

/** rangeHeader maps a LoadRange to an HTTP Range; undefined reads the whole object. */
export function rangeHeader({ offset = 0, length }: LoadRange): string | undefined {
  if (offset < 0) return `bytes=${offset}`; // suffix: the last -offset bytes, clamped by the server
  if (length === undefined) return offset === 0 ? undefined : `bytes=${offset}-`;
  return `bytes=${offset}-${offset + length - 1}`;
}

async function getRange(ctx: S3Context, h: Handle, Key: string, range: LoadRange, signal?: AbortSignal): Promise<Uint8Array> {
  const suffix = (range.offset ?? 0) < 0;
  const first = await fetchRange(ctx, h, Key, rangeHeader(range), signal);
  if (!first.contentRange) {
    // A server that ignores Range sends the whole object (200, no Content-Range): cut it here.
    const r = resolveRange(first.bytes.byteLength, range);
    return first.bytes.subarray(r.start, r.end);
  }
  // A suffix range carries no length: ask for the tail, then trim it to the length.
  const asked: LoadRange = suffix ? { offset: range.offset } : range;
  const want = resolveRange(first.contentRange.total, asked);
  let bytes = first.bytes;
  if (!servedExactly(first, want)) {
    // Some servers (s3rver) misread `bytes=-N` as `bytes=0-N`: never trust, check and re-ask.
    if (!suffix) throw new Error(`load ${describeHandle(h)}: the server sent ${first.contentRange.raw} for ${rangeHeader(range)}`);
    if (want.end === want.start) return new Uint8Array(0);
    const again = await fetchRange(ctx, h, Key, `bytes=${want.start}-${want.end - 1}`, signal);
    if (!again.contentRange || !servedExactly(again, want)) throw new Error(`load ${describeHandle(h)}: the server sent ${again.contentRange?.raw ?? "the whole object"} for bytes ${want.start}-${want.end - 1}`);
    bytes = again.bytes;
  }
  return suffix && range.length !== undefined ? bytes.subarray(0, range.length) : bytes;
}

interface Fetched {
  readonly bytes: Uint8Array;
  readonly contentRange?: { start: number; end: number; total: number; raw: string };
}

async function fetchRange(ctx: S3Context, h: Handle, Key: string, Range: string | undefined, signal?: AbortSignal): Promise<Fetched> {
  const { client, sdk } = ctx.conn;
  return await ctx.call("load", h, signal, async (abortSignal) => {
    const out = await client.send(new sdk.GetObjectCommand({ Bucket: ctx.s.bucket, Key, Range }), { abortSignal });
    // Read the body inside call(): a connection dropped mid-body is mapped like any other.
    const bytes = out.Body ? await out.Body.transformToByteArray() : new Uint8Array(0);
    return { bytes, contentRange: Range ? parseContentRange(out.ContentRange) : undefined };
  });
}

/** parseContentRange reads `bytes START-END/TOTAL` into a half-open interval. */
function parseContentRange(raw: string | undefined): Fetched["contentRange"] {
  const m = raw ? /^bytes (\d+)-(\d+)\/(\d+)$/.exec(raw.trim()) : null;
  return m && raw ? { start: Number(m[1]), end: Number(m[2]) + 1, total: Number(m[3]), raw } : undefined;
}

function servedExactly(f: Fetched, want: { start: number; end: number }): boolean {
  const cr = f.contentRange;
  return cr !== undefined && cr.start === want.start && cr.end === want.end && f.bytes.byteLength === want.end - want.start;
}

/**
 * listType yields every object of `type`, paging through ListObjectsV2 under its folder. No
 * Delimiter: packs sit one level down (data/ab/…), and some S3-compatibles drop prefixes.
 */
export async function* listType(ctx: S3Context, type: FileType, signal?: AbortSignal): AsyncGenerator<FileInfo> {
  signal?.throwIfAborted();
  if (type === "config") {
    const info = await statObject(ctx, { type, name: "" }, signal).catch((err: unknown) => {
      if (isNotFoundError(err)) return undefined;
      throw err;
    });
    if (info) yield info;
    return;
  }
  if (!Object.hasOwn(TYPE_DIRS, type)) throw new InvalidHandleError(`unknown file type ${JSON.stringify(type)}`);
  const Prefix = `${objectKey(ctx.s.prefix, [TYPE_DIRS[type]])}/`;
  let ContinuationToken: string | undefined;
  do {
    const page = await ctx.call("list", undefined, signal, (abortSignal) =>
      ctx.conn.client.send(new ctx.conn.sdk.ListObjectsV2Command({ Bucket: ctx.s.bucket, Prefix, ContinuationToken, MaxKeys: ctx.seams.listPageSize }), { abortSignal }),
    );
    for (const obj of page.Contents ?? []) {
      const name = obj.Key ? nameOf(type, obj.Key.slice(Prefix.length)) : undefined;
      if (name) yield { name, size: obj.Size ?? 0, mtimeMs: obj.LastModified?.getTime() };
    }
    if (page.IsTruncated && !page.NextContinuationToken) throw new Error(`list ${type}: the server truncated the listing without a continuation token`);
    ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (ContinuationToken);
}

/** nameOf returns the object name for a key below the type's folder, or undefined for foreign keys. */
function nameOf(type: FileType, rest: string): string | undefined {
  if (type !== "pack") return isObjectName(rest) ? rest : undefined;
  // A pack outside its own fan-out folder could not be loaded by name, so it is not listed.
  const m = /^([0-9a-f]{2})\/([^/]+)$/.exec(rest);
  return m && isObjectName(m[2]!) && m[2]!.startsWith(m[1]!) ? m[2] : undefined;
}
