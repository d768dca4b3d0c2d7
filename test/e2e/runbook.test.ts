/**
 * @module test/e2e/runbook.test
 * `lifeboat runbook`: before any backup it still writes a runbook that says so; after a
 * backup the runbook names the newest snapshot and every item; --json reports what was
 * written; a file lifeboat did not write is never overwritten without --force.
 */
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { openclawFiles } from "../../src/testing/fixtures/index.ts";
import { createAgentWorld, latestManifest, type AgentWorld } from "./agent-helpers.ts";
import { assertNoStackTrace, jsonLines } from "./helpers.ts";

describe("lifeboat runbook", { timeout: 180_000 }, () => {
  let w: AgentWorld;
  let out: string;

  before(async () => {
    w = await createAgentWorld();
    const root = join(w.home, "wren", ".openclaw");
    await openclawFiles(root, { agents: 1, home: w.home });
    await w.writeConfig([{ name: "wren", preset: "openclaw", root }]);
    out = join(w.dir, "RUNBOOK.md");
  });

  after(() => w?.cleanup());

  it("writes a runbook before any backup, saying plainly that none exists", async () => {
    const res = await w.ok(["runbook", "--agent", "wren", "--output", out]);
    assert.match(res.stderr, /no backup yet/);
    const md = await readFile(out, "utf8");
    assert.match(md, /^# Recovery runbook: wren$/m);
    assert.match(md, /NO BACKUP EXISTS YET/);
    assert.match(md, /lifeboat backup --agent wren/);
  });

  it("after a backup, names the newest snapshot and every item, and reports it in --json", async () => {
    await w.ok(["backup", "--agent", "wren"]);
    const sn = (await w.snapshots()).filter((s) => s.agent === "wren").at(-1)!;
    const res = await w.ok(["--json", "runbook", "--agent", "wren", "--output", out]);
    const [doc] = jsonLines(res.stdout) as { message_type: string; agent: string; path: string; snapshot: string; bytes: number }[];
    assert.deepEqual({ ...doc, bytes: 0 }, { message_type: "runbook", agent: "wren", path: out, snapshot: sn.id, bytes: 0 });
    const md = await readFile(out, "utf8");
    assert.equal(doc!.bytes, Buffer.byteLength(md));
    assert.ok(md.includes(sn.id), "full snapshot id");
    assert.doesNotMatch(md, /NO BACKUP EXISTS YET/);
    for (const item of (await latestManifest(w, "wren")).items) assert.ok(md.includes(`| ${item.name} |`), `item ${item.name} listed`);
    assert.match(md, /^```sh manual-restore$/m);
    assert.ok(md.includes(w.passwordFile), "names the password file");
    assert.doesNotMatch(md, new RegExp(w.password), "never the password");
    assert.match(md, /WARNING: if/);
  });

  it("with no --agent, writes every configured agent into the one file", async () => {
    const res = await w.ok(["runbook", "--output", out]);
    assert.match(res.stdout, /wrote .*RUNBOOK\.md \(wren: snapshot [0-9a-f]{8}\)/);
  });

  it("refuses to overwrite a file lifeboat did not write, unless --force", async () => {
    const notes = join(w.dir, "notes.md");
    await writeFile(notes, "my own notes\n");
    const res = await w.cli(["runbook", "--agent", "wren", "--output", notes]);
    assert.equal(res.code, 1);
    assertNoStackTrace(res.stderr);
    assert.match(res.stderr, /not a runbook lifeboat wrote/);
    assert.match(res.stderr, /--force/);
    assert.equal(await readFile(notes, "utf8"), "my own notes\n");
    await w.ok(["runbook", "--agent", "wren", "--output", notes, "--force"]);
    assert.match(await readFile(notes, "utf8"), /^# Recovery runbook: wren/);
  });

  it("names an unknown agent with a hint", async () => {
    const res = await w.cli(["runbook", "--agent", "nobody", "--output", out]);
    assert.equal(res.code, 1);
    assertNoStackTrace(res.stderr);
    assert.match(res.stderr, /no agent nobody/);
  });
});
