/**
 * @module repository/objects.test
 * The envelope of config, index, snapshot and lock objects: round trip (raw and zstd), and
 * every kind of damage is an IntegrityError that names the object.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { IntegrityError } from "../errors/index.ts";
import { OVERHEAD, seal } from "../crypto/aead.ts";
import { decodeObject, encodeObject, sha256hex } from "./objects.ts";

const key = randomBytes(32);

function isIntegrity(object: string) {
  return (err: unknown) => {
    assert.ok(err instanceof IntegrityError, `expected IntegrityError, got ${String(err)}`);
    assert.equal(err.object, object);
    assert.ok(err.message.includes(object));
    return true;
  };
}

test("a small object round-trips and is stored raw (no larger than JSON + 1 + overhead)", () => {
  const value = { version: 1, name: "tiny", list: [1, 2, 3] };
  const bytes = encodeObject(key, "snapshot", value);
  assert.equal(bytes.length, JSON.stringify(value).length + 1 + OVERHEAD);
  assert.deepEqual(decodeObject(key, "snapshot", bytes), value);
  assert.deepEqual(decodeObject(key, "snapshot", bytes, sha256hex(bytes)), value);
});

test("a large repetitive object round-trips and is stored compressed", () => {
  const value = { packs: Array.from({ length: 2000 }, (_, i) => ({ id: "ab".repeat(32), blobs: [[i, "d", i * 10]] })) };
  const json = JSON.stringify(value);
  const bytes = encodeObject(key, "index", value);
  assert.ok(bytes.length < json.length / 4, `${bytes.length} bytes for ${json.length} bytes of JSON`);
  assert.deepEqual(decodeObject(key, "index", bytes, sha256hex(bytes)), value);
});

test("large incompressible JSON still round-trips (stored raw)", () => {
  const value = { noise: randomBytes(3000).toString("base64") };
  const bytes = encodeObject(key, "index", value);
  assert.deepEqual(decodeObject(key, "index", bytes), value);
});

test("a name that is not the SHA-256 of the bytes is an IntegrityError naming the object", () => {
  const bytes = encodeObject(key, "index", { version: 1, packs: [] });
  const wrong = sha256hex(Buffer.from("something else"));
  assert.throws(() => decodeObject(key, "index", bytes, wrong), isIntegrity(`index ${wrong}`));
  // Truncation is caught by the same check.
  const name = sha256hex(bytes);
  assert.throws(() => decodeObject(key, "index", bytes.subarray(0, bytes.length - 1), name), isIntegrity(`index ${name}`));
});

test("a flipped byte is an IntegrityError, with or without a name to check against", () => {
  const bytes = Buffer.from(encodeObject(key, "snapshot", { tree: "abc", paths: ["/a"] }));
  const name = sha256hex(bytes);
  for (const at of [0, 20, bytes.length - 1]) {
    const bad = Buffer.from(bytes);
    bad[at]! ^= 0x01;
    assert.throws(() => decodeObject(key, "snapshot", bad, name), isIntegrity(`snapshot ${name}`));
    // Without a name, decryption itself refuses it.
    assert.throws(() => decodeObject(key, "snapshot", bad), isIntegrity("snapshot"));
  }
});

test("an object decoded as another type is refused (the type is associated data)", () => {
  const bytes = encodeObject(key, "snapshot", { tree: "abc" });
  const name = sha256hex(bytes);
  assert.throws(() => decodeObject(key, "index", bytes, name), isIntegrity(`index ${name}`));
  assert.throws(() => decodeObject(key, "config", bytes), isIntegrity("config"));
});

test("an object sealed under another repository's key is an IntegrityError", () => {
  const bytes = encodeObject(randomBytes(32), "config", { version: 1 });
  assert.throws(() => decodeObject(key, "config", bytes), isIntegrity("config"));
});

test("an authentic envelope whose body is not JSON (or not zstd) is an IntegrityError", () => {
  const aad = Buffer.from("snapshot");
  const notJson = seal(key, Buffer.concat([Buffer.from([0]), Buffer.from("{oops")]), aad);
  assert.throws(() => decodeObject(key, "snapshot", notJson), isIntegrity("snapshot"));
  const notZstd = seal(key, Buffer.concat([Buffer.from([1]), Buffer.from("not a zstd frame")]), aad);
  assert.throws(() => decodeObject(key, "snapshot", notZstd), isIntegrity("snapshot"));
});

test("sha256hex is lowercase hex SHA-256", () => {
  assert.equal(sha256hex(Buffer.from("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
});
