/**
 * @module test/e2e/import.test
 * `lifeboat import`: an export-format archive of a fixture agent (files, a SQLite database,
 * a .env secret encrypted with age), built here following src/export/format.ts, restores
 * byte-identical into an empty --target (SQLite passing integrity_check with its rows, .env
 * at 0600); --into-repo adds a snapshot `lifeboat restore latest --agent` restores; an
 * OpenClaw `backup create` archive imports its files; a hostile archive fails cleanly.
 */
import assert from "node:assert/strict";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { after, before, describe, it } from "node:test";
import { generateIdentity } from "age-encryption";
import { identityToRecipient, writeExport, writeOpenclawBackup, writeTar, type SpecItem } from "../../src/import/testkit.ts";
import { createAgentWorld, type AgentWorld } from "./agent-helpers.ts";
import { assertCleanFailure, jsonLines } from "./helpers.ts";

const ROOT = "/nonexistent/original/fx";
const FILES = { "SOUL.md": "# Soul\nkind and careful\n", "memory/2026-11-01.md": "met the user\n".repeat(200) };
const ENV = "OPENAI_API_KEY=sk-test-123\n";

describe("lifeboat import", { timeout: 120_000 }, () => {
  let w: AgentWorld;
  let archive: string;
  let key: string;
  let db: Buffer;

  before(async () => {
    w = await createAgentWorld();
    const identity = await generateIdentity();
    key = join(w.dir, "export.key");
    await writeFile(key, `# created: test\n${identity}\n`, { mode: 0o600 });
    const dbPath = join(w.dir, "state.db");
    const d = new DatabaseSync(dbPath);
    d.exec("PRAGMA journal_mode=DELETE; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t (v) VALUES ('a'), ('b'), ('c');");
    d.close();
    db = await readFile(dbPath);
    const items: SpecItem[] = [
      { name: "workspace", kind: "files", class: "identity", source: `${ROOT}/workspace`, files: FILES },
      { name: "state", kind: "sqlite", class: "database", source: `${ROOT}/state.db`, files: { "state.db": db }, rowCounts: { t: 3 } },
      { name: "env", kind: "secret", class: "secret", source: `${ROOT}/.env`, files: { ".env": ENV }, encrypt: true },
    ];
    archive = join(w.dir, "lifeboat-fx-20261122T051200Z.tar.gz");
    await writeExport(archive, { agent: "fx", root: ROOT, items, recipient: await identityToRecipient(identity) });
    await w.writeConfig([]);
  });
  after(async () => { await w?.cleanup(); });

  async function assertAgent(root: string): Promise<void> {
    for (const [rel, content] of Object.entries(FILES)) assert.equal(await readFile(join(root, "workspace", rel), "utf8"), content);
    assert.equal(await readFile(join(root, ".env"), "utf8"), ENV);
    assert.equal((await stat(join(root, ".env"))).mode & 0o777, 0o600);
    assert.deepEqual(await readFile(join(root, "state.db")), db);
    const d = new DatabaseSync(join(root, "state.db"), { readOnly: true });
    assert.deepEqual({ ...d.prepare("PRAGMA integrity_check").get() }, { integrity_check: "ok" });
    assert.deepEqual({ ...d.prepare("SELECT count(*) AS n FROM t").get() }, { n: 3 });
    d.close();
  }

  it("restores the archive into --target, verified, with the secret at 0600", async () => {
    const target = join(w.dir, "restored");
    const res = await w.ok(["import", archive, "--target", target, "--identity", key, "--json"]);
    const doc = jsonLines(res.stdout).find((v) => (v as { message_type?: string }).message_type === "import") as { agent: string; items: unknown[]; into_repo: boolean };
    assert.equal(doc.into_repo, false);
    assert.equal(doc.agent, "fx");
    assert.equal(doc.items.length, 3);
    await assertAgent(target);
  });

  it("refuses to import over existing files, and without the key", async () => {
    assertCleanFailure(await w.cli(["import", archive, "--target", join(w.dir, "restored"), "--identity", key]), 1, /already exists/);
    assertCleanFailure(await w.cli(["import", archive, "--target", join(w.dir, "nokey")]), 1, /age-encrypted secrets .*no key/);
  });

  it("--into-repo adds a snapshot that `restore latest --agent` restores", async () => {
    await w.ok(["import", archive, "--into-repo", "--identity", key]);
    const target = join(w.dir, "from-repo");
    await w.ok(["restore", "latest", "--agent", "fx", "--target", target]);
    await assertAgent(target);
  });

  it("imports an OpenClaw backup archive's files", async () => {
    const oc = join(w.dir, "2026-04-16T03-00-00.000Z-openclaw-backup.tar.gz");
    const files = { "openclaw.json": '{"agents":{}}\n', "workspace/SOUL.md": "# OpenClaw soul\n", "agents/main/sessions/s1.jsonl": '{"m":1}\n' };
    await writeOpenclawBackup(oc, "/home/u/.openclaw", files);
    const target = join(w.dir, "oc");
    await w.ok(["import", oc, "--agent", "wren", "--target", target]);
    for (const [rel, content] of Object.entries(files)) assert.equal(await readFile(join(target, rel), "utf8"), content);
  });

  it("fails cleanly on a hostile archive", async () => {
    const evil = join(w.dir, "evil.tar.gz");
    await writeTar(evil, [{ name: "top/", type: "directory" }, { name: "top/../../evil", content: "x" }]);
    assertCleanFailure(await w.cli(["import", evil, "--target", join(w.dir, "evil-target")]), 1, /import refused: .*entry 'top\/\.\.\/\.\.\/evil' has a '\.\.' segment/);
  });
});
