/**
 * @module runbook/manual.test
 * The by-hand restore really works: an archive laid out as src/export/format.ts says
 * (built here with tar, sqlite3 and age, not by lifeboat export) is restored by running the
 * runbook's "sh manual-restore" block with `sh -e` into a scratch RESTORE_ROOT, and the
 * "Check that it came back" block then passes. PostgreSQL is left out (no server needed).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { renderRunbook } from "./index.ts";
import { sampleInput, sampleManifest } from "./testdata.ts";

const run = promisify(execFile);
const BASE = "lifeboat-wren-20261122T020000Z";
const ROOT = "/home/a/.openclaw";
const sha = (b: string | Buffer) => createHash("sha256").update(b).digest("hex");

/** block extracts a fenced block's body by its info string. */
export function block(md: string, info: string): string {
  const m = new RegExp("^```" + info + "\\n([\\s\\S]*?)^```$", "m").exec(md);
  assert.ok(m, `block ${info} present`);
  return m[1]!;
}

const FILES: Record<string, string> = {
  "workspace/SOUL.md": "# Soul\nI am wren.\n",
  "workspace/memory/2026-11-21.md": "met Ana; likes tea\n",
  "crontab/crontab.txt": "0 * * * * echo hi\n",
  "config/openclaw.json": "{\"agents\":[]}\n",
};

describe("the manual-restore block restores an export with sh -e", { timeout: 60_000 }, () => {
  let dir: string;
  let md: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "lifeboat-runbook-"));
    const top = join(dir, "build", BASE);
    for (const [rel, text] of Object.entries(FILES)) {
      await mkdir(join(top, "items", rel, ".."), { recursive: true });
      await writeFile(join(top, "items", rel), text);
    }
    await mkdir(join(top, "items", "messages"), { recursive: true });
    await mkdir(join(top, "items", "env"), { recursive: true });
    await run("sqlite3", [join(top, "items/messages/messages.db"), "CREATE TABLE chats(id); INSERT INTO chats VALUES (1),(2),(3);"]);
    await run("age-keygen", ["-o", join(dir, "key.txt")]);
    const recipient = (await readFile(join(dir, "key.txt"), "utf8")).match(/public key: (\S+)/)![1]!;
    await writeFile(join(dir, "env.plain"), "TOKEN=fixture\n");
    await run("age", ["-r", recipient, "-o", join(top, "items/env/.env.age"), join(dir, "env.plain")]);
    const db = await readFile(join(top, "items/messages/messages.db"));
    const hashes = { "SOUL.md": sha(FILES["workspace/SOUL.md"]!), "memory/2026-11-21.md": sha(FILES["workspace/memory/2026-11-21.md"]!),
      "messages.db": sha(db), "crontab.txt": sha(FILES["crontab/crontab.txt"]!), ".env": sha("TOKEN=fixture\n"), "openclaw.json": sha(FILES["config/openclaw.json"]!) };
    const manifest = sampleManifest(ROOT, hashes);
    manifest.items = manifest.items.filter((i) => i.kind !== "postgres");
    manifest.items.find((i) => i.name === "messages")!.rowCounts = { chats: 3 };
    md = renderRunbook(sampleInput({ manifest, archive: { baseName: BASE, secretsEncrypted: true } }));
    // manifest.json as the export writes it: hashes of the files as stored (the secret: its .age file).
    const ageHash = sha(await readFile(join(top, "items/env/.env.age")));
    const items = manifest.items.map((i) => ({ name: i.name, path: `items/${i.name}`, sha256: i.kind === "secret" ? { ".env.age": ageHash } : i.sha256 }));
    await writeFile(join(top, "manifest.json"), JSON.stringify({ format: "lifeboat-export", items }, null, 2));
    await writeFile(join(top, "RUNBOOK.md"), md);
    await mkdir(join(dir, "out"));
    await run("tar", ["czf", join(dir, "out", `${BASE}.tar.gz`), "-C", join(dir, "build"), BASE]);
    const { stdout } = await run("sha256sum", [`${BASE}.tar.gz`], { cwd: join(dir, "out") });
    await writeFile(join(dir, "out", `${BASE}.tar.gz.sha256`), stdout);
    await writeFile(join(dir, "out", "restore.sh"), block(md, "sh manual-restore"));
  });

  after(() => rm(dir, { recursive: true, force: true }));

  it("puts every item back under RESTORE_ROOT: files, the database, the decrypted secret at 0600", async () => {
    const res = await run("sh", ["-e", "restore.sh"], { cwd: join(dir, "out"), env: { ...process.env, RESTORE_ROOT: join(dir, "restored"), AGE_KEY: join(dir, "key.txt") } });
    assert.match(res.stdout, /agent wren restored under/);
    const at = (p: string) => join(dir, "restored", p);
    assert.equal(await readFile(at(`${ROOT}/work space's/SOUL.md`), "utf8"), FILES["workspace/SOUL.md"]);
    assert.equal(await readFile(at(`${ROOT}/work space's/memory/2026-11-21.md`), "utf8"), FILES["workspace/memory/2026-11-21.md"]);
    assert.equal(await readFile(at(`${ROOT}/openclaw.json`), "utf8"), FILES["config/openclaw.json"]);
    assert.equal(await readFile(at(`${ROOT}/.env`), "utf8"), "TOKEN=fixture\n");
    assert.equal((await stat(at(`${ROOT}/.env`))).mode & 0o777, 0o600);
    const { stdout } = await run("sqlite3", [at(`${ROOT}/messages.db`), "SELECT count(*) FROM chats"]);
    assert.equal(stdout.trim(), "3");
  });

  it("finds a .tar.zst archive by itself, and takes a relative RESTORE_ROOT", async () => {
    const out = join(dir, "out-zst");
    await mkdir(out);
    await run("tar", ["--zstd", "-cf", join(out, `${BASE}.tar.zst`), "-C", join(dir, "build"), BASE]);
    const { stdout } = await run("sha256sum", [`${BASE}.tar.zst`], { cwd: out });
    await writeFile(join(out, `${BASE}.tar.zst.sha256`), stdout);
    await writeFile(join(out, "restore.sh"), block(md, "sh manual-restore"));
    await run("sh", ["-e", "restore.sh"], { cwd: out, env: { ...process.env, RESTORE_ROOT: "drill", AGE_KEY: join(dir, "key.txt") } });
    assert.equal(await readFile(join(out, "drill", ROOT, ".env"), "utf8"), "TOKEN=fixture\n");
  });

  it("the check block passes on what was restored", async () => {
    const checkSection = md.slice(md.indexOf("## Check that it came back"));
    const script = block(checkSection, "sh").split("\n").filter((l) => !l.startsWith("psql ")).join("\n");
    const res = await run("sh", ["-e", "-c", script], { cwd: join(dir, "out", BASE), env: { ...process.env, RESTORE_ROOT: join(dir, "restored") } });
    assert.match(res.stdout, /: OK$/m);
  });
});
