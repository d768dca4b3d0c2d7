/**
 * @module test/e2e/cli.test
 * The CLI surface a user and a script rely on: every command's --help (found by reading
 * `lifeboat --help`, so a new command cannot be forgotten) shows examples and the exit
 * codes, and the --json output of backup, snapshots, ls, check and restore is exactly one
 * parseable JSON document on stdout.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { writeTree } from "../../src/testing/index.ts";
import { createWorkspace, runCli, type Workspace } from "./helpers.ts";

/** commandsIn reads the command names from the "Commands:" section of a help text. */
function commandsIn(help: string): string[] {
  // The section ends at the first blank line: later lines (examples, per-command exit notes) are not commands.
  const section = (help.split(/^Commands:$/m)[1] ?? "").split(/\n\s*\n/)[0] ?? "";
  // Command lines are indented by exactly two spaces; wrapped descriptions by many more.
  return [...section.matchAll(/^ {2}([a-z][\w-]*)/gm)].map((m) => m[1]!).filter((c) => c !== "help");
}

describe("help", { timeout: 180_000 }, () => {
  it("every command and subcommand documents examples and exit codes", async () => {
    const top = await runCli(["--help"]);
    assert.equal(top.code, 0, top.stderr);
    const queue = commandsIn(top.stdout).map((c) => [c]);
    assert.ok(queue.length >= 10, `found commands: ${queue.join(" ")}`);
    for (const want of ["init", "backup", "snapshots", "restore", "check"]) assert.ok(queue.some((q) => q[0] === want), want);
    const seen: string[] = [];
    while (queue.length > 0) {
      const cmd = queue.shift()!;
      const res = await runCli([...cmd, "--help"]);
      const name = cmd.join(" ");
      seen.push(name);
      assert.equal(res.code, 0, `${name} --help: ${res.stderr}`);
      assert.match(res.stdout, new RegExp(`^Usage: lifeboat ${name}`, "m"), name);
      assert.match(res.stdout, /^Examples:\n {2}\$ (npx )?lifeboat /m, `${name} --help shows examples`);
      assert.match(res.stdout, /^Exit codes:$/m, `${name} --help lists exit codes`);
      assert.match(res.stdout, /12 wrong password/, name);
      for (const sub of commandsIn(res.stdout)) queue.push([...cmd, sub]);
    }
    assert.ok(seen.includes("key add") && seen.includes("repair index"), `subcommands checked: ${seen.join(", ")}`);
  });
});

describe("--json output parses", { timeout: 120_000 }, () => {
  let ws: Workspace;
  let src: string;

  before(async () => {
    ws = await createWorkspace();
    src = join(ws.dir, "src");
    await writeTree(src, { "MEMORY.md": "# memory\n", sub: { "x.txt": "x\n", link: { link: "../MEMORY.md" } } });
  });

  after(() => ws?.cleanup());

  /** json runs a command with --json and returns the single document it printed. */
  async function json(args: string[]): Promise<Record<string, unknown> | unknown[]> {
    const res = await ws.cli(["--json", ...args]);
    assert.equal(res.code, 0, `${args[0]}: ${res.stderr}`);
    const lines = res.stdout.split("\n").filter((l) => l !== "");
    assert.equal(lines.length, 1, `${args[0]} prints one JSON document:\n${res.stdout}`);
    return JSON.parse(lines[0]!) as Record<string, unknown> | unknown[];
  }

  it("backup, snapshots, ls, check and restore each print one JSON document", async () => {
    const backup = await json(["backup", src]) as Record<string, unknown>;
    assert.equal(backup.message_type, "summary");
    assert.match(String(backup.snapshot_id), /^[0-9a-f]{64}$/);
    assert.equal(backup.files, 2);

    const snapshots = await json(["snapshots"]);
    assert.ok(Array.isArray(snapshots));
    assert.deepEqual(snapshots.map((s) => (s as { id: string }).id), [backup.snapshot_id]);
    assert.deepEqual((snapshots[0] as { paths: string[] }).paths, [src]);

    const ls = await json(["ls", "latest", src]) as { nodes: { path: string; type: string; link_target?: string }[] };
    assert.deepEqual(ls.nodes.map((n) => [n.path.slice(src.length), n.type]),
      [["", "dir"], ["/MEMORY.md", "file"], ["/sub", "dir"], ["/sub/link", "symlink"], ["/sub/x.txt", "file"]]);

    const check = await json(["check", "--read-data"]) as Record<string, unknown>;
    assert.equal(check.ok, true);
    assert.deepEqual(check.errors, []);

    const restore = await json(["restore", "latest", "--target", join(ws.dir, "out")]) as Record<string, unknown>;
    assert.equal(restore.snapshot_id, backup.snapshot_id);
    assert.equal(restore.files, 2);
    assert.equal(restore.links, 1);
    assert.deepEqual(restore.errors, []);
  });
});
