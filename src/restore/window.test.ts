import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { windowedReads, type LoadPackRange } from "./window.ts";

/** fakePacks serves ranges of in-memory packs (short at the end, as backends do) and counts reads. */
function fakePacks(packs: Record<string, Buffer>): { load: LoadPackRange; reads: Array<[string, number, number]> } {
  const reads: Array<[string, number, number]> = [];
  return {
    reads,
    load: async (id, offset, length) => {
      reads.push([id, offset, length]);
      await new Promise((r) => setImmediate(r));
      return packs[id]!.subarray(offset, offset + length);
    },
  };
}

const OPTS = { windowBytes: 1000, smallRead: 300, maxWindows: 2 };

describe("windowedReads", () => {
  it("serves small reads of one window with one backend read, byte for byte", async () => {
    const a = randomBytes(2500);
    const f = fakePacks({ a });
    const read = windowedReads(f.load, OPTS);
    const ranges: Array<[number, number]> = [[0, 10], [10, 200], [500, 299], [990, 10], [1000, 50], [2400, 100]];
    const got = await Promise.all(ranges.map(([o, l]) => read("a", o, l)));
    for (const [i, [o, l]] of ranges.entries()) assert.ok(Buffer.from(got[i]!).equals(a.subarray(o, o + l)), `range ${o}+${l}`);
    assert.deepEqual(f.reads, [["a", 0, 1000], ["a", 1000, 1000], ["a", 2000, 1000]], "one read per window, even for concurrent callers");
  });

  it("sends large reads and reads across a window edge straight to the backend", async () => {
    const a = randomBytes(3000);
    const f = fakePacks({ a });
    const read = windowedReads(f.load, OPTS);
    assert.ok(Buffer.from(await read("a", 100, 300)).equals(a.subarray(100, 400)));
    assert.ok(Buffer.from(await read("a", 950, 100)).equals(a.subarray(950, 1050)));
    assert.deepEqual(f.reads, [["a", 100, 300], ["a", 950, 100]]);
  });

  it("keeps at most maxWindows windows, dropping the least recently used", async () => {
    const f = fakePacks({ a: randomBytes(5000), b: randomBytes(5000) });
    const read = windowedReads(f.load, OPTS);
    await read("a", 0, 1); // window a@0
    await read("b", 0, 1); // window b@0
    await read("a", 5, 1); // a@0 is now the most recent
    await read("a", 1000, 1); // a@1000 evicts b@0
    await read("a", 7, 1);
    await read("b", 3, 1); // b@0 again: a new read
    assert.deepEqual(f.reads.map(([id, o]) => `${id}@${o}`), ["a@0", "b@0", "a@1000", "b@0"]);
  });

  it("does not keep a failed window, and returns a short slice for a truncated pack", async () => {
    let fail = true;
    const a = randomBytes(1500);
    const read = windowedReads(async (_id, o, l) => {
      if (fail) throw new Error("ECONNRESET");
      return a.subarray(o, o + l);
    }, OPTS);
    await assert.rejects(read("a", 10, 10), /ECONNRESET/);
    fail = false;
    assert.ok(Buffer.from(await read("a", 10, 10)).equals(a.subarray(10, 20)), "a later read tries again");
    assert.equal((await read("a", 1490, 20)).length, 10, "past the end: short, for decoding to report");
  });
});
