/**
 * @module repository/pack/format
 * Pack file layout: blob_1 || ... || blob_n || sealed(header) || uint32le(len(sealed header)).
 * Each blob is sealed on its own (associated data: its id), so a pack can be repacked or a
 * single blob read by range without touching the rest. The header lists every blob, which
 * lets `repair index` rebuild the index from packs alone.
 */
import { open, seal, sealInto } from "../../crypto/aead.ts";
import type { BlobType } from "../../model/index.ts";

/** PackedBlob is one header entry; offsets are implicit (blobs are contiguous from 0). */
export interface PackedBlob {
  id: string;
  type: BlobType;
  /** Stored (sealed) length. */
  length: number;
  /** Plaintext length before compression. */
  rawLength: number;
  compressed: boolean;
}

export interface LocatedBlob extends PackedBlob {
  offset: number;
}

const ENTRY_SIZE = 1 + 1 + 4 + 4 + 32;
const HEADER_AAD = Buffer.from("lifeboat pack header");
const TYPE_CODES: Record<BlobType, number> = { data: 0, tree: 1 };

/** encodeHeader returns the sealed header plus its 4-byte length trailer. */
export function encodeHeader(key: Uint8Array, blobs: readonly PackedBlob[]): Buffer {
  const plain = Buffer.alloc(blobs.length * ENTRY_SIZE);
  blobs.forEach((b, i) => {
    const o = i * ENTRY_SIZE;
    plain[o] = TYPE_CODES[b.type];
    plain[o + 1] = b.compressed ? 1 : 0;
    plain.writeUInt32LE(b.length, o + 2);
    plain.writeUInt32LE(b.rawLength, o + 6);
    Buffer.from(b.id, "hex").copy(plain, o + 10);
  });
  const sealed = seal(key, plain, HEADER_AAD);
  const trailer = Buffer.alloc(4);
  trailer.writeUInt32LE(sealed.length);
  return Buffer.concat([sealed, trailer]);
}

/** headerLength reads the trailer of a pack (its last 4 bytes). */
export function headerLength(trailer: Uint8Array): number {
  return Buffer.from(trailer.buffer, trailer.byteOffset, trailer.length).readUInt32LE(trailer.length - 4);
}

/** decodeHeader opens a sealed header and returns blobs with their offsets. Throws on damage. */
export function decodeHeader(key: Uint8Array, sealedHeader: Uint8Array): LocatedBlob[] {
  const plain = open(key, sealedHeader, HEADER_AAD);
  if (plain.length % ENTRY_SIZE !== 0) throw new Error("pack header has a partial entry");
  const out: LocatedBlob[] = [];
  let offset = 0;
  for (let o = 0; o < plain.length; o += ENTRY_SIZE) {
    const code = plain[o];
    if (code !== 0 && code !== 1) throw new Error(`pack header has unknown blob type ${code}`);
    const length = plain.readUInt32LE(o + 2);
    out.push({
      id: plain.subarray(o + 10, o + ENTRY_SIZE).toString("hex"),
      type: code === 1 ? "tree" : "data",
      compressed: plain[o + 1] === 1,
      length,
      rawLength: plain.readUInt32LE(o + 6),
      offset,
    });
    offset += length;
  }
  return out;
}

/** sealBlobInto seals one blob payload into `out` at `offset` (see sealInto); returns its length. */
export function sealBlobInto(key: Uint8Array, id: string, payload: Uint8Array, out: Buffer, offset: number): number {
  return sealInto(key, payload, Buffer.from(id, "hex"), out, offset);
}

/** sealBlob seals one blob payload; the id is bound as associated data. */
export function sealBlob(key: Uint8Array, id: string, payload: Uint8Array): Uint8Array {
  return seal(key, payload, Buffer.from(id, "hex"));
}

export function openBlob(key: Uint8Array, id: string, sealed: Uint8Array): Buffer {
  return open(key, sealed, Buffer.from(id, "hex"));
}
