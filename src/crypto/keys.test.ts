/**
 * @module crypto/keys.test
 * The key hierarchy: purpose keys are derived deterministically from the master secret and
 * are independent of each other; blob ids are HMAC-SHA-256 under the id key, so they are
 * keyed per repository.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, createHmac, randomBytes } from "node:crypto";
import { IdHasher, MASTER_SECRET_SIZE, blobId, deriveMasterKey, newMasterSecret } from "./keys.ts";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

test("newMasterSecret returns fresh random secrets of the documented size", () => {
  const a = newMasterSecret();
  const b = newMasterSecret();
  assert.equal(a.length, MASTER_SECRET_SIZE);
  assert.notDeepEqual(a, b);
});

test("deriveMasterKey gives three distinct 32-byte purpose keys, none equal to the secret", () => {
  const secret = newMasterSecret();
  const k = deriveMasterKey(secret);
  const keys = [k.data, k.id, k.chunker];
  for (const x of keys) {
    assert.equal(x.length, 32);
    assert.ok(!Buffer.from(secret).includes(Buffer.from(x)));
  }
  assert.equal(new Set(keys.map(hex)).size, 3);
});

test("deriveMasterKey is deterministic for the same secret and differs for another", () => {
  const secret = newMasterSecret();
  const a = deriveMasterKey(secret);
  const b = deriveMasterKey(Uint8Array.from(secret));
  assert.deepEqual([a.data, a.id, a.chunker].map(hex), [b.data, b.id, b.chunker].map(hex));
  const c = deriveMasterKey(newMasterSecret());
  assert.notEqual(hex(c.data), hex(a.data));
  assert.notEqual(hex(c.id), hex(a.id));
  assert.notEqual(hex(c.chunker), hex(a.chunker));
});

test("blobId equals HMAC-SHA-256 under the id key, in lowercase hex", () => {
  const key = deriveMasterKey(newMasterSecret());
  for (const data of [Buffer.alloc(0), Buffer.from("agent memory"), Buffer.alloc(100_000, 7)]) {
    const want = createHmac("sha256", key.id).update(data).digest("hex");
    const got = blobId(key, data);
    assert.equal(got, want);
    assert.match(got, /^[0-9a-f]{64}$/);
  }
});

test("blobId is keyed: another repository's secret gives another id; not a plain SHA-256", () => {
  const data = Buffer.from("a well-known file");
  const a = blobId(deriveMasterKey(newMasterSecret()), data);
  const b = blobId(deriveMasterKey(newMasterSecret()), data);
  assert.notEqual(a, b);
  assert.notEqual(a, createHash("sha256").update(data).digest("hex"));
});

test("blobId is deterministic and content-sensitive under one key", () => {
  const key = deriveMasterKey(newMasterSecret());
  assert.equal(blobId(key, Buffer.from("x")), blobId(key, Buffer.from("x")));
  assert.notEqual(blobId(key, Buffer.from("x")), blobId(key, Buffer.from("y")));
});

test("IdHasher: HMAC-SHA-256 as RFC 4231 and createHmac give it, for every size and key", () => {
  // RFC 4231 test case 2.
  assert.equal(new IdHasher(Buffer.from("Jefe")).id(Buffer.from("what do ya want for nothing?")),
    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  const key = deriveMasterKey(newMasterSecret());
  const h = new IdHasher(key.id);
  for (const n of [0, 1, 55, 64, 8192, 65_536, 65_537, 1 << 20]) {
    const data = randomBytes(n);
    const want = createHmac("sha256", key.id).update(data).digest("hex");
    assert.equal(h.id(data), want, `size ${n}`);
    assert.equal(blobId(key, data), want, `blobId, size ${n}`);
  }
  assert.equal(h.id(Buffer.from("a")), h.id(Buffer.from("a")), "the pad states are copied, never consumed");
  assert.throws(() => new IdHasher(new Uint8Array(65)), /longer than the SHA-256 block/);
});
