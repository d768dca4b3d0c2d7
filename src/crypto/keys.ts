/**
 * @module crypto/keys
 * The key hierarchy. A repository has one random 64-byte master secret, never stored in
 * the clear. Purpose keys are derived from it with HKDF-SHA-256 so that a leak of one
 * purpose key (say, the chunker's gear table) reveals nothing about the others.
 */
import { createHmac, hkdfSync, randomBytes } from "node:crypto";
import { keyObject } from "./aead.ts";

export const MASTER_SECRET_SIZE = 64;

/** MasterKey holds the purpose keys derived from the master secret. */
export interface MasterKey {
  /** AES-256-GCM key for every encrypted object and blob. */
  readonly data: Uint8Array;
  /** HMAC-SHA-256 key for blob ids, so ids do not reveal which known files are stored. */
  readonly id: Uint8Array;
  /** Seed of the chunker's gear table (fingerprint resistance, as borg and restic). */
  readonly chunker: Uint8Array;
}

export function newMasterSecret(): Uint8Array {
  return randomBytes(MASTER_SECRET_SIZE);
}

/** deriveMasterKey expands the master secret into the purpose keys. */
export function deriveMasterKey(secret: Uint8Array): MasterKey {
  const derive = (label: string) =>
    new Uint8Array(hkdfSync("sha256", secret, Buffer.alloc(0), `lifeboat v1 ${label}`, 32));
  return { data: derive("data"), id: derive("blob-id"), chunker: derive("chunker") };
}

/** blobId is the keyed content id of a plaintext blob (hex). */
export function blobId(key: MasterKey, plaintext: Uint8Array): string {
  return createHmac("sha256", keyObject(key.id)).update(plaintext).digest("hex");
}

/**
 * recordKey is the HMAC key of signed records (drift approvals, drill results). It is its
 * own purpose key so that a record's signature proves the record was made by a holder of
 * the repository secret, independent of the envelope that seals it.
 */
export function recordKey(secret: Uint8Array): Uint8Array {
  return new Uint8Array(hkdfSync("sha256", secret, Buffer.alloc(0), "lifeboat v1 record-hmac", 32));
}

/** recordMac is the hex HMAC-SHA-256 of `text` under a record key. */
export function recordMac(key: Uint8Array, text: string): string {
  return createHmac("sha256", keyObject(key)).update(text, "utf8").digest("hex");
}
