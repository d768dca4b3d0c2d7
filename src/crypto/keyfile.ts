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

/**
 * Ceilings on a key file's scrypt cost: 128·N·r bytes of memory and N·r·p units of work, 4×
 * the default's (64 MiB, ~110 ms). Key files are plain JSON anyone with write access to
 * keys/ can add: without a ceiling one claiming N=2^22 made every command take 17 s and
 * 4 GiB, and N=3 (which scrypt refuses) failed the open before the good key was tried
 * (found by test/reliability/fuzz-keys.test.ts).
 */
const MAX_SCRYPT_MEMORY = 256 * 1024 * 1024;
const MAX_SCRYPT_WORK = 4 * 2 ** 19;

/** scryptAccepts: what OpenSSL's scrypt itself refuses (N < 2^(16r)), and r, p small enough that deriveKey's maxmem holds their buffers. */
function scryptAccepts(N: number, r: number, p: number): boolean {
  return N >= 2 && (N & (N - 1)) === 0 && r >= 1 && r <= 32 && p >= 1 && p <= 16 && Math.log2(N) < 16 * r;
}

/** parseKeyFile validates the JSON shape of a stored key file and bounds its scrypt cost. */
export function parseKeyFile(bytes: Uint8Array): KeyFile {
  let kf: KeyFile;
  try {
    kf = JSON.parse(Buffer.from(bytes).toString("utf8")) as KeyFile;
  } catch (cause) {
    throw new Error("malformed key file: not JSON", { cause });
  }
  const ok = kf && kf.version === 1 && kf.kdf === "scrypt" && typeof kf.salt === "string" && typeof kf.data === "string"
    && typeof kf.created === "string" && typeof kf.host === "string" && typeof kf.username === "string"
    && Number.isInteger(kf.N) && Number.isInteger(kf.r) && Number.isInteger(kf.p);
  if (!ok) throw new Error("malformed key file");
  const { N, r, p } = kf;
  if (!scryptAccepts(N, r, p) || 128 * N * r > MAX_SCRYPT_MEMORY || N * r * p > MAX_SCRYPT_WORK) {
    throw new Error(`malformed key file: scrypt parameters N=${N} r=${r} p=${p} are invalid or beyond what lifeboat accepts`);
  }
  return kf;
}

function safeUsername(): string {
  try { return userInfo().username; } catch { return String(process.getuid?.() ?? "unknown"); }
}
