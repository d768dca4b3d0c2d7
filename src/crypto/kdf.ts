/**
 * @module crypto/kdf
 * Password-based key derivation with scrypt. Parameters are stored in each key file so
 * they can be raised later without breaking old keys.
 */
import { scrypt } from "node:crypto";

export interface ScryptParams {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/**
 * N=2^16, r=8: 64 MiB and about 110 ms here, restic's documented parameters. 2^17 (128 MiB,
 * 220 ms) put every command's peak RSS at 190 MiB before any work, twice restic's (bench/).
 */
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 16, r: 8, p: 1 };
/** Only for tests: orders of magnitude weaker. Never the default. */
export const TEST_SCRYPT: ScryptParams = { N: 2 ** 10, r: 8, p: 1 };

/** deriveKey turns a password into a 32-byte wrapping key. */
export function deriveKey(password: string, salt: Uint8Array, params: ScryptParams): Promise<Uint8Array> {
  // maxmem must exceed 128*N*r, or scrypt throws for N >= 2^15 (dependencies.md trap 12).
  const maxmem = 256 * params.N * params.r + 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFC"), salt, 32, { ...params, maxmem }, (err, key) => {
      if (err) reject(new Error("derive key with scrypt", { cause: err }));
      else resolve(new Uint8Array(key));
    });
  });
}
