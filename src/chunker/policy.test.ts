/**
 * @module chunker/policy.test
 * The policy's choices by size and class, its spec list, and rebuilding from specs.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { FASTCDC_DEFAULTS, FASTCDC_MIN } from "./fastcdc.ts";
import { chunkerFromSpec, createChunkerPolicy } from "./policy.ts";
import { collect, keyOf, pieces, sha } from "./testdata.ts";

const DB = { name: "fixed", params: { size: 65536 } };

describe("createChunkerPolicy", () => {
  const policy = createChunkerPolicy({ key: keyOf(0), classes: { database: DB } });

  it("gives whole below the limit, the class chunker for listed classes, fastcdc otherwise", () => {
    assert.equal(policy.forFile("notes.md", 4096).spec.name, "whole");
    assert.equal(policy.forFile("small.db", FASTCDC_MIN - 1, "database").spec.name, "whole");
    assert.deepEqual(policy.forFile("state.db", 10 << 20, "database").spec, DB);
    assert.equal(policy.forFile("run.log", FASTCDC_MIN).spec.name, "fastcdc");
    assert.equal(policy.forFile("run.log", 10 << 20, "transcript").spec.name, "fastcdc");
    assert.equal(policy.forFile("x", 10 << 20, "constructor").spec.name, "fastcdc");
  });

  it("lists every spec it may return", () => {
    assert.deepEqual(policy.specs, {
      whole: { name: "whole", params: {} },
      fastcdc: { name: "fastcdc", params: { ...FASTCDC_DEFAULTS } },
      "class:database": DB,
    });
  });

  it("honours smallFileLimit and fastcdc sizes", () => {
    const p = createChunkerPolicy({ key: keyOf(0), smallFileLimit: 0, fastcdc: { min: 1024, avg: 4096, max: 16384 } });
    assert.equal(p.forFile("empty", 0).spec.name, "fastcdc");
    assert.deepEqual(Object.keys(p.specs), ["fastcdc"]);
    assert.deepEqual(p.specs["fastcdc"]!.params, { min: 1024, avg: 4096, max: 16384 });
    const q = createChunkerPolicy({ key: keyOf(0), fastcdc: { min: 1024, avg: 4096, max: 16384 } });
    assert.equal(q.forFile("a", 1023).spec.name, "whole");
    assert.equal(q.forFile("a", 1024).spec.name, "fastcdc");
  });

  it("rejects an invalid class spec up front", () => {
    assert.throws(() => createChunkerPolicy({ key: keyOf(0), classes: { x: { name: "rabin", params: {} } } }), /unknown chunker "rabin"/);
  });
});

describe("chunkerFromSpec", () => {
  it("rebuilds chunkers that cut exactly as the originals", async () => {
    const data = randomBytes(3 << 20);
    const policy = createChunkerPolicy({ key: keyOf(5), fastcdc: { min: 8192, avg: 32768, max: 131072 }, classes: { database: DB } });
    for (const [name, spec] of Object.entries(policy.specs)) {
      const original = name === "whole" ? policy.forFile("a", 0) : policy.forFile("a", data.length, name.replace("class:", ""));
      const rebuilt = chunkerFromSpec(spec, keyOf(5));
      assert.deepEqual(rebuilt.spec, spec);
      assert.deepEqual(sha(await collect(rebuilt, pieces(data, 65536))), sha(await collect(original, pieces(data, 65536))), name);
    }
  });

  it("throws a clear error for unknown names and missing params", () => {
    assert.throws(() => chunkerFromSpec({ name: "nope", params: {} }, keyOf(0)), /unknown chunker "nope" \(known: fastcdc, fixed, whole\)/);
    assert.throws(() => chunkerFromSpec({ name: "fixed", params: {} }, keyOf(0)), /lacks param "size"/);
    assert.throws(() => chunkerFromSpec({ name: "fastcdc", params: { min: 1, avg: 2 } }, keyOf(0)), /lacks param "max"/);
  });
});
