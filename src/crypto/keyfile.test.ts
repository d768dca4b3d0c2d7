/**
 * @module crypto/keyfile.test
 * Key files wrap the master secret under a password: the right password unwraps it, a wrong
 * one yields null (not an exception), the KDF parameters travel in the file, and malformed
 * key files are refused before any KDF work.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { DEFAULT_SCRYPT, TEST_SCRYPT, deriveKey } from "./kdf.ts";
import { parseKeyFile, unwrapSecret, wrapSecret, type KeyFile } from "./keyfile.ts";

const secret = randomBytes(64);

test("the right password unwraps the secret, a wrong one gives null", async () => {
  const kf = await wrapSecret(secret, "correct horse", TEST_SCRYPT);
  assert.deepEqual(Buffer.from((await unwrapSecret(kf, "correct horse"))!), secret);
  assert.equal(await unwrapSecret(kf, "correct horsE"), null);
  assert.equal(await unwrapSecret(kf, ""), null);
});

test("the key file records the KDF parameters and a fresh salt; the secret is not in it", async () => {
  const a = await wrapSecret(secret, "pw", TEST_SCRYPT);
  const b = await wrapSecret(secret, "pw", TEST_SCRYPT);
  assert.equal(a.version, 1);
  assert.equal(a.kdf, "scrypt");
  assert.deepEqual([a.N, a.r, a.p], [TEST_SCRYPT.N, TEST_SCRYPT.r, TEST_SCRYPT.p]);
  assert.equal(Buffer.from(a.salt, "base64").length, 32);
  assert.notEqual(a.salt, b.salt);
  assert.notEqual(a.data, b.data);
  assert.ok(!Buffer.from(a.data, "base64").includes(secret));
  assert.ok(!Number.isNaN(Date.parse(a.created)));
});

test("unwrap uses the parameters stored in the file, not the defaults", async () => {
  const params = { N: 2 ** 11, r: 4, p: 2 };
  const kf = await wrapSecret(secret, "pw", params);
  assert.deepEqual([kf.N, kf.r, kf.p], [2 ** 11, 4, 2]);
  assert.deepEqual(Buffer.from((await unwrapSecret(kf, "pw"))!), secret);
  // Tampering with the recorded parameters derives another key: the password no longer opens it.
  assert.equal(await unwrapSecret({ ...kf, N: 2 ** 10 }, "pw"), null);
});

test("a key file survives its JSON round trip through parseKeyFile", async () => {
  const kf = await wrapSecret(secret, "pw", TEST_SCRYPT);
  const parsed = parseKeyFile(Buffer.from(JSON.stringify(kf, null, 2)));
  assert.deepEqual(parsed, kf);
  assert.deepEqual(Buffer.from((await unwrapSecret(parsed, "pw"))!), secret);
});

test("the password is NFC-normalised: composed and decomposed forms open the same key", async () => {
  const kf = await wrapSecret(secret, "caf\u00e9", TEST_SCRYPT);
  assert.deepEqual(Buffer.from((await unwrapSecret(kf, "cafe\u0301"))!), secret);
});

test("DEFAULT_SCRYPT (N=2^16) derives a key: maxmem is large enough", async () => {
  const key = await deriveKey("pw", randomBytes(32), DEFAULT_SCRYPT);
  assert.equal(key.length, 32);
});

test("deriveKey is deterministic for password and salt, and depends on both", async () => {
  const salt = randomBytes(32);
  const a = await deriveKey("pw", salt, TEST_SCRYPT);
  assert.deepEqual(await deriveKey("pw", salt, TEST_SCRYPT), a);
  assert.notDeepEqual(await deriveKey("pw2", salt, TEST_SCRYPT), a);
  assert.notDeepEqual(await deriveKey("pw", randomBytes(32), TEST_SCRYPT), a);
});

test("unwrapSecret refuses an unknown kdf instead of guessing", async () => {
  const kf = await wrapSecret(secret, "pw", TEST_SCRYPT);
  const bad = { ...kf, kdf: "argon2" } as unknown as KeyFile;
  await assert.rejects(unwrapSecret(bad, "pw"), /unsupported key derivation/);
});

test("parseKeyFile rejects malformed shapes", async () => {
  const good = await wrapSecret(secret, "pw", TEST_SCRYPT);
  const cases: [string, unknown][] = [
    ["null", null],
    ["array", []],
    ["number", 42],
    ["version 2", { ...good, version: 2 }],
    ["missing version", { ...good, version: undefined }],
    ["salt not a string", { ...good, salt: 5 }],
    ["missing data", { ...good, data: undefined }],
    ["N not an integer", { ...good, N: 1024.5 }],
    ["r as a string", { ...good, r: "8" }],
    ["missing p", { ...good, p: undefined }],
    ["unknown kdf", { ...good, kdf: "argon2" }],
    ["created not a string", { ...good, created: 5 }],
    ["N not a power of two (scrypt would throw)", { ...good, N: 3 }],
    ["N too costly (2^22: 4 GiB, 17 s per open)", { ...good, N: 2 ** 22 }],
    ["p too costly", { ...good, p: 2 ** 20 }],
    ["r zero", { ...good, r: 0 }],
    ["N=2^16 with r=1 (scrypt needs N < 2^(16r))", { ...good, N: 2 ** 16, r: 1 }],
    ["p beyond deriveKey's maxmem", { ...good, N: 2, r: 1, p: 2 ** 20 }],
  ];
  for (const [label, value] of cases) {
    assert.throws(() => parseKeyFile(Buffer.from(JSON.stringify(value))), Error, label);
  }
  // A parse failure is the module's own error, never a bare SyntaxError (test/reliability/fuzz-keys.test.ts).
  assert.throws(() => parseKeyFile(Buffer.from("{not json")), (err: Error) => err.constructor === Error && /malformed key file/.test(err.message));
  assert.throws(() => parseKeyFile(Buffer.alloc(0)), (err: Error) => err.constructor === Error && /malformed key file/.test(err.message));
  assert.equal(parseKeyFile(Buffer.from(JSON.stringify({ ...good, N: 2 ** 17, r: 8, p: 1 }))).N, 2 ** 17, "twice the default's cost is accepted");
});
