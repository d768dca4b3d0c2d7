import assert from "node:assert/strict";
import { test } from "node:test";
import { parseJson5 } from "./_json5.ts";

test("parseJson5 reads comments, trailing commas, unquoted keys and single quotes", () => {
  const text = `// top comment
  {
    /* block
       comment */
    agents: {
      defaults: { workspace: "~/.openclaw/workspace", }, // trailing comma
      list: [ { id: 'main', default: true, }, { id: "coder" }, ],
    },
    url: "https://example.com/a//b", // slashes inside a string are not a comment
    quote: 'it\\'s "fine"',
    hex: 0x1F, neg: -.5, plus: +3, big: 1e-3, inf: Infinity,
    $key_1: null,
  }`;
  assert.deepEqual(parseJson5(text), {
    agents: { defaults: { workspace: "~/.openclaw/workspace" }, list: [{ id: "main", default: true }, { id: "coder" }] },
    url: "https://example.com/a//b",
    quote: `it's "fine"`,
    hex: 31, neg: -0.5, plus: 3, big: 0.001, inf: null,
    $key_1: null,
  });
});

test("parseJson5 accepts plain JSON with a BOM and CJK", () => {
  assert.deepEqual(parseJson5('\uFEFF{"名前": "さくら 🌸"}'), { 名前: "さくら 🌸" });
});

test("parseJson5 fails with a cause on broken input", () => {
  assert.throws(() => parseJson5("{ agents: [ }"), (err: Error) => err.message === "parse JSON5" && err.cause instanceof SyntaxError);
  assert.throws(() => parseJson5('{ a: "unterminated }'), /unterminated string/);
});
