/**
 * @module test/e2e/agent-live-restore.test
 * Issue 3, "Must show" 4 and 5, on a backed-up NanoClaw agent whose tree has since changed:
 * - a restore while a process holds the agent's pid file (the preset's nanoclaw.pid, then a
 *   `pid_files:` entry from lifeboat.yaml) is refused: non-zero exit, the message names the
 *   process and its pid file, the tree is unchanged to the byte, and no snapshot (not even
 *   the pre-restore safety copy) is taken;
 * - `restore --dry-run` prints the plan in restore order (secrets first) and changes nothing;
 * - once the process is gone, the same restore goes through: a pre-restore snapshot keeps
 *   the changed state, and the changed files are back as backed up.
 */
import assert from "node:assert/strict";
import { appendFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { nanoclawV1 } from "../../src/testing/fixtures/index.ts";
import { assertRestoreOrder, createAgentWorld, planLines, startSleeper, treeState, type AgentWorld, type TreeState } from "./agent-helpers.ts";
import { assertCleanFailure, assertNoStackTrace } from "./helpers.ts";

describe("restoring into a live agent, and --dry-run", { timeout: 300_000 }, () => {
  let w: AgentWorld;
  let root: string;
  let dirs: string[];
  let memory: string;
  let original: string;
  let changed: TreeState;

  before(async () => {
    w = await createAgentWorld();
    root = join(w.home, "nanoclaw");
    dirs = [root, join(w.home, ".config", "nanoclaw")];
    await nanoclawV1(root, { home: w.home, messages: 300 });
    await w.writeConfig([{ name: "andy", preset: "nanoclaw", root }]);
    await w.ok(["backup"]);
    // The agent lives on after the backup: it learns something and forgets a conversation.
    memory = join(root, "groups", "main", "CLAUDE.md");
    original = await readFile(memory, "utf8");
    await appendFile(memory, "- learned after the backup\n");
    await rm(join(root, "groups", "telegram_main", "shopping.md"));
    changed = await treeState(...dirs);
  });

  after(() => w?.cleanup());

  it("refuses while a process holds the pid file, names it, and changes nothing", async () => {
    const agent = startSleeper();
    try {
      const snapshots = (await w.snapshots()).length;
      const pidFile = join(root, "nanoclaw.pid"); // one of the preset's pid files
      await writeFile(pidFile, `${agent.pid}\n`);
      const withPid = await treeState(...dirs);

      const res = await w.cli(["restore", "latest", "--agent", "andy"]);
      assertCleanFailure(res, 1, /refusing to restore into a running agent/, new RegExp(`process ${agent.pid} is running \\(pid file ${pidFile}\\)`), /nothing was changed/);
      assert.deepEqual(await treeState(...dirs), withPid, "tree unchanged");
      assert.equal((await w.snapshots()).length, snapshots, "no snapshot taken, not even a pre-restore one");

      // A pid file named in lifeboat.yaml (pid_files:) counts the same.
      await rm(pidFile);
      await w.writeConfig([{ name: "andy", preset: "nanoclaw", root, pid_files: ["run/agent.pid"] }]);
      await mkdir(join(root, "run"));
      await writeFile(join(root, "run", "agent.pid"), JSON.stringify({ pid: agent.pid }));
      const withConfigured = await treeState(...dirs);
      const res2 = await w.cli(["restore", "latest", "--agent", "andy"]);
      assertCleanFailure(res2, 1, new RegExp(`process ${agent.pid} is running \\(pid file ${join(root, "run", "agent.pid")}\\)`));
      assert.deepEqual(await treeState(...dirs), withConfigured, "tree unchanged");
      assert.equal((await w.snapshots()).length, snapshots);
      await rm(join(root, "run"), { recursive: true });
    } finally {
      await agent.stop();
      await w.writeConfig([{ name: "andy", preset: "nanoclaw", root }]);
      await rm(join(root, "nanoclaw.pid"), { force: true });
    }
    assert.deepEqual(await treeState(...dirs), changed, "back to the changed tree the next tests start from");
  });

  it("--dry-run prints the plan, secrets first, and leaves the tree as it is", async () => {
    const snapshots = (await w.snapshots()).length;
    const res = await w.ok(["restore", "latest", "--agent", "andy", "--dry-run"]);
    assertNoStackTrace(res.stderr);
    assert.match(res.stdout, /would restore agent andy from snapshot [0-9a-f]{8} \(dry run: nothing changed\)/);
    const plan = planLines(res.stdout);
    assertRestoreOrder(plan);
    assert.deepEqual(plan.slice(0, 2).map((p) => p.name).sort(), ["env", "whatsapp-auth"], "the two secret items lead");
    assert.ok(plan.some((p) => p.name === "groups" && p.dest === join(root, "groups")), "the plan names where each item goes");
    assert.doesNotMatch(res.stdout, /^restored /m, "nothing restored");
    assert.deepEqual(await treeState(...dirs), changed, "tree unchanged");
    assert.equal((await w.snapshots()).length, snapshots, "no snapshot taken");
  });

  it("once the process is gone, the restore goes through and keeps a pre-restore snapshot", async () => {
    const before = (await w.snapshots()).length;
    const res = await w.ok(["restore", "latest", "--agent", "andy"]);
    assert.match(res.stdout, /the previous state is in snapshot [0-9a-f]{8} \(tag pre-restore\)/);
    assert.equal(await readFile(memory, "utf8"), original, "the memory file is back as backed up");
    assert.match(await readFile(join(root, "groups", "telegram_main", "shopping.md"), "utf8"), /oat milk/);
    const after = await w.snapshots();
    assert.equal(after.length, before + 1);
    assert.ok(after.at(-1)!.tags.includes("pre-restore"));
  });
});
