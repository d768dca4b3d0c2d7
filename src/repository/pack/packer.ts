/**
 * @module repository/pack/packer
 * Collects sealed blobs of one type into a pack in memory until the size target is
 * reached, then hands the finished pack bytes (with header) to the caller.
 *
 * Blobs are copied into a pack buffer as they arrive, and a pack's buffer is reused once
 * the pack is stored (recycle()): allocating and freeing a 16 MiB buffer per pack raised
 * glibc's mmap threshold to 16 MiB, after which every smaller buffer came from the main
 * heap and fragmented it (~70 MB of the initial backup's peak RSS, bench/agent, issue 4).
 *
 * A pooled buffer has the full pack size from the start (its pages cost memory only once
 * written): buffers that had doubled from 1 MiB left a 2, 4 and 8 MiB spare behind each.
 * Tree packs, a few KiB in most backups, grow from 64 KiB outside the pool: a tree packer
 * that took a used 17 MiB spare held it, written, for the whole backup (issue 4).
 */
import { encodeHeader, type LocatedBlob, type PackedBlob } from "./format.ts";
import { sha256hex } from "../objects.ts";

export interface FinishedPack {
  id: string;
  bytes: Buffer;
  blobs: LocatedBlob[];
  /** recycle gives the pack's memory back for the next pack; call it once `bytes` is stored. */
  recycle(): void;
}

// Room for the header, and for one more blob past the size target before a flush.
const SLACK = 1024 * 1024;
// An unpooled packer's first buffer; it doubles up to the pack size.
const FIRST_BUFFER = 64 * 1024;

/**
 * PackBuffers are the pack buffers one upload session reuses; dropped with the session.
 * The uploader bounds how many are in use (one filling, its uploads in flight), so the pool
 * never holds more than that: none is freed mid-session.
 */
export class PackBuffers {
  private readonly spare: Buffer[] = [];
  private readonly max: number;

  /** `max` is the most buffers in use at once; more spares than that are not kept. */
  constructor(max = 3) {
    this.max = max;
  }

  take(size: number): Buffer {
    const i = this.spare.findIndex((b) => b.length >= size);
    return i >= 0 ? this.spare.splice(i, 1)[0]! : Buffer.allocUnsafeSlow(size);
  }

  giveBack(buf: Buffer): void {
    if (this.spare.length < this.max) this.spare.push(buf);
  }
}

export class Packer {
  private buf: Buffer | null = null;
  private blobs: LocatedBlob[] = [];
  private size = 0;
  private readonly target: number;
  private readonly buffers: PackBuffers | null;

  /**
   * `target` is the pack size the caller flushes at (the repository's packSize). Without
   * `buffers`, the packer allocates as it grows and reuses nothing.
   */
  constructor(target: number, buffers: PackBuffers | null = new PackBuffers()) {
    this.target = target;
    this.buffers = buffers;
  }

  get bytes(): number {
    return this.size;
  }

  get count(): number {
    return this.blobs.length;
  }

  add(sealed: Uint8Array, blob: PackedBlob): void {
    this.reserve(this.size + sealed.length);
    this.buf!.set(sealed, this.size);
    this.blobs.push({ ...blob, offset: this.size });
    this.size += sealed.length;
  }

  /** finish seals the header and resets the packer. Returns null if it holds nothing. */
  finish(key: Uint8Array): FinishedPack | null {
    if (this.blobs.length === 0) return null;
    const header = encodeHeader(key, this.blobs);
    this.reserve(this.size + header.length);
    const buf = this.buf!;
    header.copy(buf, this.size);
    const bytes = buf.subarray(0, this.size + header.length);
    const blobs = this.blobs;
    this.buf = null;
    this.blobs = [];
    this.size = 0;
    let recycled = false;
    return {
      id: sha256hex(bytes), bytes, blobs,
      recycle: () => {
        if (!recycled) this.buffers?.giveBack(buf);
        recycled = true;
      },
    };
  }

  private reserve(need: number): void {
    if (this.buf !== null && this.buf.length >= need) return;
    const full = this.target + SLACK;
    // Past `full` only for a single blob larger than a pack.
    const grown = this.buffers
      ? this.buffers.take(Math.max(need, full))
      : Buffer.allocUnsafeSlow(Math.max(need, Math.min(2 * (this.buf?.length ?? FIRST_BUFFER / 2), full)));
    if (this.buf !== null) {
      this.buf.copy(grown, 0, 0, this.size);
      this.buffers?.giveBack(this.buf);
    }
    this.buf = grown;
  }
}
