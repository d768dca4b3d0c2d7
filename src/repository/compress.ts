/**
 * @module repository/compress
 * zstd compression of blobs and metadata (node:zlib, no native addon). Data is compressed
 * after deduplication, and stored raw when compression does not shrink it.
 */
import { constants, zstdCompress, zstdCompressSync, zstdDecompress, zstdDecompressSync } from "node:zlib";
import { promisify } from "node:util";

const compressAsync = promisify(zstdCompress);
const decompressAsync = promisify(zstdDecompress);

/** Level 3 measured ~314 MB/s at ratio 3.4 on agent text (shared/reference/README.md). */
export const ZSTD_LEVEL = 3;
// Below this size the thread-pool hop costs more than the compression itself.
const ASYNC_THRESHOLD = 64 * 1024;
const opts = { params: { [constants.ZSTD_c_compressionLevel]: ZSTD_LEVEL } };

/** maybeCompress returns the zstd frame if it is smaller, otherwise null (store raw). */
export async function maybeCompress(data: Uint8Array): Promise<Buffer | null> {
  if (data.length < 32) return null;
  const out = data.length < ASYNC_THRESHOLD ? zstdCompressSync(data, opts) : await compressAsync(data, opts);
  return out.length < data.length ? out : null;
}

export async function decompress(data: Uint8Array, rawLength: number): Promise<Buffer> {
  const out = data.length < ASYNC_THRESHOLD / 4 ? zstdDecompressSync(data) : await decompressAsync(data);
  if (out.length !== rawLength) throw new Error(`decompressed ${out.length} bytes, expected ${rawLength}`);
  return out;
}

export function compressSync(data: Uint8Array): Buffer {
  return zstdCompressSync(data, opts);
}

export function decompressSync(data: Uint8Array): Buffer {
  return zstdDecompressSync(data);
}
