/**
 * @module repository/config
 * The repository's `config` object: format version, repository id, pack size and chunker
 * parameters. Sealed with the data key; written once by `init`, never modified.
 */
import { randomBytes } from "node:crypto";
import { FASTCDC_DEFAULTS } from "../chunker/index.ts";

export const REPO_VERSION = 1;
/** 16 MiB, restic's default: few objects per GB (cheap listings on S3) and bounded memory. */
export const DEFAULT_PACK_SIZE = 16 * 1024 * 1024;

export interface RepoConfig {
  version: number;
  id: string;
  created: string;
  packSize: number;
  chunker: { min: number; avg: number; max: number };
}

export interface ConfigOptions {
  packSize?: number;
  chunker?: { min: number; avg: number; max: number };
}

export function newConfig(opts: ConfigOptions = {}): RepoConfig {
  return {
    version: REPO_VERSION,
    id: randomBytes(16).toString("hex"),
    created: new Date().toISOString(),
    packSize: opts.packSize ?? DEFAULT_PACK_SIZE,
    chunker: opts.chunker ?? { ...FASTCDC_DEFAULTS },
  };
}

const isCount = (v: unknown) => Number.isSafeInteger(v) && (v as number) > 0;

/**
 * validateConfig fails closed on a version or shape this build does not understand. Sizes
 * must be counts: a chunker size that was an array crashed the chunker's own check with a
 * RangeError, and packSize 1e308 meant one pack for a whole backup (test/reliability/fuzz-keys.test.ts).
 */
export function validateConfig(c: RepoConfig): RepoConfig {
  const ch = c?.chunker as Partial<RepoConfig["chunker"]> | undefined;
  if (!c || typeof c.id !== "string" || !isCount(c.packSize) || typeof ch !== "object" || ch === null
    || ![ch.min, ch.avg, ch.max].every((v) => v === undefined || isCount(v))) {
    throw new Error("malformed config object");
  }
  if (c.version !== REPO_VERSION) {
    throw new Error(`repository format version ${c.version} is not supported by this lifeboat (supports ${REPO_VERSION})`);
  }
  return c;
}
