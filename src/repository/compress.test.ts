/**
 * @module repository/compress.test
 * Blob compression through reused zstd contexts (repository/zstdctx.ts): every frame must
 * inflate to the exact input whatever came before it, incompressible input is stored raw,
 * and damage is still refused, without poisoning the frames that follow.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { zstdCompressSync, zstdDecompressSync } from "node:zlib";
import { decompress, maybeCompress } from "./compress.ts";

const text = (n: number, seed: number) => Buffer.from(Array.from({ length: Math.ceil(n / 40) }, (_, i) => `line ${seed}-${i % 97} of agent memory\n`).join("")).subarray(0, n);

test("many frames of every size and level inflate to their input, in any order", () => {
  const inputs = [text(100, 1), text(8192, 2), randomBytes(8192), text(70_000, 3), text(1 << 20, 4), text(3 << 20, 5), Buffer.alloc(8192), text(33, 6)];
  for (let round = 0; round < 3; round++) {
    for (const [i, input] of inputs.entries()) {
      const level = (i + round) % 2 === 0 ? 1 : 3;
      const c = maybeCompress(input, level);
      if (c === null) {
        assert.ok(zstdCompressSync(input).length >= input.length, "only input zstd cannot shrink is stored raw");
        continue;
      }
      assert.ok(c.length < input.length);
      assert.deepEqual(zstdDecompressSync(c), input, "a standard zstd frame");
      assert.deepEqual(decompress(c, input.length), input);
    }
  }
  assert.equal(maybeCompress(randomBytes(8192)), null);
});

test("a damaged, truncated or mis-sized frame is refused, and the next frame still inflates", () => {
  const good = text(20_000, 7);
  const frame = maybeCompress(good)!;
  const flipped = Buffer.from(frame);
  flipped[flipped.length >> 1]! ^= 0xff;
  const cases: [Uint8Array, number][] = [[flipped, good.length], [frame.subarray(0, frame.length - 9), good.length], [frame, good.length - 1], [frame, good.length + 1], [randomBytes(500), 1000]];
  for (const [bytes, raw] of cases) {
    let out: Buffer | undefined;
    try { out = decompress(bytes, raw); } catch { out = undefined; }
    assert.ok(out === undefined || !out.equals(good) || raw !== good.length, "damage never passes as the original");
    assert.deepEqual(decompress(frame, good.length), good, "the context is clean after a bad frame");
  }
  assert.throws(() => decompress(frame, good.length - 1));
  assert.throws(() => decompress(frame, good.length + 1));
});
