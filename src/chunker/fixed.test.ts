/**
 * @module chunker/fixed.test
 * Fixed-size blocks and whole-file chunks: exact boundaries, ownership, abort.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { createFixedChunker } from "./fixed.ts";
import { createWholeChunker } from "./whole.ts";
import { collect, concat, lengths, pieces, reusingReader, Xorshift32 } from "./testdata.ts";

describe("fixed", () => {
  it("yields size-byte blocks and a short tail, whatever the piece sizes", async () => {
    const data = randomBytes(10 * 4096 + 123);
    const c = createFixedChunker({ size: 4096 });
    for (const input of [pieces(data, 1000, new Xorshift32(3)), pieces(data, data.length), reusingReader(data, 5000)]) {
      const chunks = await collect(c, input);
      assert.deepEqual(lengths(chunks), [...Array<number>(10).fill(4096), 123]);
      assert.deepEqual(concat(chunks), data);
    }
  });

  it("yields nothing for empty input and no tail for an exact multiple", async () => {
    const c = createFixedChunker({ size: 64 * 1024 });
    assert.deepEqual(await collect(c, pieces(new Uint8Array(0), 1)), []);
    assert.deepEqual(lengths(await collect(c, pieces(randomBytes(128 * 1024), 4096))), [65536, 65536]);
  });

  it("records its size and rejects a bad one", () => {
    assert.deepEqual(createFixedChunker({ size: 65536 }).spec, { name: "fixed", params: { size: 65536 } });
    assert.throws(() => createFixedChunker({ size: 0 }), /"size"/);
    assert.throws(() => createFixedChunker({ size: 1.5 }), /"size"/);
  });

  it("views cut exactly like chunks when each is copied at once, whatever the piece sizes", async () => {
    const data = randomBytes(37 * 512 + 77);
    const c = createFixedChunker({ size: 512 });
    const viewsOf = async (input: AsyncIterable<Uint8Array>) => {
      const out: Uint8Array[] = [];
      for await (const v of c.views!(input)) out.push(Uint8Array.from(v)); // copied before the next one
      return out;
    };
    const want = await collect(c, pieces(data, data.length));
    for (const input of [pieces(data, 300, new Xorshift32(9)), pieces(data, 512), pieces(data, 1), reusingReader(data, 700), pieces(data, data.length)]) {
      const got = await viewsOf(input);
      assert.deepEqual(lengths(got), lengths(want));
      assert.deepEqual(got.map((b) => Buffer.from(b)), want.map((b) => Buffer.from(b)));
    }
    assert.deepEqual(await viewsOf(pieces(new Uint8Array(0), 1)), []);
  });

  it("stops when the signal aborts", async () => {
    const c = createFixedChunker({ size: 10 });
    await assert.rejects(collect(c, pieces(randomBytes(100), 10), AbortSignal.abort()), { name: "AbortError" });
  });
});

describe("whole", () => {
  it("yields the whole input as one fresh chunk", async () => {
    const data = randomBytes(100_000);
    const c = createWholeChunker();
    for (const input of [pieces(data, 777, new Xorshift32(1)), pieces(data, data.length), reusingReader(data, 4096)]) {
      const chunks = await collect(c, input);
      assert.equal(chunks.length, 1);
      assert.deepEqual(Buffer.from(chunks[0]!), data);
      assert.notEqual(chunks[0]!.buffer, data.buffer);
    }
  });

  it("yields nothing for empty input and has an empty spec", async () => {
    assert.deepEqual(await collect(createWholeChunker(), pieces(new Uint8Array(0), 1)), []);
    assert.deepEqual(createWholeChunker().spec, { name: "whole", params: {} });
  });

  it("stops when the signal aborts", async () => {
    await assert.rejects(collect(createWholeChunker(), pieces(randomBytes(10), 5), AbortSignal.abort()), { name: "AbortError" });
  });
});
