/**
 * @module doctor/items.test
 * The item probes: what the next backup reads must be there and readable, and a command's
 * program must be installed; a missing optional item only warns.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { Item } from "../agent/types.ts";
import { checkItems, openSqlite } from "./items.ts";
import { findProgram, programOf } from "./program.ts";
import { customAgent, tempDir } from "./_testkit.ts";

const base = { class: "other", required: true } as const;

async function setup() {
  const t = await tempDir("items");
  await mkdir(join(t.dir, "ws"));
  await writeFile(join(t.dir, "ws", "MEMORY.md"), "# MEMORY.md\n- likes tea\n");
  await writeFile(join(t.dir, ".env"), "KEY=x\n", { mode: 0o600 });
  const db = new DatabaseSync(join(t.dir, "a.db"));
  db.exec("CREATE TABLE t (x); INSERT INTO t VALUES (1);");
  db.close();
  const items: Item[] = [
    { ...base, kind: "files", name: "ws", path: join(t.dir, "ws") },
    { ...base, kind: "secret", name: "env", class: "secret", path: join(t.dir, ".env") },
    { ...base, kind: "sqlite", name: "db", class: "database", path: join(t.dir, "a.db") },
    { ...base, kind: "command", name: "crontab", class: "config", command: "LC_ALL=C sh -c 'true' | sort", filename: "c.txt" },
  ];
  return { ...t, items };
}

test("a good agent: one ok finding counting its items", async () => {
  const t = await setup();
  try {
    const found = await checkItems(customAgent("a", t.dir, t.items));
    assert.deepEqual(found, [{ level: "ok", check: "items", agent: "a", message: "4 item(s) readable" }]);
  } finally {
    await t.cleanup();
  }
});

test("a missing required path is an error with its fix; an optional one warns; skipped items are not probed", async () => {
  const t = await setup();
  try {
    const items: Item[] = [
      ...t.items,
      { ...base, kind: "files", name: "gone", path: join(t.dir, "gone") },
      { ...base, kind: "sqlite", name: "maybe", class: "database", required: false, path: join(t.dir, "maybe.db") },
      { ...base, kind: "files", name: "index", regenerable: true, path: join(t.dir, "nowhere") },
    ];
    const found = await checkItems(customAgent("a", t.dir, items, { skip: ["index"] }));
    assert.equal(found.length, 2, JSON.stringify(found));
    assert.deepEqual([found[0]!.level, found[0]!.item], ["error", "gone"]);
    assert.match(found[0]!.message, /gone: .*\/gone does not exist/);
    assert.match(found[0]!.fix ?? "", /fix the path in lifeboat\.yaml/);
    assert.deepEqual([found[1]!.level, found[1]!.item], ["warn", "maybe"]);
  } finally {
    await t.cleanup();
  }
});

test("a file that is not a database, a secret that is a folder, a missing program, a missing hook", async () => {
  const t = await setup();
  try {
    await writeFile(join(t.dir, "junk.db"), "not a database at all, just text that is long enough to have a header");
    const items: Item[] = [
      { ...base, kind: "sqlite", name: "junk", class: "database", path: join(t.dir, "junk.db") },
      { ...base, kind: "secret", name: "dir", class: "secret", path: join(t.dir, "ws") },
      { ...base, kind: "command", name: "cmd", class: "config", command: "lifeboat-no-such-program --list", filename: "x" },
    ];
    const hooks = { before: { command: "/nonexistent/pre-backup.sh --fast", timeoutMs: 1000 } };
    const found = await checkItems(customAgent("a", t.dir, items, { hooks }));
    assert.deepEqual(found.map((f) => [f.level, f.item]), [["error", "junk"], ["error", "dir"], ["error", "cmd"], ["error", undefined]]);
    assert.match(found[0]!.message, /SQLite cannot read .*junk\.db: file is not a database/);
    assert.match(found[1]!.message, /is not a file/);
    assert.match(found[2]!.message, /lifeboat-no-such-program not found/);
    assert.match(found[3]!.message, /before hook: \/nonexistent\/pre-backup\.sh not found/);
    assert.match(found[3]!.fix ?? "", /hooks\.before\.command/);
  } finally {
    await t.cleanup();
  }
});

test("probing a WAL database nobody has open leaves no -wal or -shm behind; a live one is read like any reader", async () => {
  const t = await tempDir("items");
  try {
    const path = join(t.dir, "w.db");
    const db = new DatabaseSync(path);
    db.exec("PRAGMA journal_mode = WAL; CREATE TABLE t (x); INSERT INTO t VALUES (1);");
    db.close();
    assert.equal(openSqlite(path), undefined);
    assert.deepEqual(await readdir(t.dir), ["w.db"]);
    const live = new DatabaseSync(path);
    live.exec("INSERT INTO t VALUES (2);");
    try {
      assert.equal(openSqlite(path), undefined);
    } finally {
      live.close();
    }
  } finally {
    await t.cleanup();
  }
});

test("programOf: the first word the shell would look up", () => {
  assert.equal(programOf("crontab -l | sort"), "crontab");
  assert.equal(programOf("PGHOST=x FOO=1 pg_dumpall --globals-only"), "pg_dumpall");
  assert.equal(programOf("'/opt/my tool' x"), undefined, "a quoted name with spaces is left to the shell");
  assert.equal(programOf("~/bin/pre.sh", "/home/a"), "/home/a/bin/pre.sh");
  assert.equal(programOf("\"/usr/bin/env\" x"), "/usr/bin/env");
  assert.equal(programOf("$HOME/bin/x"), undefined);
  assert.equal(programOf("cd /srv && make"), undefined);
  assert.equal(programOf("(cd /srv; ls)"), undefined);
  assert.equal(programOf("   "), undefined);
});

test("findProgram: PATH lookup and paths relative to a folder", async () => {
  assert.match((await findProgram("sh")) ?? "", /\/sh$/);
  assert.equal(await findProgram("sh", { path: "/nonexistent" }), undefined);
  assert.equal(await findProgram("./sh", { cwd: "/bin" }), "/bin/sh");
  const t = await tempDir("program");
  try {
    await writeFile(join(t.dir, "notes.txt"), "x", { mode: 0o644 });
    assert.equal(await findProgram(join(t.dir, "notes.txt")), undefined, "not executable");
  } finally {
    await t.cleanup();
  }
});
