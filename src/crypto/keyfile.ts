/**
 * @module crypto/keyfile
 * Key files wrap the master secret under a password-derived key. Several key files (one
 * per password) can open the same repository; removing one revokes that password only.
 */
import { randomBytes } from "node:crypto";
import { hostname, userInfo } from "node:os";
import { AuthError, open, seal } from "./aead.ts";
import { DEFAULT_SCRYPT, deriveKey, type ScryptParams } from "./kdf.ts";

/** KeyFile is stored as plain JSON under keys/<sha256 of its bytes>. */
export interface KeyFile {
  version: 1;
  created: string;
  host: string;
  username: string;
  kdf: "scrypt";
  N: number;
  r: number;
  p: number;
  salt: string;
  /** base64 of seal(wrapKey, masterSecret, aad = "lifeboat key"). */
  data: string;
}

const AAD = Buffer.from("lifeboat key");

/** wrapSecret creates a key file for `password`. */
export async function wrapSecret(secret: Uint8Array, password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<KeyFile> {
  const salt = randomBytes(32);
  const wrapKey = await deriveKey(password, salt, params);
  return {
    version: 1,
    created: new Date().toISOString(),
    host: hostname(),
    username: safeUsername(),
    kdf: "scrypt",
    N: params.N, r: params.r, p: params.p,
    salt: salt.toString("base64"),
    data: Buffer.from(seal(wrapKey, secret, AAD)).toString("base64"),
  };
}

/** unwrapSecret returns the master secret, or null if `password` does not open this key. */
export async function unwrapSecret(kf: KeyFile, password: string): Promise<Uint8Array | null> {
  if (kf.kdf !== "scrypt") throw new Error(`unsupported key derivation "${String(kf.kdf)}"`);
  const wrapKey = await deriveKey(password, Buffer.from(kf.salt, "base64"), { N: kf.N, r: kf.r, p: kf.p });
  try {
    return open(wrapKey, Buffer.from(kf.data, "base64"), AAD);
  } catch (err) {
    if (err instanceof AuthError) return null;
    throw err;
  }
}

/** parseKeyFile validates the JSON shape of a stored key file. */
export function parseKeyFile(bytes: Uint8Array): KeyFile {
  const kf = JSON.parse(Buffer.from(bytes).toString("utf8")) as KeyFile;
  const ok = kf && kf.version === 1 && typeof kf.salt === "string" && typeof kf.data === "string"
    && Number.isInteger(kf.N) && Number.isInteger(kf.r) && Number.isInteger(kf.p);
  if (!ok) throw new Error("malformed key file");
  return kf;
}

function safeUsername(): string {
  try { return userInfo().username; } catch { return String(process.getuid?.() ?? "unknown"); }
}
