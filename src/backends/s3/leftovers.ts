/**
 * @module backends/s3/leftovers
 * removeLeftovers for S3: the only leftovers an S3 save can leave are pending multipart
 * uploads of a process killed mid-upload (or whose AbortMultipartUpload failed). They are
 * invisible to list/load but billed, so prune aborts those older than the grace period.
 */
import type { S3Context } from "./context.ts";
import { S3Error } from "./errors.ts";

/** removeStaleUploads aborts multipart uploads under the repository prefix older than `olderThanMs`. */
export async function removeStaleUploads(ctx: S3Context, olderThanMs: number, signal?: AbortSignal): Promise<number> {
  const { client, sdk } = ctx.conn;
  const Bucket = ctx.s.bucket;
  const Prefix = ctx.s.prefix === "" ? undefined : `${ctx.s.prefix}/`;
  const cutoff = Date.now() - olderThanMs;
  let removed = 0;
  let KeyMarker: string | undefined;
  let UploadIdMarker: string | undefined;
  for (;;) {
    let page;
    try {
      page = await ctx.call("list uploads", undefined, signal, (abortSignal) =>
        client.send(new sdk.ListMultipartUploadsCommand({ Bucket, Prefix, KeyMarker, UploadIdMarker }), { abortSignal }),
      );
    } catch (err) {
      // A server without ListMultipartUploads (s3rver) cannot have leftovers we could find.
      if (err instanceof S3Error && (err.status === 501 || err.s3Code === "NotImplemented")) return removed;
      throw err;
    }
    for (const u of page.Uploads ?? []) {
      if (!u.Key || !u.UploadId || (u.Initiated?.getTime() ?? 0) > cutoff) continue;
      const { Key, UploadId } = u;
      await ctx.call("abort upload", undefined, signal, (abortSignal) =>
        client.send(new sdk.AbortMultipartUploadCommand({ Bucket, Key, UploadId }), { abortSignal }),
      );
      removed++;
    }
    if (!page.IsTruncated) return removed;
    KeyMarker = page.NextKeyMarker;
    UploadIdMarker = page.NextUploadIdMarker;
  }
}
