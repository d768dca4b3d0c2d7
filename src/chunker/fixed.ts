/**
 * @module chunker/fixed
 * Fixed-size blocks, for files whose writers change whole aligned pages in place (SQLite,
 * LMDB). With a block size that is a multiple of the page size, one changed page costs one
 * block, and unchanged pages keep their blob ids even when the file grows or shrinks.
 * Content-defined cuts do worse there: a page rewrite can move a cut and spoil neighbours.
 */
import type { Chunker } from "./chunker.ts";
import { checkInt } from "./params.ts";

/** Upper bound on the block size: 1 GiB, far above any sensible page multiple. */
export const FIXED_MAX_SIZE = 1 << 30;

export interface FixedOptions {
  /** Block size in bytes, 1..FIXED_MAX_SIZE; e.g. 64 KiB = 16 SQLite pages of 4 KiB. */
  size: number;
}

/**
 * createFixedChunker returns a chunker that yields blocks of exactly `size` bytes at
 * offsets 0, size, 2·size, …; the last block may be shorter and empty input yields
 * nothing. Cut points do not depend on the key or on how the input is split into pieces.
 */
export function createFixedChunker(opts: FixedOptions): Chunker {
  const size = checkInt("fixed", "size", opts.size, 1, FIXED_MAX_SIZE);
  return {
    spec: { name: "fixed", params: { size } },
    chunks: (input, o) => fixedBlocks(input, size, o?.signal),
    views: (input, o) => fixedViews(input, size, o?.signal),
  };
}

// Blocks inside one input piece are yielded as views of it; only a block that straddles two
// pieces is assembled in `carry`. An hourly backup of the 157 MB bench database otherwise
// copied all 19k blocks to find ~100 new ones (bench/agent, issue 4).
async function* fixedViews(
  input: AsyncIterable<Uint8Array>, size: number, signal?: AbortSignal,
): AsyncGenerator<Uint8Array> {
  const carry = new Uint8Array(size);
  let fill = 0;
  signal?.throwIfAborted();
  for await (const piece of input) {
    signal?.throwIfAborted();
    let offset = 0;
    if (fill > 0) {
      offset = Math.min(size - fill, piece.length);
      carry.set(piece.subarray(0, offset), fill);
      fill += offset;
      if (fill < size) continue;
      yield carry;
      fill = 0;
    }
    for (; piece.length - offset >= size; offset += size) {
      yield piece.subarray(offset, offset + size);
      signal?.throwIfAborted();
    }
    carry.set(piece.subarray(offset), 0);
    fill = piece.length - offset;
  }
  if (fill > 0) yield carry.subarray(0, fill);
}

// Owned blocks are the views, copied: each byte is copied once (twice for the few blocks
// that straddle two input pieces).
async function* fixedBlocks(
  input: AsyncIterable<Uint8Array>, size: number, signal?: AbortSignal,
): AsyncGenerator<Uint8Array> {
  for await (const view of fixedViews(input, size, signal)) yield view.slice();
}
