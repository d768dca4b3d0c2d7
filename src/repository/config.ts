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

/** validateConfig fails closed on a version or shape this build does not understand. */
export function validateConfig(c: RepoConfig): RepoConfig {
  if (!c || typeof c.id !== "string" || typeof c.packSize !== "number" || !c.chunker) {
    throw new Error("malformed config object");
  }
  if (c.version !== REPO_VERSION) {
    throw new Error(`repository format version ${c.version} is not supported by this lifeboat (supports ${REPO_VERSION})`);
  }
  return c;
}
