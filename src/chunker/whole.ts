/**
 * @module chunker/whole
 * One chunk per file, for small files (notes, markdown, configs): below the CDC minimum a
 * content-defined chunker would emit a single chunk anyway, so skipping the hash saves CPU
 * and the one blob still dedupes identical files. It holds the whole file in memory, so
 * the policy only gives it files below a size limit.
 */
import type { Chunker } from "./chunker.ts";

/**
 * createWholeChunker returns a chunker that yields the entire input as one fresh buffer;
 * empty input yields nothing (a file with no content has no blobs).
 */
export function createWholeChunker(): Chunker {
  return {
    spec: { name: "whole", params: {} },
    chunks: (input, o) => wholeInput(input, o?.signal),
  };
}

async function* wholeInput(input: AsyncIterable<Uint8Array>, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  signal?.throwIfAborted();
  for await (const piece of input) {
    signal?.throwIfAborted();
    // Copy now, as the reader may reuse its buffer. Not piece.slice(): on a Buffer that
    // is a view, not a copy.
    if (piece.length > 0) parts.push(new Uint8Array(piece));
    total += piece.length;
  }
  if (total === 0) return;
  if (parts.length === 1) {
    yield parts[0]!;
    return;
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  yield out;
}
