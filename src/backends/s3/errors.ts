/**
 * @module backends/s3/errors
 * Translates SDK and network failures into lifeboat's error vocabulary: a missing object
 * becomes NotFoundError (code ENOENT), access problems become BackendAccessError (distinct
 * CLI exit codes), a bad range becomes RangeNotSatisfiableError, and the rest become S3Error,
 * permanent or retryable by S3's own meaning. Every mapped error keeps the original as `cause`.
 */
import type { Handle } from "../backend.ts";
import { BackendAccessError, errorChain, isPermanentError, NotFoundError, RangeNotSatisfiableError } from "../errors.ts";

/** S3Error is an S3 failure that is neither "not found" nor an access problem. */
export class S3Error extends Error {
  /** The S3 error code (NoSuchUpload, SlowDown…) or the HTTP status when the body had none. */
  readonly s3Code: string;
  readonly status: number | undefined;
  readonly permanent: boolean;
  constructor(message: string, s3Code: string, status: number | undefined, permanent: boolean, cause: unknown) {
    super(message, { cause });
    this.name = "S3Error";
    this.s3Code = s3Code;
    this.status = status;
    this.permanent = permanent;
  }
}

/** ErrorContext says what was being done, for the message and for choosing a mapping. */
export interface ErrorContext {
  readonly op: string;
  readonly handle?: Handle;
  readonly bucket: string;
  readonly where: string;
  readonly credentialSource: string;
}

const NOT_FOUND = new Set(["NoSuchKey", "NotFound"]);
const AUTH = new Set(["InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken", "TokenRefreshRequired", "CredentialsProviderError", "InvalidClientTokenId"]);
const DENIED = new Set(["AccessDenied", "AllAccessDisabled", "AccountProblem", "Forbidden"]);
const NETWORK = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH", "EPIPE", "ECONNABORTED"]);
// Worth another attempt: the service is busy, the transfer was damaged on the way, or a
// multipart upload vanished (a retried save starts a new one).
const TRANSIENT = new Set(["SlowDown", "Throttling", "ThrottlingException", "RequestTimeout", "RequestTimeTooSkewed", "InternalError", "ServiceUnavailable", "BadDigest", "NoSuchUpload", "OperationAborted", "TimeoutError", "RequestTimeoutException"]);

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
}

/** s3CodeOf returns the S3 error code, falling back to the HTTP status for bodiless replies (HEAD). */
export function s3CodeOf(err: unknown): { code: string; status: number | undefined } {
  const e = (err ?? {}) as SdkErrorShape;
  const status = e.$metadata?.httpStatusCode;
  const code = e.Code ?? e.name ?? "";
  if (/^\d+$/.test(code) || code === "UnknownError" || code === "Unknown") return { code: String(status ?? code), status };
  return { code, status };
}

function networkCode(err: unknown): string | undefined {
  for (const e of errorChain(err)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && NETWORK.has(code)) return code;
    if (e instanceof Error && /socket hang up/i.test(e.message)) return "socket hang up";
  }
  return undefined;
}

/** mapS3Error converts a failed SDK call into the error lifeboat throws (see module header). */
export function mapS3Error(err: unknown, ctx: ErrorContext): Error {
  const what = `${ctx.op}${ctx.handle ? ` ${ctx.handle.type === "config" ? "config" : `${ctx.handle.type} ${ctx.handle.name}`}` : ""}`;
  const net = networkCode(err);
  if (net) {
    return new BackendAccessError("unreachable", `${what}: cannot reach ${ctx.where} (${net})`, {
      hint: "check the endpoint URL, DNS and network; lifeboat retries transient failures",
      cause: err,
    });
  }
  const { code, status } = s3CodeOf(err);
  if (code === "NoSuchBucket") {
    return new BackendAccessError("no-bucket", `bucket ${ctx.bucket} does not exist at ${ctx.where}`, {
      hint: "create it, or run `lifeboat init` which creates it; check the region/endpoint",
      cause: err,
    });
  }
  if (ctx.handle && (NOT_FOUND.has(code) || code === "404")) return new NotFoundError(ctx.handle, err);
  if (AUTH.has(code) || code === "CredentialsProviderError") {
    return new BackendAccessError("auth", `${what}: ${ctx.where} rejected the credentials (${code})`, {
      hint: `check the credentials from ${ctx.credentialSource}`,
      cause: err,
    });
  }
  if (DENIED.has(code) || status === 403) {
    return new BackendAccessError("denied", `${what}: access denied to bucket ${ctx.bucket} at ${ctx.where} (${code})`, {
      hint: `check the bucket policy / key permissions, and the credentials from ${ctx.credentialSource}`,
      cause: err,
    });
  }
  if (code === "InvalidRange" || status === 416) return Object.assign(new RangeNotSatisfiableError(`${what}: range not satisfiable`), { cause: err });
  if (code === "PermanentRedirect" || code === "AuthorizationHeaderMalformed" || status === 301) {
    return new S3Error(`${what}: bucket ${ctx.bucket} is in another region than ${ctx.where} (${code}); set -o s3.region=…`, code, status, true, err);
  }
  const transient = TRANSIENT.has(code) || status === undefined || status >= 500 || status === 408 || status === 429;
  return new S3Error(`${what} at ${ctx.where}: ${code || "error"}${(err as SdkErrorShape)?.message ? `: ${(err as SdkErrorShape).message}` : ""}`, code, status, !transient, err);
}

/** isS3Permanent is the backend's isPermanent: the shared rules plus permanent S3Errors. */
export function isS3Permanent(err: unknown): boolean {
  if (isPermanentError(err)) return true;
  for (const e of errorChain(err)) if (e instanceof S3Error) return e.permanent;
  return false;
}
