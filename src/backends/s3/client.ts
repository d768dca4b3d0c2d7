/**
 * @module backends/s3/client
 * Builds the AWS SDK S3Client for a location. This is the only place that loads the SDK, and it
 * does so with a dynamic import, so importing the s3 backend module costs nothing until a
 * repository actually uses S3. The client settings here are load-bearing; see the comments.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type { S3Settings } from "./location.ts";

/** S3Sdk is the client-s3 module, passed around so callers need no static import of it. */
export type S3Sdk = typeof import("@aws-sdk/client-s3");

/** S3Connection is a configured client plus what error messages need to say where it points. */
export interface S3Connection {
  readonly sdk: S3Sdk;
  readonly client: S3Client;
  /** Where requests go, for messages: the endpoint, or "AWS S3 (region)". */
  readonly where: string;
  /** Where credentials come from, for the hint of an auth error. */
  readonly credentialSource: string;
}

/** Lifeboat's retry wrapper (wrappers/retry.ts) owns retries; see maxAttempts below. */
const CONNECT_TIMEOUT_MS = 10_000;
/** An idle socket this long means a stalled transfer; the retry wrapper then tries again. */
const SOCKET_IDLE_TIMEOUT_MS = 120_000;

/** connectS3 loads the SDK and returns a client for `s`, with credentials from `env`. */
export async function connectS3(s: S3Settings, env: NodeJS.ProcessEnv = process.env): Promise<S3Connection> {
  const sdk = await import("@aws-sdk/client-s3");
  const staticKeys = env !== process.env && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY;
  const client = new sdk.S3Client({
    region: s.region,
    endpoint: s.endpoint,
    forcePathStyle: s.forcePathStyle,
    profile: s.profile,
    // An explicit env (tests, an embedding host) must not fall through to process.env.
    credentials: staticKeys
      ? { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY!, sessionToken: env.AWS_SESSION_TOKEN }
      : undefined,
    // The default (WHEN_SUPPORTED) sends streamed bodies aws-chunked with a trailing CRC;
    // several S3-compatibles (s3rver, older MinIO/Ceph) store that framing as the object:
    // silent corruption. We send Content-MD5 instead, which every S3-compatible accepts.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    // One attempt: wrapBackend() retries with backoff and honours isPermanent/abort; SDK
    // retries underneath would multiply attempts (5 x 3) and hide progress from the user.
    maxAttempts: 1,
    requestHandler: {
      connectionTimeout: CONNECT_TIMEOUT_MS,
      socketTimeout: SOCKET_IDLE_TIMEOUT_MS,
      httpAgent: { keepAlive: true, maxSockets: s.connections * 4 },
      httpsAgent: { keepAlive: true, maxSockets: s.connections * 4 },
    },
  });
  return { sdk, client, where: s.endpoint ?? `AWS S3${s.region ? ` (${s.region})` : ""}`, credentialSource: describeCredentials(s, env, Boolean(staticKeys)) };
}

function describeCredentials(s: S3Settings, env: NodeJS.ProcessEnv, staticKeys: boolean): string {
  if (staticKeys || (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY)) return "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY";
  const profile = s.profile ?? env.AWS_PROFILE;
  if (profile) return `profile ${JSON.stringify(profile)} in ~/.aws/credentials or ~/.aws/config`;
  return "the default AWS chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, ~/.aws, instance role)";
}
