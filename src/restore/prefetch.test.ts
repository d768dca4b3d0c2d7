import assert from "node:assert/strict";
import { test } from "node:test";
import type { Node, Tree } from "../model/index.ts";
import { prefetchTrees } from "./prefetch.ts";

const dir = (name: string, subtree: string) => ({ name, type: "dir", subtree }) as Node;
const file = (name: string) => ({ name, type: "file", content: [] }) as unknown as Node;

test("prefetchTrees: loads every folder tree once, shared subtrees too, and keeps a failed load for the walk to report", async () => {
  const trees: Record<string, Tree> = {
    root: { nodes: [dir("a", "A"), dir("b", "B"), file("x")] },
    A: { nodes: [dir("same", "S"), file("y")] },
    B: { nodes: [dir("same-again", "S"), dir("gone", "MISSING")] },
    S: { nodes: [file("z")] },
  };
  const calls: string[] = [];
  const load = async (id: string) => {
    calls.push(id);
    await new Promise((r) => setImmediate(r));
    const t = trees[id];
    if (!t) throw new Error(`tree ${id} is not in the index`);
    return t;
  };
  const cache = prefetchTrees(load, "root");
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
  assert.deepEqual([...calls].sort(), ["A", "B", "MISSING", "S", "root"]);
  assert.equal(await cache.get("S"), trees.S);
  await assert.rejects(cache.get("MISSING")!, /not in the index/);
});

test("prefetchTrees: an aborted signal starts nothing more", async () => {
  const ac = new AbortController();
  ac.abort();
  let calls = 0;
  const cache = prefetchTrees(async () => { calls++; return { nodes: [] }; }, "root", ac.signal);
  assert.equal(cache.size, 0);
  assert.equal(calls, 0);
});
