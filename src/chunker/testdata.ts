/**
 * @module chunker/testdata
 * Deterministic inputs and stream helpers shared by the chunker tests (not shipped API):
 * seeded xorshift data so golden vectors never depend on crypto.randomBytes, and readers
 * that split a buffer into pieces the way files and pipes do.
 */
import { createHash } from "node:crypto";
import type { Chunker } from "./chunker.ts";

/** Xorshift32 is a tiny seeded PRNG (Marsaglia 2003, shifts 13/17/5). */
export class Xorshift32 {
  private x: number;
  constructor(seed: number) {
    this.x = seed >>> 0 || 1;
  }
  next(): number {
    let x = this.x;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.x = x >>> 0;
    return this.x;
  }
  /** below returns an integer in [0, n). */
  below(n: number): number {
    return this.next() % n;
  }
}

/** xorshiftBytes returns n pseudo-random bytes, the low byte of each xorshift32 step. */
export function xorshiftBytes(n: number, seed: number): Uint8Array {
  const rng = new Xorshift32(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.next() & 0xff;
  return out;
}

/** keyOf returns the 32-byte key [start, start+1, …, start+31] (mod 256). */
export function keyOf(start: number): Uint8Array {
  return Uint8Array.from({ length: 32 }, (_, i) => (start + i) & 0xff);
}

/** pieces yields views of data in sizes drawn from [1, maxPiece], or exactly maxPiece. */
export async function* pieces(data: Uint8Array, maxPiece: number, rng?: Xorshift32): AsyncGenerator<Uint8Array> {
  for (let o = 0; o < data.length;) {
    const n = rng ? 1 + rng.below(maxPiece) : maxPiece;
    yield data.subarray(o, o + n);
    o += n;
  }
}

/**
 * reusingReader copies data into ONE buffer it overwrites for every piece, as a reader
 * doing fs reads into a fixed buffer would: chunkers must copy what they keep.
 */
export async function* reusingReader(data: Uint8Array, pieceSize: number): AsyncGenerator<Uint8Array> {
  const buf = new Uint8Array(pieceSize);
  for (let o = 0; o < data.length; o += pieceSize) {
    const n = Math.min(pieceSize, data.length - o);
    buf.set(data.subarray(o, o + n));
    yield buf.subarray(0, n);
    buf.fill(0xee);
  }
}

/** collect drains a chunker over input. */
export async function collect(
  chunker: Chunker, input: AsyncIterable<Uint8Array>, signal?: AbortSignal,
): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const c of chunker.chunks(input, signal ? { signal } : undefined)) out.push(c);
  return out;
}

/** concat joins chunks for comparison with the input. */
export function concat(chunks: Uint8Array[]): Uint8Array {
  return Buffer.concat(chunks);
}

/** lengths returns chunk lengths; sha returns hex SHA-256 per chunk. */
export function lengths(chunks: Uint8Array[]): number[] {
  return chunks.map((c) => c.length);
}
export function sha(chunks: Uint8Array[]): string[] {
  return chunks.map((c) => createHash("sha256").update(c).digest("hex"));
}
