/**
 * @module doctor/selfinclude.test
 * A repository inside a backed-up folder is an error unless the item leaves it out; one
 * inside a root no item covers warns; the cache inside a backed-up folder warns.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, symlink } from "node:fs/promises";
import { join } from "node:path";
import { workspace } from "../testing/fixtures/index.ts";
import { checkSelfInclude } from "./selfinclude.ts";
import { customAgent, presetAgent, tempDir } from "./_testkit.ts";

test("a repository inside the agent's root (a workspace item covers it) is an error with the fix", async () => {
  const t = await tempDir("self");
  try {
    const fx = await workspace(join(t.dir, "ws"));
    const repo = join(fx.root, "backups", "lifeboat");
    const found = await checkSelfInclude([await presetAgent("owl", "workspace", fx.root)], { repository: repo });
    assert.equal(found.length, 1, JSON.stringify(found));
    const f = found[0]!;
    assert.deepEqual([f.level, f.check, f.agent, f.item], ["error", "self-include", "owl", "workspace"]);
    assert.match(f.message, /the repository .*\/ws\/backups\/lifeboat is inside item workspace/);
    assert.match(f.fix ?? "", /move the repository out of the tree, or exclude it: add "backups\/lifeboat"/);
  } finally {
    await t.cleanup();
  }
});

test("reached through a symlink, the repository is still found", async () => {
  const t = await tempDir("self");
  try {
    const fx = await workspace(join(t.dir, "ws"));
    await mkdir(join(fx.root, "repo"));
    await symlink(join(fx.root, "repo"), join(t.dir, "link"));
    const found = await checkSelfInclude([await presetAgent("owl", "workspace", fx.root)], { repository: join(t.dir, "link") });
    assert.deepEqual(found.map((f) => f.level), ["error"]);
  } finally {
    await t.cleanup();
  }
});

test("left out by the item (exclude glob, volatile pattern, include) or a skipped item: only the root warning", async () => {
  const t = await tempDir("self");
  try {
    const root = t.dir;
    const files = (extra: object) => ({ kind: "files" as const, name: "all", class: "other" as const, required: true, path: root, ...extra });
    for (const [agent, repo] of [
      [customAgent("a", root, [files({ exclude: ["backups"] })]), join(root, "backups", "repo")],
      [customAgent("a", root, [files({})]), join(root, "tmp", "repo")],
      [customAgent("a", root, [files({ include: ["**/*.md"] })]), join(root, "repo")],
      [customAgent("a", root, [files({ regenerable: true })], { skip: ["all"] }), join(root, "repo")],
    ] as const) {
      const found = await checkSelfInclude([agent], { repository: repo });
      assert.deepEqual(found.map((f) => f.level), ["warn"], `${repo}: ${JSON.stringify(found)}`);
      assert.match(found[0]!.message, /inside the agent root .*; no item backs it up today/);
    }
  } finally {
    await t.cleanup();
  }
});

test("outside every tree: ok; no local repository: nothing; the cache inside a tree warns", async () => {
  const t = await tempDir("self");
  try {
    const agent = customAgent("a", join(t.dir, "agent"), [{ kind: "files", name: "ws", class: "identity", path: join(t.dir, "agent", "ws") }]);
    assert.deepEqual((await checkSelfInclude([agent], { repository: join(t.dir, "repo") })).map((f) => f.level), ["ok"]);
    assert.deepEqual(await checkSelfInclude([agent], {}), []);
    const found = await checkSelfInclude([agent], { cache: join(t.dir, "agent", "ws", ".cache", "lifeboat") });
    assert.deepEqual(found.map((f) => [f.level, f.item]), [["warn", "ws"]]);
    assert.match(found[0]!.fix ?? "", /--cache-dir/);
  } finally {
    await t.cleanup();
  }
});
