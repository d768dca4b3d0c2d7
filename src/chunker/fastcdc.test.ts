/**
 * @module chunker/fastcdc.test
 * FastCDC: lossless, bounded, deterministic, keyed, shift resistant, and pinned by golden
 * vectors so an accidental algorithm change (which would break dedup) fails loudly.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { createFastCdc, deriveGear, FASTCDC_AVG, FASTCDC_MAX, FASTCDC_MIN } from "./fastcdc.ts";
import {
  collect, concat, keyOf, lengths, pieces, reusingReader, sha, Xorshift32, xorshiftBytes,
} from "./testdata.ts";

const MIB = 1024 * 1024;
const SMALL = { min: 256, avg: 1024, max: 4096 };

/** reference is FastCDC written plainly from the module doc, one byte at a time. */
function reference(key: Uint8Array, data: Uint8Array, { min, avg, max }: typeof SMALL): number[] {
  const gear = Uint32Array.from(deriveGear(key));
  const bits = Math.round(Math.log2(avg));
  const mask = (n: number) => (((1 << n) - 1) << (31 - n)) >>> 0;
  const out: number[] = [];
  for (let start = 0; start < data.length;) {
    const limit = Math.min(data.length - start, max);
    let len = limit;
    let h = 0;
    for (let i = min; i < limit; i++) {
      h = ((h << 1) + gear[data[start + i]!]!) >>> 0;
      if (((h & mask(i < avg ? bits + 2 : bits - 2)) >>> 0) === 0) { len = i + 1; break; }
    }
    out.push(len);
    start += len;
  }
  return out;
}

describe("fastcdc", () => {
  it("concatenates to the input for random data in random-size pieces", async () => {
    const rng = new Xorshift32(7);
    for (const size of [0, 1, 255, 4096, 4097, 300_000]) {
      const data = randomBytes(size);
      const chunks = await collect(createFastCdc({ key: keyOf(0), ...SMALL }), pieces(data, 1 + rng.below(9000), rng));
      assert.deepEqual(concat(chunks), Buffer.from(data), `size ${size}`);
    }
  });

  it("keeps every chunk but the last within [min, max]", async () => {
    for (const [sizes, total] of [[SMALL, 2 * MIB], [{ min: FASTCDC_MIN, avg: FASTCDC_AVG, max: FASTCDC_MAX }, 40 * MIB]] as const) {
      const lens = lengths(await collect(createFastCdc({ key: keyOf(3), ...sizes }), pieces(randomBytes(total), 64 * 1024)));
      for (const n of lens.slice(0, -1)) assert.ok(n >= sizes.min && n <= sizes.max, `chunk ${n} outside ${JSON.stringify(sizes)}`);
      assert.ok(lens.at(-1)! <= sizes.max);
    }
  });

  it("stays within [min, max] on constant input, where the hash is constant too", async () => {
    for (const key of [keyOf(0), keyOf(1), keyOf(2)]) {
      const lens = lengths(await collect(createFastCdc({ key, ...SMALL }), pieces(new Uint8Array(10_000), 999)));
      assert.ok(lens.slice(0, -1).every((n) => n >= SMALL.min && n <= SMALL.max), String(lens));
      assert.equal(lens.reduce((a, b) => a + b), 10_000);
    }
  });

  it("matches a plain one-byte-at-a-time reference implementation", async () => {
    for (const seed of [1, 2, 3]) {
      const data = xorshiftBytes(400_000, seed);
      const sizes = seed === 3 ? { min: 300, avg: 777, max: 5000 } : SMALL;
      const got = lengths(await collect(createFastCdc({ key: keyOf(seed), ...sizes }), pieces(data, 5000)));
      assert.deepEqual(got, reference(keyOf(seed), data, sizes));
    }
  });

  it("gives the same cut points whatever the piece sizes, even from a reusing reader", async () => {
    const data = randomBytes(3 * MIB);
    const c = createFastCdc({ key: keyOf(1), min: 16 * 1024, avg: 64 * 1024, max: 256 * 1024 });
    const want = sha(await collect(c, pieces(data, data.length)));
    assert.deepEqual(sha(await collect(c, pieces(data, 4096, new Xorshift32(9)))), want);
    assert.deepEqual(sha(await collect(c, pieces(data, 61))), want);
    assert.deepEqual(sha(await collect(c, reusingReader(data, 65536))), want);
  });

  it("cuts differently under a different key", async () => {
    const data = xorshiftBytes(2 * MIB, 5);
    const a = lengths(await collect(createFastCdc({ key: keyOf(0), ...SMALL }), pieces(data, 65536)));
    const b = lengths(await collect(createFastCdc({ key: keyOf(1), ...SMALL }), pieces(data, 65536)));
    assert.notDeepEqual(a, b);
  });

  it("resists shifts: 100 bytes inserted near the start of 20 MiB keep ≥ 80% of chunks", async () => {
    const data = randomBytes(20 * MIB);
    const shifted = Buffer.concat([data.subarray(0, 1000), randomBytes(100), data.subarray(1000)]);
    const c = createFastCdc({ key: keyOf(2) });
    const before = sha(await collect(c, pieces(data, 65536)));
    const after = new Set(sha(await collect(c, pieces(shifted, 65536))));
    const shared = before.filter((h) => after.has(h)).length;
    assert.ok(shared / before.length >= 0.8, `${shared}/${before.length} shared`);
  });

  it("changes at most the last two chunks when 1 KiB is appended", async () => {
    const data = randomBytes(20 * MIB);
    const c = createFastCdc({ key: keyOf(4) });
    const before = sha(await collect(c, pieces(data, 65536)));
    const after = sha(await collect(c, pieces(Buffer.concat([data, randomBytes(1024)]), 65536)));
    const common = before.findIndex((h, i) => after[i] !== h);
    assert.ok(common === -1 || common >= before.length - 2, `first difference at ${common} of ${before.length}`);
  });

  it("yields fresh buffers the caller owns", async () => {
    const chunks = await collect(createFastCdc({ key: keyOf(0), ...SMALL }), pieces(xorshiftBytes(50_000, 8), 50_000));
    const copy = chunks.map((x) => x.slice());
    chunks[0]!.fill(0);
    assert.deepEqual(chunks.slice(1), copy.slice(1));
    assert.equal(new Set(chunks.map((x) => x.buffer)).size, chunks.length);
  });

  it("reproduces the golden chunk lengths (key 0..31, xorshift input)", async () => {
    const small = createFastCdc({ key: keyOf(0), ...SMALL });
    assert.deepEqual(lengths(await collect(small, pieces(xorshiftBytes(32 * 1024, 1), 65536))), [
      1131, 334, 1118, 1059, 1233, 1369, 1138, 1152, 1159, 1211, 1948, 1702, 1592, 1349,
      1229, 1108, 1619, 1243, 1043, 1141, 1304, 1566, 331, 749, 1033, 1161, 1054, 692,
    ]);
    const def = createFastCdc({ key: keyOf(0) });
    assert.deepEqual(lengths(await collect(def, pieces(xorshiftBytes(16 * MIB, 2), MIB))), [
      1133799, 1196108, 1725781, 1152873, 1224289, 1349505, 1179988, 1385860, 1223273,
      1375309, 1215747, 1936789, 677895,
    ]);
  });

  it("stops when the signal aborts", async () => {
    const ac = new AbortController();
    const seen: number[] = [];
    const c = createFastCdc({ key: keyOf(0), ...SMALL });
    await assert.rejects(async () => {
      for await (const chunk of c.chunks(pieces(randomBytes(MIB), 4096), { signal: ac.signal })) {
        seen.push(chunk.length);
        if (seen.length === 3) ac.abort();
      }
    }, { name: "AbortError" });
    assert.equal(seen.length, 3);
    await assert.rejects(collect(c, pieces(randomBytes(10), 10), AbortSignal.abort()), { name: "AbortError" });
  });

  it("records its sizes in the spec, not the key, and rejects bad parameters", () => {
    assert.deepEqual(createFastCdc({ key: keyOf(0) }).spec, {
      name: "fastcdc", params: { min: FASTCDC_MIN, avg: FASTCDC_AVG, max: FASTCDC_MAX },
    });
    assert.throws(() => createFastCdc({ key: new Uint8Array(16) }), /32 bytes/);
    assert.throws(() => createFastCdc({ key: keyOf(0), min: 2048, avg: 1024, max: 4096 }), /"min"/);
    assert.throws(() => createFastCdc({ key: keyOf(0), min: 256, avg: 1024, max: 512 }), /"avg"/);
    assert.throws(() => createFastCdc({ key: keyOf(0), min: 1.5 }), /"min"/);
  });
});
