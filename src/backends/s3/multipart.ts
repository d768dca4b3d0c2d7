/**
 * @module backends/s3/multipart
 * Uploads a large in-memory body as an S3 multipart upload: parts of `partSize` bytes, a few
 * in flight, each with its own Content-MD5 so the server rejects a part damaged on the way.
 * The object appears only at CompleteMultipartUpload, so a failed or aborted upload never
 * leaves a partial object; on failure we AbortMultipartUpload so no parts linger (billed).
 * Written by hand rather than with lib-storage's Upload, to control per-part MD5 and abort.
 */
import { createHash } from "node:crypto";
import type { CompletedPart } from "@aws-sdk/client-s3";
import type { S3Connection } from "./client.ts";

/** Run performs one SDK call with the caller's error mapping and abort handling. */
export type Run = <T>(signal: AbortSignal | undefined, call: (abortSignal: AbortSignal | undefined) => Promise<T>) => Promise<T>;

export interface MultipartParams {
  readonly conn: S3Connection;
  readonly run: Run;
  readonly bucket: string;
  readonly key: string;
  readonly body: Uint8Array;
  readonly partSize: number;
  /** Parts uploaded at once for this object. */
  readonly inFlight: number;
  readonly storageClass?: string;
  readonly signal?: AbortSignal;
}

/** An AbortMultipartUpload must run even after the caller aborted, but not hang forever. */
const CLEANUP_TIMEOUT_MS = 30_000;

/** contentMd5 is the base64 MD5 S3 checks the body against (BadDigest on mismatch). */
export function contentMd5(body: Uint8Array): string {
  return createHash("md5").update(body).digest("base64");
}

/** uploadMultipart stores `body` under `key` via a multipart upload (see module header). */
export async function uploadMultipart(p: MultipartParams): Promise<void> {
  const { sdk, client } = p.conn;
  const { Bucket, Key } = { Bucket: p.bucket, Key: p.key };
  const created = await p.run(p.signal, (abortSignal) =>
    client.send(new sdk.CreateMultipartUploadCommand({ Bucket, Key, StorageClass: p.storageClass as never }), { abortSignal }),
  );
  const UploadId = created.UploadId;
  if (!UploadId) throw new Error(`save ${Key}: the server returned no UploadId`);
  // One failed part cancels its siblings; the caller's abort cancels them all.
  const inner = new AbortController();
  const onAbort = () => inner.abort(p.signal?.reason);
  p.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const parts = await uploadParts(p, UploadId, inner);
    await p.run(p.signal, (abortSignal) =>
      client.send(new sdk.CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts } }), { abortSignal }),
    );
  } catch (err) {
    await abortUpload(p, UploadId).catch(() => {
      // The pending upload is invisible to list/load; Backend.removeLeftovers (prune) or a
      // bucket lifecycle rule removes it. The upload error is the one the caller must see.
    });
    throw err;
  } finally {
    p.signal?.removeEventListener("abort", onAbort);
  }
}

async function uploadParts(p: MultipartParams, UploadId: string, inner: AbortController): Promise<CompletedPart[]> {
  const { sdk, client } = p.conn;
  const count = Math.max(1, Math.ceil(p.body.byteLength / p.partSize));
  const parts: CompletedPart[] = new Array(count);
  let next = 0;
  let failure: { err: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < count) {
      const i = next++;
      const part = p.body.subarray(i * p.partSize, Math.min(p.body.byteLength, (i + 1) * p.partSize));
      try {
        const out = await p.run(inner.signal, (abortSignal) =>
          client.send(
            new sdk.UploadPartCommand({ Bucket: p.bucket, Key: p.key, UploadId, PartNumber: i + 1, Body: part, ContentLength: part.byteLength, ContentMD5: contentMd5(part) }),
            { abortSignal },
          ),
        );
        parts[i] = { PartNumber: i + 1, ETag: out.ETag };
      } catch (err) {
        failure ??= { err };
        inner.abort(err);
      }
    }
  };
  // Wait for every worker, so no part lands after the upload is aborted.
  await Promise.allSettled(Array.from({ length: Math.min(p.inFlight, count) }, worker));
  if (failure) throw failure.err;
  return parts;
}

async function abortUpload(p: MultipartParams, UploadId: string): Promise<void> {
  const { sdk, client } = p.conn;
  await client.send(new sdk.AbortMultipartUploadCommand({ Bucket: p.bucket, Key: p.key, UploadId }), {
    abortSignal: AbortSignal.timeout(CLEANUP_TIMEOUT_MS),
  });
}
