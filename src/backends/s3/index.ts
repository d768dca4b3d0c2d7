/**
 * @module backends/s3
 * The S3 backend: a repository is a key prefix in a bucket of AWS S3 or any S3-compatible
 * service (R2, B2, MinIO, Wasabi…). See docs/s3.md. Importing this module is cheap: the AWS
 * SDK loads inside createS3Backend.
 */
import type { Backend, FileType, Handle, IoOptions, LoadRange } from "../backend.ts";
import { isNotFoundError } from "../errors.ts";
import type { BackendOptions } from "../registry.ts";
import { connectS3, type S3Connection } from "./client.ts";
import { newContext, type S3Seams } from "./context.ts";
import { isS3Permanent } from "./errors.ts";
import { removeStaleUploads } from "./leftovers.ts";
import { parseS3Location, type S3Settings } from "./location.ts";
import { listType, loadObject, statObject } from "./read.ts";
import { createRepository, removeObject, saveObject } from "./write.ts";

export { parseS3Location, type S3Settings } from "./location.ts";
export { mapS3Error, S3Error } from "./errors.ts";
export type { S3Seams } from "./context.ts";

/** BACKEND_NAME is the scheme of this backend in repository locations (`s3:…`). */
export const BACKEND_NAME = "s3";

/**
 * createS3Backend opens `s3:<rest>`. Credentials come from `env` when it is passed and holds
 * AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, else from the SDK's default chain. No request is
 * made until the first call.
 */
export async function createS3Backend(rest: string, opts: BackendOptions, env: NodeJS.ProcessEnv = process.env, seams: S3Seams = {}): Promise<Backend> {
  const settings = parseS3Location(rest, opts, env);
  return newS3Backend(settings, await connectS3(settings, env), seams);
}

/** newS3Backend assembles the backend from parsed settings and a connected client. */
export function newS3Backend(s: S3Settings, conn: S3Connection, seams: S3Seams = {}): Backend {
  const ctx = newContext(s, conn, seams);
  seams.configureClient?.(conn.client);
  return {
    properties: { connections: s.connections, atomicReplace: true, location: s.display },
    create: (opts?: IoOptions) => createRepository(ctx, opts?.signal),
    save: (h: Handle, body: Uint8Array, opts?: IoOptions) => saveObject(ctx, h, body, opts?.signal),
    load: (h: Handle, range?: LoadRange, opts?: IoOptions) => loadObject(ctx, h, range, opts?.signal),
    stat: (h: Handle, opts?: IoOptions) => statObject(ctx, h, opts?.signal),
    list: (type: FileType, opts?: IoOptions) => listType(ctx, type, opts?.signal),
    remove: (h: Handle, opts?: IoOptions) => removeObject(ctx, h, opts?.signal),
    removeLeftovers: (olderThanMs: number, opts?: IoOptions) => removeStaleUploads(ctx, olderThanMs, opts?.signal),
    isNotFound: isNotFoundError,
    isPermanent: isS3Permanent,
    async close(): Promise<void> {
      conn.client.destroy();
    },
  };
}
