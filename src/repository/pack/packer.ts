/**
 * @module repository/pack/packer
 * Collects sealed blobs of one type into a pack in memory until the size target is
 * reached, then hands the finished pack bytes (with header) to the caller.
 */
import { encodeHeader, type LocatedBlob, type PackedBlob } from "./format.ts";
import { sha256hex } from "../objects.ts";
import { release } from "../../util/release.ts";

export interface FinishedPack {
  id: string;
  bytes: Buffer;
  blobs: LocatedBlob[];
}

export class Packer {
  private parts: Uint8Array[] = [];
  private blobs: LocatedBlob[] = [];
  private size = 0;

  get bytes(): number {
    return this.size;
  }

  get count(): number {
    return this.blobs.length;
  }

  add(sealed: Uint8Array, blob: PackedBlob): void {
    this.blobs.push({ ...blob, offset: this.size });
    this.parts.push(sealed);
    this.size += sealed.length;
  }

  /** finish seals the header and resets the packer. Returns null if it holds nothing. */
  finish(key: Uint8Array): FinishedPack | null {
    if (this.blobs.length === 0) return null;
    const bytes = Buffer.concat([...this.parts, encodeHeader(key, this.blobs)]);
    for (const p of this.parts) release(p);
    const blobs = this.blobs;
    this.parts = [];
    this.blobs = [];
    this.size = 0;
    return { id: sha256hex(bytes), bytes, blobs };
  }
}
