/**
 * @module repository/codec/protocol
 * Messages between the codec pool and its workers. Buffers travel as transferred
 * ArrayBuffers, so no blob is copied between threads.
 */

export interface OpenEntry {
  id: string;
  /** Offset of the sealed blob inside the transferred run. */
  start: number;
  length: number;
  rawLength: number;
  compressed: boolean;
}

/**
 * A new blob takes two round trips: "hash" sends the data and returns its keyed id; the
 * worker keeps the data until "seal" (the repository lacks the blob) or "drop" (it has it),
 * so known blobs are never compressed and the main thread never hashes.
 */
export type CodecRequest =
  | { t: "hash"; job: number; data: ArrayBuffer }
  /** `level` is the zstd level (repository/compress.ts compressionLevel). */
  | { t: "seal"; job: number; id: string; level: number }
  | { t: "drop"; job: number }
  /** A new blob hashed by the caller: sealed at once, no hash round trip. */
  | { t: "sealData"; job: number; id: string; level: number; data: ArrayBuffer }
  /** Small new blobs, already hashed and deduplicated here, sealed together: `data` holds them back to back. */
  | { t: "sealMany"; job: number; ids: string[]; lengths: number[]; levels: number[]; data: ArrayBuffer }
  | { t: "open"; job: number; entries: OpenEntry[]; data: ArrayBuffer };

export type CodecReply =
  | { t: "hashed"; job: number; id: string }
  | { t: "sealed"; job: number; sealed: Uint8Array; compressed: boolean }
  | { t: "sealedMany"; job: number; sealed: Uint8Array; lengths: number[]; compressed: boolean[] }
  /**
   * The run's plaintexts back to back in `data` (each blob at the sum of the raw lengths
   * before it), and per entry null or why the blob is damaged.
   */
  | { t: "opened"; job: number; data: Uint8Array; errors: (string | null)[] };
