/**
 * @module repository/compress
 * zstd compression of blobs and metadata (node:zlib, no native addon). Data is compressed
 * after deduplication, and stored raw when compression does not shrink it.
 */
import { constants, zstdCompressSync, zstdDecompressSync } from "node:zlib";
import { compressReusing, decompressInto, resetDecompressor } from "./zstdctx.ts";

export { resetDecompressor } from "./zstdctx.ts";

/** Level 3 measured ~314 MB/s at ratio 3.4 on agent text (shared/reference/README.md). */
export const ZSTD_LEVEL = 3;
const optsByLevel = new Map<number, { params: Record<number, number> }>();

function optsFor(level: number): { params: Record<number, number> } {
  let o = optsByLevel.get(level);
  if (!o) optsByLevel.set(level, (o = { params: { [constants.ZSTD_c_compressionLevel]: level } }));
  return o;
}
const opts = optsFor(ZSTD_LEVEL);

// Synchronous on purpose: on Node 24 the async zlib path (thread pool, 16 KiB output
// callbacks) measured 10x slower for 1 MiB blobs: 200 MiB random took 1951 ms async vs
// 192 ms sync, agent text 638 ms vs 81 ms. A larger chunkSize made sync 7x slower.

/** maybeCompress returns the zstd frame (at `level`) if it is smaller, otherwise null (store raw). */
export function maybeCompress(data: Uint8Array, level = ZSTD_LEVEL): Buffer | null {
  if (data.length < 32) return null;
  // A reused context (zstdctx.ts) when Node offers one; the per-call function otherwise.
  const reused = compressReusing(data, level);
  if (reused !== undefined) return reused;
  const out = zstdCompressSync(data, optsFor(level));
  return out.length < data.length ? out : null;
}

/** decompress inflates a blob and checks its recorded length. */
export function decompress(data: Uint8Array, rawLength: number): Buffer {
  const out = Buffer.allocUnsafe(rawLength + 1);
  return decompressTo(data, rawLength, out).subarray(0, rawLength);
}

/**
 * decompressTo inflates a blob into `out` (at least rawLength + 1 bytes; the extra byte
 * catches a frame longer than recorded) and returns the filled part of `out`.
 */
export function decompressTo(data: Uint8Array, rawLength: number, out: Buffer): Buffer {
  if (decompressInto(data, out.subarray(0, rawLength + 1)) === rawLength) return out.subarray(0, rawLength);
  resetDecompressor();
  const slow = decompressPerCall(data, rawLength);
  slow.copy(out);
  return out.subarray(0, rawLength);
}

function decompressPerCall(data: Uint8Array, rawLength: number): Buffer {
  // One output buffer of the known size (+ slack so zlib sees room left and stops) instead of
  // 16 KiB pieces joined at the end (restore 20% faster); also caps what a corrupt frame can allocate.
  const out = zstdDecompressSync(data, { chunkSize: Math.max(64, rawLength + 64), maxOutputLength: rawLength + 64 });
  if (out.length !== rawLength) throw new Error(`decompressed ${out.length} bytes, expected ${rawLength}`);
  return out;
}

export function compressSync(data: Uint8Array): Buffer {
  return zstdCompressSync(data, opts);
}

/** decompressSync inflates a metadata object; past `maxOutputLength` bytes it throws instead of allocating on. */
export function decompressSync(data: Uint8Array, maxOutputLength: number): Buffer {
  return zstdDecompressSync(data, { maxOutputLength });
}
