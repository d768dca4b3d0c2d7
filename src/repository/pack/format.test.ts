/**
 * @module repository/pack/format.test
 * The pack header: lists every blob (type, compressed flag, lengths, id) so the index can
 * be rebuilt from packs alone; offsets are implied by the order; damage is refused.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { AuthError } from "../../crypto/aead.ts";
import { decodeHeader, encodeHeader, headerLength, openBlob, sealBlob, type PackedBlob } from "./format.ts";

const key = randomBytes(32);
const id = () => randomBytes(32).toString("hex");

const blobs: PackedBlob[] = [
  { id: id(), type: "data", length: 100, rawLength: 300, compressed: true },
  { id: id(), type: "tree", length: 50, rawLength: 22, compressed: false },
  { id: id(), type: "data", length: 4_000_000, rawLength: 4_000_000 - 28, compressed: false },
  { id: id(), type: "tree", length: 7, rawLength: 70_000, compressed: true },
];

/** sealedPart strips the 4-byte trailer from an encoded header. */
const sealedPart = (h: Buffer) => h.subarray(0, h.length - 4);

test("header round-trips both blob types and compressed flags, with computed offsets", () => {
  const h = encodeHeader(key, blobs);
  const got = decodeHeader(key, sealedPart(h));
  assert.deepEqual(got, [
    { ...blobs[0]!, offset: 0 },
    { ...blobs[1]!, offset: 100 },
    { ...blobs[2]!, offset: 150 },
    { ...blobs[3]!, offset: 4_000_150 },
  ]);
});

test("an empty header round-trips to no blobs", () => {
  assert.deepEqual(decodeHeader(key, sealedPart(encodeHeader(key, []))), []);
});

test("headerLength reads the trailer: the length of the sealed header, from a pack's tail", () => {
  const h = encodeHeader(key, blobs);
  assert.equal(headerLength(h), h.length - 4);
  assert.equal(headerLength(h.subarray(h.length - 4)), h.length - 4);
  // As part of a whole pack: blobs, then header, then trailer.
  const pack = Buffer.concat([randomBytes(123), h]);
  const len = headerLength(pack);
  assert.equal(len, h.length - 4);
  const sealed = pack.subarray(pack.length - 4 - len, pack.length - 4);
  assert.equal(decodeHeader(key, sealed).length, blobs.length);
  // A view at a non-zero byteOffset.
  const view = new Uint8Array(pack.buffer, pack.byteOffset + 10, pack.length - 10);
  assert.equal(headerLength(view), len);
});

test("a damaged header throws: flipped byte, truncation, wrong key", () => {
  const sealed = Buffer.from(sealedPart(encodeHeader(key, blobs)));
  for (const at of [0, 12, Math.floor(sealed.length / 2), sealed.length - 1]) {
    const bad = Buffer.from(sealed);
    bad[at]! ^= 0x80;
    assert.throws(() => decodeHeader(key, bad), AuthError, `flip at ${at}`);
  }
  assert.throws(() => decodeHeader(key, sealed.subarray(0, sealed.length - 1)), AuthError);
  assert.throws(() => decodeHeader(key, sealed.subarray(1)), AuthError);
  assert.throws(() => decodeHeader(randomBytes(32), sealed), AuthError);
});

test("a blob sealed for one id does not open under another", () => {
  const a = id();
  const sealed = sealBlob(key, a, Buffer.from("chunk"));
  assert.equal(openBlob(key, a, sealed).toString(), "chunk");
  assert.throws(() => openBlob(key, id(), sealed), AuthError);
});
