/**
 * @module backends/s3/location
 * Parses an `s3:` location and its `-o s3.*` options into S3Settings: where the bucket is,
 * which key prefix the repository lives under, and how to talk to the service. Pure: no SDK,
 * no I/O, so it is cheap to test and to run before anything heavy loads.
 */
import { LifeboatError } from "../../errors/index.ts";
import { takeOptions, type BackendOptions } from "../registry.ts";

/** S3_OPTIONS lists the `s3.*` options with the one-line description takeOptions shows. */
export const S3_OPTIONS: Readonly<Record<string, string>> = {
  region: "the bucket's region (default: AWS_REGION, the profile's, or us-east-1 for a custom endpoint)",
  "path-style": "true/false: address the bucket as endpoint/bucket (default true for a custom endpoint)",
  profile: "the AWS shared-config profile to take credentials and region from",
  connections: "how many requests lifeboat runs at once (default 5)",
  "part-size": "multipart part size, e.g. 8MiB (5MiB-5GiB); bigger objects upload in parts",
  "storage-class": "the storage class of new objects, e.g. STANDARD_IA",
  "allow-http": "true: allow plain http:// to a host other than loopback",
};

const MIB = 1024 * 1024;
/** S3's limits on a multipart part (the last part may be smaller). */
export const MIN_PART_SIZE = 5 * MIB;
const MAX_PART_SIZE = 5 * 1024 * MIB;

/** S3Settings is everything the backend needs to know about a location, minus credentials. */
export interface S3Settings {
  /** Custom endpoint URL (scheme://host[:port]); undefined for AWS itself. */
  readonly endpoint?: string;
  readonly bucket: string;
  /** Key prefix without leading/trailing slashes; "" for the bucket root. */
  readonly prefix: string;
  readonly region?: string;
  readonly forcePathStyle: boolean;
  readonly profile?: string;
  readonly connections: number;
  readonly partSize: number;
  readonly storageClass?: string;
  /** The location as shown to users: never contains credentials. */
  readonly display: string;
}

// S3's rules for new buckets; older, looser names cannot be addressed reliably anyway.
const BUCKET_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** parseS3Location turns the part after `s3:` plus options into S3Settings, or throws a LifeboatError. */
export function parseS3Location(rest: string, opts: BackendOptions, env: NodeJS.ProcessEnv = process.env): S3Settings {
  const o = takeOptions("s3", opts, S3_OPTIONS);
  const custom = /^https?:\/\//i.test(rest);
  const { endpoint, path } = custom ? parseEndpoint(rest, o["allow-http"] === "true") : { endpoint: undefined, path: rest };
  const segments = path.split("/").filter((s) => s !== "");
  const bucket = segments[0] ?? "";
  if (!BUCKET_RE.test(bucket)) {
    throw new LifeboatError(`s3:${rest}: ${JSON.stringify(bucket)} is not a valid bucket name`, {
      hint: "write s3:BUCKET/PREFIX for AWS, or s3:https://ENDPOINT/BUCKET/PREFIX for another service",
    });
  }
  const prefix = segments.slice(1).join("/");
  const region = o.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? (custom ? "us-east-1" : undefined);
  const display = `s3:${endpoint ? `${endpoint}/` : ""}${bucket}${prefix ? `/${prefix}` : ""}`;
  return {
    endpoint,
    bucket,
    prefix,
    region,
    forcePathStyle: parseBool("path-style", o["path-style"], custom),
    profile: o.profile,
    connections: parseIntIn("connections", o.connections, 5, 1, 64),
    partSize: parseSize(o["part-size"], 8 * MIB),
    storageClass: o["storage-class"],
    display,
  };
}

function parseEndpoint(rest: string, allowHttp: boolean): { endpoint: string; path: string } {
  let url: URL;
  try {
    url = new URL(rest);
  } catch (err) {
    throw new LifeboatError(`s3:${rest}: not a valid endpoint URL`, { cause: err });
  }
  // Never let a secret end up in properties.location or a log line.
  if (url.username || url.password) {
    throw new LifeboatError(`s3 location must not contain credentials`, {
      hint: "set AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or -o s3.profile=NAME instead",
    });
  }
  if (url.protocol === "http:" && !allowHttp && !isLoopback(url.hostname)) {
    throw new LifeboatError(`s3:${url.origin}: plain http is only allowed to loopback`, {
      hint: "use https://, or pass -o s3.allow-http=true for a trusted network",
    });
  }
  if (url.search || url.hash) throw new LifeboatError(`s3:${rest}: the location takes no query or fragment`);
  return { endpoint: url.origin, path: decodeURIComponent(url.pathname) };
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function parseBool(name: string, value: string | undefined, dflt: boolean): boolean {
  if (value === undefined) return dflt;
  if (value === "true" || value === "false") return value === "true";
  throw new LifeboatError(`option s3.${name}=${value}: want true or false`);
}

function parseIntIn(name: string, value: string | undefined, dflt: number, min: number, max: number): number {
  if (value === undefined) return dflt;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new LifeboatError(`option s3.${name}=${value}: want a whole number from ${min} to ${max}`);
  return n;
}

/** parseSize reads "8MiB", "16M", "5242880" as bytes, within S3's part-size limits. */
function parseSize(value: string | undefined, dflt: number): number {
  if (value === undefined) return dflt;
  const m = /^(\d+)\s*(k|m|g)?(i?b)?$/i.exec(value.trim());
  const unit = { k: 1024, m: MIB, g: 1024 * MIB }[(m?.[2] ?? "").toLowerCase() as "k" | "m" | "g"] ?? 1;
  const n = m ? Number(m[1]) * unit : NaN;
  if (!Number.isSafeInteger(n) || n < MIN_PART_SIZE || n > MAX_PART_SIZE) {
    throw new LifeboatError(`option s3.part-size=${value}: want a size from 5MiB to 5GiB`, { hint: "for example -o s3.part-size=16MiB" });
  }
  return n;
}

/** objectKey joins the repository prefix and an object's segments into an S3 key. */
export function objectKey(prefix: string, segments: readonly string[]): string {
  return prefix === "" ? segments.join("/") : `${prefix}/${segments.join("/")}`;
}
