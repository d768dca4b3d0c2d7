/**
 * @module chunker/window
 * The streaming buffer under content-defined chunking. Input arrives in pieces of any size
 * (64 KiB file reads, or one 1 GiB buffer); a cut needs up to `max` contiguous bytes. Every
 * input byte is copied in once and out once; the buffer is compacted only after at least
 * half of it was consumed, so copying stays linear (never a concat of everything per piece)
 * and memory stays below 2 × max however large the pieces are.
 */

import { release } from "../util/release.ts";

/** CutFn returns the length (1..end-start, ≤ max) of the next chunk of buf[start, end). */
export type CutFn = (buf: Uint8Array, start: number, end: number) => number;

// First allocation; growth doubles up to 2 × max, so a 600 KiB file never costs 16 MiB.
const INITIAL_CAPACITY = 64 * 1024;

/**
 * cutStream yields consecutive chunks of `input` chosen by `cut`. `cut` sees at least `max`
 * bytes, or all remaining bytes once input ended. Chunks are fresh copies owned by the
 * caller; input pieces are copied immediately, so the reader may reuse its buffers.
 * Aborting `signal` rejects the iteration with the signal's reason.
 */
export async function* cutStream(
  input: AsyncIterable<Uint8Array>, max: number, cut: CutFn, signal?: AbortSignal,
): AsyncGenerator<Uint8Array> {
  const w = new Window(2 * max);
  signal?.throwIfAborted();
  for await (const piece of input) {
    signal?.throwIfAborted();
    let offset = 0;
    while (offset < piece.length) {
      offset += w.append(piece, offset);
      while (w.end - w.start >= max) {
        yield w.take(cut(w.buf, w.start, w.end));
        signal?.throwIfAborted();
      }
    }
  }
  while (w.end > w.start) {
    yield w.take(cut(w.buf, w.start, w.end));
    signal?.throwIfAborted();
  }
  // Chunks are copies, so nothing else holds the window: free it now, not at V8's next full
  // GC (one window per file; dead ones were tens of MB of an initial backup's peak, issue 4).
  release(w.buf);
}

/** Window holds the unconsumed bytes buf[start, end). */
class Window {
  buf = new Uint8Array(0);
  start = 0;
  end = 0;
  readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** append copies as much of piece[from..] as fits and returns how many bytes it took. */
  append(piece: Uint8Array, from: number): number {
    if (this.end === this.buf.length) this.makeRoom();
    const n = Math.min(piece.length - from, this.buf.length - this.end);
    this.buf.set(piece.subarray(from, from + n), this.end);
    this.end += n;
    return n;
  }

  /** take removes the first n bytes and returns them as a fresh copy. */
  take(n: number): Uint8Array {
    const live = this.end - this.start;
    if (!Number.isInteger(n) || n < 1 || n > live) {
      throw new Error(`chunker: cut length ${n} outside [1, ${live}] (bug in the cut function)`);
    }
    const out = this.buf.slice(this.start, this.start + n);
    this.start += n;
    return out;
  }

  // Callers cut while live >= max, so at full capacity (2 × max) live < max ≤ half: the
  // in-place compaction below always frees at least half the buffer.
  private makeRoom(): void {
    const live = this.end - this.start;
    if (this.start > 0 && live <= this.buf.length / 2) {
      this.buf.copyWithin(0, this.start, this.end);
    } else {
      const capacity = Math.min(Math.max(2 * this.buf.length, INITIAL_CAPACITY), this.limit);
      const grown = new Uint8Array(capacity);
      grown.set(this.buf.subarray(this.start, this.end));
      release(this.buf);
      this.buf = grown;
    }
    this.start = 0;
    this.end = live;
  }
}
