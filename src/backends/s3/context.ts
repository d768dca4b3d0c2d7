/**
 * @module backends/s3/context
 * S3Context is what every s3 operation shares: the settings, the client, the key layout and
 * `call`, the one wrapper through which every SDK request goes so that abort handling and
 * error mapping are the same everywhere.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type { Handle } from "../backend.ts";
import { BackendAccessError, isNotFoundError } from "../errors.ts";
import { objectSegments } from "../layout.ts";
import type { S3Connection } from "./client.ts";
import { mapS3Error, s3CodeOf } from "./errors.ts";
import { objectKey, type S3Settings } from "./location.ts";

/** S3Seams are test hooks; production code never sets them. */
export interface S3Seams {
  /** MaxKeys per ListObjectsV2 page, to test pagination without 1000 objects. */
  readonly listPageSize?: number;
  /** Called once with the new client, e.g. to add a fault-injecting middleware. */
  readonly configureClient?: (client: S3Client) => void;
}

export interface S3Context {
  readonly s: S3Settings;
  readonly conn: S3Connection;
  readonly seams: S3Seams;
  /** key returns the S3 key of `h`, validating the handle (InvalidHandleError). */
  key(h: Handle): string;
  /** call runs one SDK request: checks `signal` first, and maps any failure (see errors.ts). */
  call<T>(op: string, h: Handle | undefined, signal: AbortSignal | undefined, fn: (abortSignal: AbortSignal | undefined) => Promise<T>): Promise<T>;
  /**
   * confirmBucket turns a not-found from a bodiless HEAD into a no-bucket error when the bucket
   * itself is missing (HEAD cannot say which of the two is absent). Returns the error to throw.
   */
  confirmBucket(err: unknown, signal: AbortSignal | undefined): Promise<unknown>;
  /** bucketExists is HeadBucket: false on 404, throws the mapped error otherwise. */
  bucketExists(signal: AbortSignal | undefined): Promise<boolean>;
}

/** newContext wires the shared helpers for one backend instance. */
export function newContext(s: S3Settings, conn: S3Connection, seams: S3Seams): S3Context {
  // Once any request on the bucket has succeeded, a 404 means the object, not the bucket:
  // this saves a HeadBucket per missing object (lock and config probes are frequent).
  let bucketSeen = false;
  const ctx: S3Context = {
    s,
    conn,
    seams,
    key: (h) => objectKey(s.prefix, objectSegments(h)),
    async call(op, h, signal, fn) {
      signal?.throwIfAborted();
      try {
        const out = await fn(signal);
        bucketSeen = true;
        return out;
      } catch (err) {
        signal?.throwIfAborted();
        throw mapS3Error(err, { op, handle: h, bucket: s.bucket, where: conn.where, credentialSource: conn.credentialSource });
      }
    },
    async confirmBucket(err, signal) {
      if (bucketSeen || !isNotFoundError(err)) return err;
      // Drop the NotFoundError itself: its ENOENT would make the no-bucket error "not found".
      return (await ctx.bucketExists(signal)) ? err : noBucket((err as Error).cause);
    },
    async bucketExists(signal) {
      signal?.throwIfAborted();
      try {
        await conn.client.send(new conn.sdk.HeadBucketCommand({ Bucket: s.bucket }), { abortSignal: signal });
        bucketSeen = true;
        return true;
      } catch (err) {
        signal?.throwIfAborted();
        const { code, status } = s3CodeOf(err);
        if (status === 404 || code === "NoSuchBucket" || code === "NotFound") return false;
        throw mapS3Error(err, { op: "check bucket", bucket: s.bucket, where: conn.where, credentialSource: conn.credentialSource });
      }
    },
  };
  const noBucket = (cause: unknown) =>
    new BackendAccessError("no-bucket", `bucket ${s.bucket} does not exist at ${conn.where}`, {
      hint: "create it, or run `lifeboat init` which creates it; check the region/endpoint",
      cause,
    });
  return ctx;
}
