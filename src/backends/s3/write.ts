/**
 * @module backends/s3/write
 * save, remove, create and removeLeftovers. A PutObject or a CompleteMultipartUpload makes an
 * object visible whole or not at all, so saves are atomic without temp names. Every body
 * carries Content-MD5, so a server that checks it (AWS, MinIO, R2, B2…) rejects a transfer
 * damaged on the way with BadDigest, which is retryable.
 */
import type { Handle } from "../backend.ts";
import { describeHandle, isNotFoundError, ObjectExistsError } from "../errors.ts";
import { sameBytes } from "../layout.ts";
import type { S3Context } from "./context.ts";
import { S3Error } from "./errors.ts";
import { contentMd5, uploadMultipart } from "./multipart.ts";
import { loadObject, statObject } from "./read.ts";

const CONFIG: Handle = { type: "config", name: "" };

/** saveObject stores `body` under `h`: one PutObject up to the part size, multipart above. */
export async function saveObject(ctx: S3Context, h: Handle, body: Uint8Array, signal?: AbortSignal): Promise<void> {
  const Key = ctx.key(h);
  signal?.throwIfAborted();
  if (h.type === "config") return await saveConfig(ctx, Key, body, signal);
  if (body.byteLength <= ctx.s.partSize) return await putObject(ctx, h, Key, body, signal, false);
  await uploadMultipart({
    conn: ctx.conn,
    run: (sig, fn) => ctx.call("save", h, sig, fn),
    bucket: ctx.s.bucket,
    key: Key,
    body,
    partSize: ctx.s.partSize,
    // A few parts per object; the repository already saves `connections` objects at once.
    inFlight: Math.min(4, ctx.s.connections),
    storageClass: ctx.s.storageClass,
    signal,
  });
}

async function putObject(ctx: S3Context, h: Handle, Key: string, body: Uint8Array, signal: AbortSignal | undefined, ifAbsent: boolean): Promise<void> {
  const { client, sdk } = ctx.conn;
  const cmd = new sdk.PutObjectCommand({
    Bucket: ctx.s.bucket,
    Key,
    Body: body,
    ContentLength: body.byteLength,
    ContentMD5: contentMd5(body),
    StorageClass: ctx.s.storageClass as never,
    IfNoneMatch: ifAbsent ? "*" : undefined,
  });
  await ctx.call("save", h, signal, (abortSignal) => client.send(cmd, { abortSignal }));
}

/**
 * saveConfig never replaces a config with different bytes. HEAD-and-compare first; then a
 * conditional PUT (If-None-Match: *) closes the race with a concurrent `init` on services
 * that honour it (AWS, R2, MinIO). Servers that ignore it (s3rver, some older ones) leave a
 * window between our check and our PUT: two simultaneous inits can race, last one wins.
 */
async function saveConfig(ctx: S3Context, Key: string, body: Uint8Array, signal?: AbortSignal): Promise<void> {
  if (await sameAsExisting(ctx, body, signal)) return;
  try {
    await putObject(ctx, CONFIG, Key, body, signal, true);
  } catch (err) {
    if (!(err instanceof S3Error)) throw err;
    if (err.status === 412) {
      if (await sameAsExisting(ctx, body, signal)) return;
      throw err;
    }
    // A server that does not implement conditional writes: the HEAD check above must do.
    if (err.status === 501 || err.s3Code === "NotImplemented") return await putObject(ctx, CONFIG, Key, body, signal, false);
    throw err;
  }
}

/** sameAsExisting is false when there is no config; true when it holds `body`; throws otherwise. */
async function sameAsExisting(ctx: S3Context, body: Uint8Array, signal?: AbortSignal): Promise<boolean> {
  let existing: Uint8Array;
  try {
    existing = await loadObject(ctx, CONFIG, undefined, signal);
  } catch (err) {
    if (isNotFoundError(err)) return false;
    throw err;
  }
  if (sameBytes(existing, body)) return true;
  throw new ObjectExistsError(`${ctx.s.display}: refusing to replace the repository config with different bytes`);
}

/** removeObject is DeleteObject; S3 answers 204 for an absent key too. */
export async function removeObject(ctx: S3Context, h: Handle, signal?: AbortSignal): Promise<void> {
  const Key = ctx.key(h);
  const { client, sdk } = ctx.conn;
  try {
    await ctx.call("remove", h, signal, (abortSignal) => client.send(new sdk.DeleteObjectCommand({ Bucket: ctx.s.bucket, Key }), { abortSignal }));
  } catch (err) {
    if (!isNotFoundError(err)) throw err;
  }
}

/**
 * createRepository makes the bucket if it is missing (like restic's init) and refuses an
 * existing config. There are no folders to make: S3 keys need no parents.
 */
export async function createRepository(ctx: S3Context, signal?: AbortSignal): Promise<void> {
  const { client, sdk } = ctx.conn;
  if (!(await ctx.bucketExists(signal))) {
    // us-east-1 rejects an explicit LocationConstraint; custom endpoints mostly ignore it.
    const region = ctx.s.region;
    const CreateBucketConfiguration = !ctx.s.endpoint && region && region !== "us-east-1" ? { LocationConstraint: region as never } : undefined;
    try {
      await ctx.call("create bucket", undefined, signal, (abortSignal) =>
        client.send(new sdk.CreateBucketCommand({ Bucket: ctx.s.bucket, CreateBucketConfiguration }), { abortSignal }),
      );
    } catch (err) {
      // Another init created it meanwhile: fine, it is ours.
      if (!(err instanceof S3Error && err.s3Code === "BucketAlreadyOwnedByYou")) throw err;
    }
  }
  const config = await statObject(ctx, CONFIG, signal).catch((err: unknown) => {
    if (isNotFoundError(err)) return undefined;
    throw err;
  });
  if (config) throw new ObjectExistsError(`a repository already exists at ${ctx.s.display} (it has a ${describeHandle(CONFIG)})`);
}
