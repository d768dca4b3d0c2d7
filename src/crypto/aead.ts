/**
 * @module crypto/aead
 * Authenticated encryption of every stored byte: AES-256-GCM with a fresh random 96-bit
 * nonce per call. Layout: nonce(12) || ciphertext || tag(16). `aad` binds the ciphertext to
 * its context (object type, blob id) so a valid ciphertext cannot be moved elsewhere.
 */
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from "node:crypto";

// A raw key costs a KeyObject per call (~15 µs, 5% of a restore's CPU); reuse one per key.
const keyObjects = new WeakMap<Uint8Array, KeyObject>();

/** keyObject returns the cached KeyObject for a raw key. */
export function keyObject(key: Uint8Array): KeyObject {
  let k = keyObjects.get(key);
  if (!k) keyObjects.set(key, (k = createSecretKey(key)));
  return k;
}

export const NONCE_SIZE = 12;
export const TAG_SIZE = 16;
/** Bytes added to every sealed message. */
export const OVERHEAD = NONCE_SIZE + TAG_SIZE;

// Nonces are cut from one CSPRNG draw of many: a randomBytes call per blob cost 6 µs, 150 ms
// of an initial backup's ~25k blobs (bench/agent, issue 4). Each nonce is still 96 fresh
// random bits used once; the pool is never reused after it is consumed.
const NONCE_POOL = 512 * NONCE_SIZE;
let pool = Buffer.alloc(0);
let poolAt = 0;

function nextNonce(): Buffer {
  if (poolAt + NONCE_SIZE > pool.length) {
    pool = randomBytes(NONCE_POOL);
    poolAt = 0;
  }
  const n = pool.subarray(poolAt, poolAt + NONCE_SIZE);
  poolAt += NONCE_SIZE;
  return n;
}

/** seal encrypts and authenticates `plaintext` under `key` (32 bytes). */
export function seal(key: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Uint8Array {
  const out = Buffer.allocUnsafe(NONCE_SIZE + plaintext.length + TAG_SIZE);
  sealInto(key, plaintext, aad, out, 0);
  return out;
}

/**
 * sealInto writes the sealed message into `out` at `offset` (it needs plaintext.length +
 * OVERHEAD bytes) and returns its length: many blobs sealed into one buffer are one
 * allocation instead of one each.
 */
export function sealInto(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array | undefined, out: Buffer, offset: number): number {
  const nonce = nextNonce();
  const cipher = createCipheriv("aes-256-gcm", keyObject(key), nonce);
  if (aad) cipher.setAAD(aad);
  nonce.copy(out, offset);
  let off = offset + NONCE_SIZE;
  off += cipher.update(plaintext).copy(out, off);
  off += cipher.final().copy(out, off);
  cipher.getAuthTag().copy(out, off);
  return off + TAG_SIZE - offset;
}

/** AuthError means the message was altered, truncated, or sealed under another key. */
export class AuthError extends Error {
  constructor(cause?: unknown) {
    super("ciphertext does not authenticate", { cause });
    this.name = "AuthError";
  }
}

/** open verifies and decrypts a sealed message; it throws AuthError on any mismatch. */
export function open(key: Uint8Array, sealed: Uint8Array, aad?: Uint8Array): Buffer {
  if (sealed.length < OVERHEAD) throw new AuthError(new Error(`message too short: ${sealed.length} bytes`));
  const buf = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.length);
  const nonce = buf.subarray(0, NONCE_SIZE);
  const tag = buf.subarray(buf.length - TAG_SIZE);
  try {
    const decipher = createDecipheriv("aes-256-gcm", keyObject(key), nonce);
    if (aad) decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    const body = decipher.update(buf.subarray(NONCE_SIZE, buf.length - TAG_SIZE));
    const fin = decipher.final();
    return fin.length === 0 ? body : Buffer.concat([body, fin]);
  } catch (cause) {
    throw new AuthError(cause);
  }
}
