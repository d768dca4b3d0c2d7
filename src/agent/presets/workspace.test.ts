import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { workspace as workspaceFixture } from "../../testing/fixtures/index.ts";
import { workspace } from "./workspace.ts";

let tmp: string;
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), "lifeboat-workspace-"));
});
after(() => rm(tmp, { recursive: true, force: true }));

test("workspace: identity and memory items, P10 failure cases reported", async () => {
  const root = join(tmp, "ws");
  await workspaceFixture(root, { selfNested: true });
  const d = await workspace.detect(root);
  assert.ok(d.confidence > 0.2 && d.confidence < 0.5, "low on purpose: any runtime preset should win");
  const plan = await workspace.plan(root);
  assert.deepEqual(plan.items.map((i) => [i.name, i.kind, i.class, "path" in i ? i.path : ""]), [
    ["workspace", "files", "identity", root],
    ["memory", "files", "memory", join(root, "memory")],
  ]);
  const own = plan.excluded.filter((e) => e.item === "workspace" && e.coveredBy === undefined).map((e) => e.pattern);
  assert.ok(own.includes("**/.DS_Store") && own.includes("**/venv") && own.includes("**/*backup*.tar.gz"));
  assert.ok(plan.warnings.some((w) => w.startsWith("auth-profiles.json: a secret inside the workspace")));
  assert.ok(plan.warnings.some((w) => w.startsWith(".gitignore hides SOUL.md, USER.md")));
  assert.ok(plan.warnings.some((w) => w.includes("copies of itself")));
});

test("workspace: a folder without Markdown is not a workspace", async () => {
  const root = join(tmp, "empty");
  await mkdir(root);
  await writeFile(join(root, "a.txt"), "x");
  assert.equal((await workspace.detect(root)).confidence, 0);
});
