/**
 * @module repository/zstdctx
 * zstd contexts reused from one blob to the next. node:zlib's zstdCompressSync and
 * zstdDecompressSync build a stream, a native context and its tables for every call, which
 * for an 8 KiB database block costs more than the compression itself: 32 MB of SQLite pages
 * took 304 ms per-call and 176 ms through one reused context, at the same ratio (issue 4).
 *
 * Node has no public API for many frames through one context, so this drives the native
 * handle of a zlib stream (`_handle.writeSync`, `_writeState`), as node:zlib's own sync path
 * does. Each frame is fed whole with ZSTD_e_end, so zstd knows its size and sizes its window
 * to it. Anything unexpected (no such handle on another Node version, an error, a frame that
 * does not end where it should) makes the caller fall back to the per-call functions, which
 * stay the reference behaviour.
 */
import { constants, createZstdCompress, createZstdDecompress } from "node:zlib";

interface NativeHandle {
  writeSync(flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): void;
  reset(): void;
}

interface ZstdStream {
  _handle?: NativeHandle | null;
  _writeState?: Uint32Array;
  destroyed: boolean;
}

/** Context is one reusable native zstd context, or null once it proved unusable. */
class Context {
  private stream: ZstdStream | null;
  private handle: NativeHandle | null;
  private state: Uint32Array | null;

  constructor(stream: ZstdStream) {
    this.stream = stream;
    this.handle = stream._handle ?? null;
    this.state = stream._writeState ?? null;
    if (typeof this.handle?.writeSync !== "function" || !(this.state instanceof Uint32Array) || typeof this.handle.reset !== "function") this.disable();
    // Errors reach the stream as "error" events; they are read back as `destroyed` below.
    (stream as unknown as { on(e: string, f: () => void): void }).on?.("error", () => undefined);
  }

  get usable(): boolean {
    return this.handle !== null;
  }

  /**
   * run feeds all of `input` as one frame into `out` and returns the bytes written, or -1 if
   * the frame did not fit (or anything went wrong): the context is then reset or dropped.
   */
  run(input: Uint8Array, out: Uint8Array, flush: number, resetFirst = false): number {
    const h = this.handle!;
    try {
      if (resetFirst) h.reset();
      h.writeSync(flush, input, 0, input.length, out, 0, out.length);
    } catch {
      this.disable();
      return -1;
    }
    if (this.stream?.destroyed || this.handle === null) {
      this.disable();
      return -1;
    }
    const [availOut, availIn] = this.state!;
    // Output room left and no input left: the frame ended (zstd stops early only when full).
    if (availIn === 0 && availOut! > 0) return out.length - availOut!;
    h.reset();
    return -1;
  }

  disable(): void {
    this.handle = null;
    this.state = null;
    this.stream = null;
  }
}

const encoders = new Map<number, Context>();
let decoder: Context | undefined;
let scratch = Buffer.allocUnsafeSlow(64 * 1024);

/**
 * compressReusing returns the zstd frame of `data` at `level` if it is smaller than `data`,
 * null if it is not, or undefined if the reused context is not available (use the per-call path).
 */
export function compressReusing(data: Uint8Array, level: number): Buffer | null | undefined {
  let ctx = encoders.get(level);
  if (!ctx) encoders.set(level, (ctx = new Context(createZstdCompress({ params: { [constants.ZSTD_c_compressionLevel]: level } }) as unknown as ZstdStream)));
  if (!ctx.usable) return undefined;
  // Only a frame shorter than the input is kept, so the output room is the input's size.
  if (scratch.length < data.length) scratch = Buffer.allocUnsafeSlow(data.length);
  const n = ctx.run(data, scratch.subarray(0, data.length), constants.ZSTD_e_end);
  if (n < 0) return ctx.usable ? null : undefined;
  return Buffer.from(scratch.subarray(0, n));
}

/**
 * decompressInto inflates one frame into `out`, which must have one byte more than the
 * frame's content (a frame longer than recorded fills it and is refused). It returns the
 * bytes written, or -1 (for any reason, damage included): the caller then uses the per-call
 * path, which reports damage precisely.
 *
 * The context is not reset between frames (a reset cost 17 µs, as much as inflating an 8 KiB
 * block): a complete frame leaves it ready for the next. After anything unexpected it is
 * reset and the frame tried once more, and resetDecompressor() lets a caller that found a
 * frame's content wrong make sure no half-read frame lingers.
 */
export function decompressInto(data: Uint8Array, out: Uint8Array): number {
  decoder ??= new Context(createZstdDecompress() as unknown as ZstdStream);
  if (!decoder.usable) return -1;
  const n = decoder.run(data, out, constants.ZSTD_e_continue);
  if (n === out.length - 1) return n;
  if (!decoder.usable) return -1;
  return decoder.run(data, out, constants.ZSTD_e_continue, true);
}

/** resetDecompressor starts the next frame from a clean context. */
export function resetDecompressor(): void {
  decoder = undefined;
}
