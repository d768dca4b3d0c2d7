/**
 * @module repository/objects
 * The envelope of every unpacked object (config, index, snapshot, lock): JSON, zstd,
 * sealed with the data key and the object type as associated data. Objects other than
 * `config` are named by the SHA-256 of their stored bytes, so a reader can tell a damaged
 * or truncated object before decrypting it.
 */
import { constants } from "node:buffer";
import { createHash } from "node:crypto";
import { open, seal } from "../crypto/aead.ts";
import type { FileType } from "../backends/backend.ts";
import { IntegrityError } from "../errors/index.ts";
import { compressSync, decompressSync } from "./compress.ts";

const FORMAT_RAW = 0;
const FORMAT_ZSTD = 1;

// A zstd frame of a few KiB can claim gigabytes (found by test/reliability/fuzz.test.ts: a
// 4 KiB index object inflated to 9 GiB, 34 s). Our JSON is mostly random hex (ids, hashes)
// and compresses a few times at most, so past 64 MiB it may not inflate more than 64:1, and
// text longer than a string cannot be parsed anyway: beyond either, it is damage.
const MAX_RATIO = 64;
const RATIO_FLOOR = 64 * 1024 * 1024;

function inflateLimit(packed: number): number {
  return Math.min(constants.MAX_STRING_LENGTH, Math.max(RATIO_FLOOR, MAX_RATIO * packed));
}

/** sha256hex names stored objects and packs. */
export function sha256hex(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** encodeObject turns a JSON value into sealed bytes for `type`. */
export function encodeObject(key: Uint8Array, type: FileType, value: unknown): Uint8Array {
  const json = Buffer.from(JSON.stringify(value), "utf8");
  const packed = json.length > 256 ? compressSync(json) : null;
  const body = packed && packed.length < json.length
    ? Buffer.concat([Buffer.from([FORMAT_ZSTD]), packed])
    : Buffer.concat([Buffer.from([FORMAT_RAW]), json]);
  return seal(key, body, Buffer.from(type));
}

/**
 * decodeObject verifies and parses sealed bytes. `name`, when given, must be the SHA-256
 * of the bytes. Any failure is an IntegrityError naming the object.
 */
export function decodeObject<T>(key: Uint8Array, type: FileType, bytes: Uint8Array, name?: string): T {
  const label = name ? `${type} ${name}` : type;
  if (name !== undefined && sha256hex(bytes) !== name) {
    throw new IntegrityError(label, "stored bytes do not match their name (damaged or truncated)");
  }
  let body: Buffer;
  try {
    body = open(key, bytes, Buffer.from(type));
  } catch (cause) {
    throw new IntegrityError(label, "does not decrypt (damaged, or from another repository)", cause);
  }
  try {
    const packed = body.subarray(1);
    const payload = body[0] === FORMAT_ZSTD ? decompressSync(packed, inflateLimit(packed.length)) : packed;
    return JSON.parse(payload.toString("utf8")) as T;
  } catch (cause) {
    throw new IntegrityError(label, "does not parse", cause);
  }
}
