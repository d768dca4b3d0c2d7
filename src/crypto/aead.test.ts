/**
 * @module crypto/aead.test
 * The AEAD envelope every stored byte goes through: it must round-trip, and any change to
 * the nonce, ciphertext or tag, or a different key or associated data, must be refused.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { AuthError, NONCE_SIZE, OVERHEAD, TAG_SIZE, open, seal } from "./aead.ts";

const key = randomBytes(32);
const aad = Buffer.from("snapshot");

test("seal then open returns the plaintext, with and without aad", () => {
  for (const plain of [Buffer.alloc(0), Buffer.from("hello"), randomBytes(70_000)]) {
    const sealed = seal(key, plain, aad);
    assert.equal(sealed.length, plain.length + OVERHEAD);
    assert.deepEqual(Buffer.from(open(key, sealed, aad)), plain);
    assert.deepEqual(Buffer.from(open(key, seal(key, plain))), plain);
  }
});

test("open accepts a sealed message that is a view into a larger buffer", () => {
  const sealed = seal(key, Buffer.from("inside"), aad);
  const big = Buffer.concat([Buffer.from("prefix"), sealed, Buffer.from("suffix")]);
  const view = big.subarray(6, 6 + sealed.length);
  assert.equal(open(key, view, aad).toString(), "inside");
});

test("every single-bit flip in nonce, ciphertext or tag is an AuthError", () => {
  const plain = Buffer.from("sixteen bytes!!!");
  const sealed = Buffer.from(seal(key, plain, aad));
  assert.equal(sealed.length, NONCE_SIZE + plain.length + TAG_SIZE);
  for (let byte = 0; byte < sealed.length; byte++) {
    for (let bit = 0; bit < 8; bit++) {
      const bad = Buffer.from(sealed);
      bad[byte]! ^= 1 << bit;
      assert.throws(() => open(key, bad, aad), AuthError, `flip byte ${byte} bit ${bit}`);
    }
  }
});

test("a wrong key is an AuthError", () => {
  const sealed = seal(key, Buffer.from("secret"), aad);
  assert.throws(() => open(randomBytes(32), sealed, aad), AuthError);
});

test("wrong, missing or added aad is an AuthError", () => {
  const sealed = seal(key, Buffer.from("secret"), aad);
  assert.throws(() => open(key, sealed, Buffer.from("index")), AuthError);
  assert.throws(() => open(key, sealed), AuthError);
  assert.throws(() => open(key, seal(key, Buffer.from("secret")), aad), AuthError);
});

test("input shorter than nonce plus tag is an AuthError, truncation too", () => {
  for (const n of [0, 1, OVERHEAD - 1]) {
    assert.throws(() => open(key, Buffer.alloc(n), aad), AuthError, `length ${n}`);
  }
  const sealed = seal(key, Buffer.from("some text"), aad);
  assert.throws(() => open(key, sealed.subarray(0, sealed.length - 1), aad), AuthError);
  assert.throws(() => open(key, sealed.subarray(1), aad), AuthError);
});

test("two seals of the same plaintext differ (fresh random nonce)", () => {
  const plain = Buffer.from("same input");
  const a = Buffer.from(seal(key, plain, aad));
  const b = Buffer.from(seal(key, plain, aad));
  assert.notDeepEqual(a.subarray(0, NONCE_SIZE), b.subarray(0, NONCE_SIZE));
  assert.notDeepEqual(a, b);
  assert.equal(open(key, a, aad).toString(), "same input");
  assert.equal(open(key, b, aad).toString(), "same input");
});

test("nonces never repeat across the pooled random draws (3 pools' worth of seals)", () => {
  const seen = new Set<string>();
  for (let i = 0; i < 1600; i++) seen.add(Buffer.from(seal(key, Buffer.from("x"))).subarray(0, NONCE_SIZE).toString("hex"));
  assert.equal(seen.size, 1600);
});
