/**
 * @module drill/parsecheck.test
 * What the drill's parse check accepts and refuses: JSON and JSON5 files, JSONL with a torn
 * last line (a warning: the capture raced an append) and a bad middle line (a failure).
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { parseCheck } from "./parsecheck.ts";

let dir: string;
before(async () => { dir = await mkdtemp(join(tmpdir(), "lifeboat-parsecheck-")); });
after(() => rm(dir, { recursive: true, force: true }));

async function tree(name: string, files: Record<string, string>): Promise<string> {
  const root = join(dir, name);
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(join(root, rel, ".."), { recursive: true });
    await writeFile(join(root, rel), text);
  }
  return root;
}

test("valid JSON, JSON5 config and JSONL pass, and are counted", async () => {
  const root = await tree("good", {
    "a.json": '{"x":1}', "openclaw.json": "{ // comment\n  agents: { list: [], },\n}\n",
    "s/t.jsonl": '{"a":1}\n{"b":2}\n\n', "notes.md": "{ not json",
  });
  const r = await parseCheck(root);
  assert.deepEqual(r.failures, []);
  assert.deepEqual(r.warnings, []);
  assert.equal(r.files, 3);
  assert.equal(r.lines, 3);
});

test("a torn last JSONL line is a warning; a bad middle line and a broken .json are failures", async () => {
  const torn = await parseCheck(await tree("torn", { "t.jsonl": '{"a":1}\n{"b":' }));
  assert.deepEqual(torn.failures, []);
  assert.match(torn.warnings[0]!, /t\.jsonl: the last line \(2\) is incomplete/);
  const bad = await parseCheck(await tree("bad", { "t.jsonl": '{"a":1}\n{"b":\n{"c":3}\n', "x.json": '{"a":' }));
  assert.equal(bad.failures.length, 2);
  assert.ok(bad.failures.some((f) => /t\.jsonl: line 2 is not valid JSON/.test(f)), bad.failures.join("; "));
  assert.ok(bad.failures.some((f) => /x\.json is not valid JSON/.test(f)));
  const lastBad = await parseCheck(await tree("lastbad", { "t.jsonl": '{"a":1}\n{"b":\n' }));
  assert.match(lastBad.failures[0]!, /line 2 is not valid JSON/, "a complete but invalid last line is a failure");
});

test("a single file item is checked by its own name", async () => {
  const root = await tree("single", { "state.json": "[1," });
  const r = await parseCheck(join(root, "state.json"));
  assert.match(r.failures[0]!, /^state\.json is not valid JSON/);
});
