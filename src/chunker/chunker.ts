/**
 * @module chunker/chunker
 * The chunker contract. A chunker splits a byte stream into content pieces (blobs). The
 * same input with the same spec and key MUST always give the same cut points, or dedup
 * breaks. Which chunker a file gets is decided per file class by a ChunkerPolicy; each
 * snapshot records the specs it used.
 */
import type { ChunkerSpec } from "../model/index.ts";

export interface Chunker {
  readonly spec: ChunkerSpec;
  /**
   * chunks reads `input` and yields consecutive pieces that concatenate to the input.
   * Yielded buffers are owned by the caller (not reused by the chunker). Input pieces are
   * copied before the next one is requested, so the reader may reuse its read buffer.
   * Empty input yields no chunks. Aborting `signal` rejects with the signal's reason.
   */
  chunks(input: AsyncIterable<Uint8Array>, opts?: { signal?: AbortSignal }): AsyncIterable<Uint8Array>;
  /**
   * views, where a chunker has it, cuts exactly like chunks but may yield views into the
   * input pieces: each is valid only until the next one is requested, so the caller must
   * hash or copy it at once. It saves a copy of every chunk, most of which a backup finds
   * already stored.
   */
  views?(input: AsyncIterable<Uint8Array>, opts?: { signal?: AbortSignal }): AsyncIterable<Uint8Array>;
}

/** ChunkerPolicy picks the chunker for one file; `fileClass` is a hint such as "database". */
export interface ChunkerPolicy {
  /** Every chunker the policy may return, by name, for the snapshot record. */
  readonly specs: Record<string, ChunkerSpec>;
  forFile(path: string, size: number, fileClass?: string): Chunker;
}
