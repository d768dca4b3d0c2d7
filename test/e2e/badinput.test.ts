/**
 * @module test/e2e/badinput.test
 * What a user sees when the input is wrong: a missing path, an unreadable file or folder, a
 * repository location that is a file or does not exist, a damaged config. Each case gets
 * the documented exit code and one line that says what is wrong; nothing half-done is left
 * in the repository.
 */
import assert from "node:assert/strict";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { writeTree } from "../../src/testing/index.ts";
import {
  IS_ROOT, NOBODY, assertCleanFailure, assertNoStackTrace, createWorkspace, flipByte, objectNames, runCli, summaryOf,
  type Workspace,
} from "./helpers.ts";

describe("bad input", { timeout: 120_000 }, () => {
  let ws: Workspace;
  let src: string;

  before(async () => {
    ws = await createWorkspace();
    src = join(ws.dir, "src");
    await writeTree(src, { "a.txt": "a\n", sub: { "b.txt": "b\n" } });
  });

  after(() => ws?.cleanup());

  it("a missing path fails with exit 1, names the path, and writes no snapshot", async () => {
    const missing = join(ws.dir, "no-such-folder");
    for (const args of [[missing], [src, missing]]) {
      const res = await ws.cli(["backup", ...args]);
      assertCleanFailure(res, 1, new RegExp(missing.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
    }
    assert.deepEqual(await objectNames(ws.repo, "snapshots"), []);
    assert.deepEqual(await objectNames(ws.repo, "locks"), []);
  });

  it("a repository location that is a file exits 10 with one line", async () => {
    const file = join(ws.dir, "not-a-repo");
    await writeFile(file, "just a file\n");
    for (const args of [["snapshots"], ["backup", src], ["init"]]) {
      assertCleanFailure(await ws.cli(["--repo", file, ...args]), 10, /not-a-repo/);
    }
    assert.equal(await readFile(file, "utf8"), "just a file\n", "the file is left alone");
  });

  it("a missing repository exits 10 with one line that says how to create one", async () => {
    const res = await ws.cli(["snapshots"], { env: { LIFEBOAT_REPOSITORY: join(ws.dir, "nowhere") } });
    assertCleanFailure(res, 10, /no repository at .*nowhere/, /lifeboat init/);
    const json = await ws.cli(["--json", "snapshots"], { env: { LIFEBOAT_REPOSITORY: join(ws.dir, "nowhere") } });
    assert.equal(json.code, 10);
    assert.equal(json.stdout, "");
    const err = JSON.parse(json.stderr) as { message_type: string; error: string; hint?: string; exit_code: number };
    assert.equal(err.message_type, "error");
    assert.equal(err.exit_code, 10);
    assert.match(err.error, /no repository at .*nowhere/);
    assert.match(err.hint ?? "", /lifeboat init/);
  });

  it("a damaged config (garbage, or one flipped byte) exits 1 and says the config is damaged", async () => {
    const configPath = join(ws.repo, "config");
    const good = await readFile(configPath);
    try {
      await writeFile(configPath, "garbage, not a config\n");
      assertCleanFailure(await ws.cli(["snapshots"]), 1, /config/, /damaged/);
      await writeFile(configPath, good);
      await flipByte(configPath, Math.floor(good.length / 2));
      assertCleanFailure(await ws.cli(["backup", src]), 1, /config/, /damaged/);
    } finally {
      await writeFile(configPath, good);
    }
    assert.deepEqual(await objectNames(ws.repo, "snapshots"), []);
    assert.equal((await ws.cli(["snapshots"])).code, 0, "the restored config opens again");
  });

  it("no password at all exits 1 with a hint, instead of waiting for a prompt", async () => {
    const res = await ws.cli(["snapshots"], { env: { LIFEBOAT_PASSWORD_FILE: undefined } });
    assertCleanFailure(res, 1, /no password/, /LIFEBOAT_PASSWORD_FILE/);
  });

  it("a backend option with a typo or no value exits 1 naming the valid keys; nothing is written", async () => {
    assertCleanFailure(await ws.cli(["--repo", "sftp:me@127.0.0.1:/srv/repo", "-o", "sftp.prot=22", "snapshots"]), 1, /unknown option sftp.prot/, /sftp.port/);
    assertCleanFailure(await ws.cli(["-o", "port=22", "snapshots"]), 1, /is not scheme.key=value/);
  });

  it("--read-only reads without a lock and refuses to write, before touching the repository", async () => {
    assert.equal((await ws.cli(["backup", src])).code, 0);
    const snaps = await objectNames(ws.repo, "snapshots");
    const listed = await ws.cli(["--read-only", "--json", "snapshots"]);
    assert.equal(listed.code, 0, listed.stderr);
    const check = await ws.cli(["--read-only", "check", "--read-data"]);
    assert.equal(check.code, 0, check.stderr);
    for (const args of [["backup", src], ["forget", "--keep-last", "1"], ["prune"]]) {
      assertCleanFailure(await ws.cli(["--read-only", ...args]), 1, /read-only/, /without --read-only/);
    }
    assert.deepEqual(await objectNames(ws.repo, "snapshots"), snaps, "no snapshot was added or removed");
    assert.deepEqual(await objectNames(ws.repo, "locks"), [], "no lock object was written");
  });

  it("an unknown command or option exits 1 without a stack trace", async () => {
    for (const args of [["frobnicate"], ["backup", "--no-such-flag", src]]) {
      const res = await runCli(args, { env: ws.env });
      assert.equal(res.code, 1);
      assertNoStackTrace(res.stderr);
      assert.match(res.stderr, /unknown (command|option)/);
    }
  });
});

describe("unreadable files", { timeout: 120_000 }, () => {
  // Root reads anything, so as root the CLI runs as `nobody` against files owned by root.
  const as: { uid?: number; gid?: number } = IS_ROOT ? NOBODY : {};
  let ws: Workspace;
  let src: string;

  before(async () => {
    ws = await createWorkspace({ shared: IS_ROOT, initAs: as });
    src = join(ws.dir, "src");
    await writeTree(src, {
      "readable.txt": "fine\n",
      "secret.txt": "cannot read me\n",
      "locked-dir": { "inside.txt": "behind a locked folder\n" },
      ok: { "also-readable.txt": "fine too\n" },
    });
    await chmod(join(src, "secret.txt"), 0o000);
    await chmod(join(src, "locked-dir"), 0o000);
  });

  after(async () => {
    await chmod(join(src, "locked-dir"), 0o755).catch(() => undefined);
    await ws?.cleanup();
  });

  it("backup continues past them, lists them on stderr, exits 3, and saves a snapshot without them", async () => {
    const res = await ws.cli(["backup", src], as);
    assert.equal(res.code, 3, res.stderr);
    assertNoStackTrace(res.stderr);
    assert.match(res.stderr, /2 file\(s\) could not be read/);
    for (const p of ["secret.txt", "locked-dir"]) assert.ok(res.stderr.includes(join(src, p)), `stderr names ${p}:\n${res.stderr}`);
    assert.match(res.stdout, /snapshot [0-9a-f]{8} saved/);
    assert.equal((await objectNames(ws.repo, "snapshots")).length, 1);
    assert.deepEqual(await objectNames(ws.repo, "locks"), []);

    const ls = await ws.cli(["--json", "ls", "latest", src], as);
    assert.equal(ls.code, 0, ls.stderr);
    const paths = (JSON.parse(ls.stdout) as { nodes: { path: string }[] }).nodes.map((n) => n.path.slice(src.length)).sort();
    assert.deepEqual(paths, ["", "/ok", "/ok/also-readable.txt", "/readable.txt"]);
  });

  it("--json lists them in the summary's errors with exit 3", async () => {
    await mkdir(join(src, "ok", "new"), { recursive: true }); // something changed, so this is a real second backup
    const res = await ws.cli(["--json", "backup", src], as);
    assert.equal(res.code, 3, res.stderr);
    const s = summaryOf<{ errors: { path: string; message: string }[] }>(res);
    assert.deepEqual(s.errors.map((e) => e.path).sort(), [join(src, "locked-dir"), join(src, "secret.txt")]);
    for (const e of s.errors) assert.match(e.message, /EACCES|permission denied/i);
  });
});
