/**
 * @module repository/pack/packer
 * Collects sealed blobs of one type into a pack in memory until the size target is
 * reached, then hands the finished pack bytes (with header) to the caller.
 *
 * Blobs are copied into a pack buffer as they arrive, and a pack's buffer is reused once
 * the pack is stored (recycle()): allocating and freeing a 16 MiB buffer per pack raised
 * glibc's mmap threshold to 16 MiB, after which every smaller buffer came from the main
 * heap and fragmented it (~70 MB of the initial backup's peak RSS, bench/agent, issue 4).
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
// A pack's buffer starts here and doubles: a tree pack of a few KiB never takes 17 MiB.
const FIRST_BUFFER = 1024 * 1024;
// Packs filling or in flight at once (data, tree, two uploads): more are not kept.
const SPARE_BUFFERS = 4;

/** PackBuffers are the pack buffers one upload session reuses; dropped with the session. */
export class PackBuffers {
  private readonly spare: Buffer[] = [];

  take(size: number): Buffer {
    const i = this.spare.findIndex((b) => b.length >= size);
    return i >= 0 ? this.spare.splice(i, 1)[0]! : Buffer.allocUnsafeSlow(size);
  }

  giveBack(buf: Buffer): void {
    if (this.spare.length < SPARE_BUFFERS) this.spare.push(buf);
  }
}

export class Packer {
  private buf: Buffer | null = null;
  private blobs: LocatedBlob[] = [];
  private size = 0;
  private readonly target: number;
  private readonly buffers: PackBuffers;

  /** `target` is the pack size the caller flushes at (the repository's packSize). */
  constructor(target: number, buffers = new PackBuffers()) {
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
        if (!recycled) this.buffers.giveBack(buf);
        recycled = true;
      },
    };
  }

  private reserve(need: number): void {
    if (this.buf !== null && this.buf.length >= need) return;
    const size = Math.max(need, Math.min(2 * (this.buf?.length ?? FIRST_BUFFER / 2), this.target + SLACK));
    const grown = this.buffers.take(size);
    if (this.buf !== null) {
      this.buf.copy(grown, 0, 0, this.size);
      this.buffers.giveBack(this.buf);
    }
    this.buf = grown;
  }
}
