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
const optsByKey = new Map<number, { params: Record<number, number> }>();

/**
 * optsFor sizes zstd's window and tables to the input: node:zlib does not tell zstd the
 * input size, so every 8 KiB block got level 3's 2 MiB window and 0.75 MiB of tables,
 * allocated and cleared per call; sized to the block, an 8 KiB SQLite page compressed 1.5×
 * faster to the same bytes, and the worker's native memory stopped growing.
 */
function optsFor(level: number, size = Infinity): { params: Record<number, number> } {
  const log = Math.max(10, Math.min(MAX_WINDOW_LOG, Math.ceil(Math.log2(Math.max(1, size)))));
  const key = level * 64 + log;
  let o = optsByKey.get(key);
  if (!o) {
    const params: Record<number, number> = { [constants.ZSTD_c_compressionLevel]: level };
    // zstd clamps the hash and chain tables to the window it is given.
    if (log < MAX_WINDOW_LOG) params[constants.ZSTD_c_windowLog] = log;
    optsByKey.set(key, (o = { params }));
  }
  return o;
}

// Inputs above 1 MiB keep the level's own parameters (level 3's window is 2^21).
const MAX_WINDOW_LOG = 21;
const opts = optsFor(ZSTD_LEVEL);

// Synchronous on purpose: on Node 24 the async zlib path (thread pool, 16 KiB output
// callbacks) measured 10x slower for 1 MiB blobs: 200 MiB random took 1951 ms async vs
// 192 ms sync, agent text 638 ms vs 81 ms. A larger chunkSize made sync 7x slower.

/** maybeCompress returns the zstd frame (at `level`) if it is smaller, otherwise null (store raw). */
export function maybeCompress(data: Uint8Array, level = ZSTD_LEVEL): Buffer | null {
  if (data.length < 32) return null;
  const reused = compressReusing(data, level);
  if (reused !== undefined) return reused;
  const out = zstdCompressSync(data, optsFor(level, data.length));
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
