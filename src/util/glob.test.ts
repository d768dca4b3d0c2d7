import assert from "node:assert/strict";
import { test } from "node:test";
import { matchGlob } from "./glob.ts";

test("matchGlob: ** spans folders, * stays in one name, dot-files match", () => {
  assert.ok(matchGlob("a/b/c.lock", "**/*.lock"));
  assert.ok(matchGlob("c.lock", "**/*.lock"));
  assert.ok(matchGlob(".git/index.lock", "**/*.lock"));
  assert.ok(matchGlob("logs", "**/logs/**"));
  assert.ok(matchGlob("g/logs/x.log", "**/logs/**"));
  assert.ok(matchGlob("telegram/update-offset-default.json", "telegram/update-offset-*.json"));
  assert.ok(!matchGlob("telegram/sub/update-offset-x.json", "telegram/update-offset-*.json"));
  assert.ok(!matchGlob("a.lockfile", "**/*.lock"));
  assert.ok(matchGlob("x.db", "x.d?"));
});
