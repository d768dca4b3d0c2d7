/**
 * @module backends/sftp/sftp.test
 * The sftp backend against a real OpenSSH server (src/testing/sshd.ts): the shared backend
 * contract, then the failure modes users meet (host keys, auth, unreachable, denied) and
 * the ones that must not corrupt a repository (dropped connections, aborted saves).
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { execFile } from "node:child_process";
import { mkdir, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { isAbortError } from "../../errors/index.ts";
import { assertBytes, describeBackendContract, hexName, listNames } from "../../testing/backendContract.ts";
import { type SshdEnv, startSshd } from "../../testing/sshd.ts";
import { BackendAccessError } from "../errors.ts";
import type { BackendOptions } from "../registry.ts";
import { createSftpBackend } from "./index.ts";

let sshd: SshdEnv;
before(async () => {
  sshd = await startSshd();
});
after(async () => {
  await sshd.stop();
});

let seq = 0;
/** freshRepo returns the path of a new, not yet existing repository folder on the server. */
const freshRepo = () => path.join(sshd.dir, `repo-${process.pid}-${seq++}`);
const open = (repo: string, extra: BackendOptions = {}) => createSftpBackend(sshd.location(repo).slice("sftp:".length), { ...sshd.options, ...extra });

describeBackendContract("sftp", async () => {
  const repo = freshRepo();
  return { backend: await open(repo), cleanup: () => rm(repo, { recursive: true, force: true }) };
});

/** accessError awaits `p` and returns its BackendAccessError, failing otherwise. */
async function accessError(p: Promise<unknown>): Promise<BackendAccessError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof BackendAccessError, `want a BackendAccessError, got ${String(err)}`);
  return err;
}

describe("sftp backend: connecting", () => {
  it("refuses an unknown host key, names the fingerprint and the fix, and writes nothing", async () => {
    const kh = path.join(sshd.dir, `kh-empty-${seq++}`);
    await writeFile(kh, "");
    const repo = freshRepo();
    const be = await open(repo, { "sftp.known-hosts": kh });
    const err = await accessError(be.create());
    assert.equal(err.problem, "host-key");
    assert.equal(err.exitCode, 15);
    assert.match(err.message, new RegExp(`unknown.*${sshd.hostKeyFingerprint.replace(/[+/]/g, "\\$&")}`));
    assert.match(err.hint ?? "", new RegExp(`ssh-keyscan -p ${sshd.port} 127\\.0\\.0\\.1 >> ${kh}`));
    assert.match(err.hint ?? "", /sftp\.accept-new=true/);
    assert.ok(!be.isNotFound(err) && be.isPermanent(err));
    await assert.rejects(readdir(repo), { code: "ENOENT" });
    await be.close();
  });

  it("with accept-new records an unknown host key, then trusts it", async () => {
    const kh = path.join(sshd.dir, `kh-new-${seq++}`);
    const repo = freshRepo();
    const be = await open(repo, { "sftp.known-hosts": kh, "sftp.accept-new": "true" });
    await be.create();
    await be.close();
    assert.match(await readFile(kh, "utf8"), new RegExp(`^\\[127\\.0\\.0\\.1\\]:${sshd.port} ssh-ed25519 `));
    const again = await open(repo, { "sftp.known-hosts": kh });
    assert.deepEqual(await listNames(again, "pack"), []);
    await again.close();
  });

  it("refuses a changed host key even with accept-new, naming the file and line", async () => {
    const kh = path.join(sshd.dir, `kh-changed-${seq++}`);
    const other = "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
    await writeFile(kh, `# comment\n[127.0.0.1]:${sshd.port} ssh-ed25519 ${other}\n`);
    const be = await open(freshRepo(), { "sftp.known-hosts": kh, "sftp.accept-new": "true" });
    const err = await accessError(be.stat({ type: "config", name: "" }));
    assert.equal(err.problem, "host-key");
    assert.match(err.message, /HOST KEY CHANGED/);
    assert.ok(err.message.includes(`${kh}:2`), err.message);
    assert.ok(err.message.includes(sshd.hostKeyFingerprint), err.message);
    assert.match(err.hint ?? "", /ssh-keygen -R '\[127\.0\.0\.1\]:\d+'/);
    await be.close();
  });

  it("reports a key the server does not accept as an auth problem naming user and key files", async () => {
    const key = path.join(sshd.dir, `wrong-key-${seq++}`);
    await new Promise((res, rej) => execFile("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key], (e) => (e ? rej(e) : res(undefined))));
    const be = await open(freshRepo(), { "sftp.identity": key });
    const err = await accessError(be.create());
    assert.equal(err.problem, "auth");
    assert.equal(err.exitCode, 14);
    assert.ok(err.message.includes(sshd.user) && err.message.includes(key), err.message);
    assert.match(err.hint ?? "", /-o sftp\.identity=FILE/);
    assert.ok(be.isPermanent(err));
    await be.close();
  });

  it("reports a closed port as unreachable (retryable) with the host and port", async () => {
    const be = await open(freshRepo(), { "sftp.port": "1", "sftp.timeout": "5s" });
    const err = await accessError(be.stat({ type: "config", name: "" }));
    assert.equal(err.problem, "unreachable");
    assert.equal(err.exitCode, 13);
    assert.match(err.message, /127\.0\.0\.1 port 1/);
    assert.match(err.hint ?? "", /port/);
    assert.ok(!be.isPermanent(err), "an unreachable server is worth a retry");
    await be.close();
  });

  it("resolves a relative path from the login folder", async () => {
    const repo = freshRepo();
    const rel = path.relative(os.homedir(), repo);
    assert.ok(!path.isAbsolute(rel));
    const be = await createSftpBackend(`${sshd.user}@127.0.0.1:${rel}`, sshd.options);
    await be.create();
    await be.save({ type: "key", name: "ab" }, Buffer.from("k"));
    assert.deepEqual(await readdir(path.join(repo, "keys")), ["ab"]);
    await be.close();
  });

  it("keeps credentials out of the location and reports the connections option", async () => {
    const be = await open("/srv/repo", { "sftp.connections": "3" });
    assert.equal(be.properties.location, `sftp://${sshd.user}@127.0.0.1:${sshd.port}//srv/repo`);
    assert.equal(be.properties.connections, 3);
    await be.close();
  });
});

describe("sftp backend: failures during use", () => {
  it("reconnects on the next call after the server dropped the connection", async () => {
    const be = await open(freshRepo());
    await be.create();
    const h = { type: "index", name: hexName() } as const;
    await be.save(h, Buffer.from("before"));
    await sshd.restart();
    // The call that meets the dead connection may fail (retryable); the next one reconnects.
    await be.stat(h).catch((err: unknown) => assert.ok(!be.isPermanent(err), String(err)));
    assertBytes(await be.load(h), Buffer.from("before"));
    await sshd.killSessions();
    await be.load(h).catch((err: unknown) => assert.ok(!be.isPermanent(err) && !be.isNotFound(err), String(err)));
    await be.save({ type: "index", name: hexName() }, Buffer.from("after"));
    await be.close();
  });

  it("fails a transfer cut off mid-way as retryable, and leaves no object", async () => {
    const repo = freshRepo();
    const be = await open(repo);
    await be.create();
    const h = { type: "pack", name: hexName("ab") } as const;
    const saving = be.save(h, randomBytes(64 << 20));
    setTimeout(() => void sshd.killSessions(), 30);
    const err = await saving.then(() => undefined, (e: unknown) => e);
    if (err !== undefined) assert.ok(!be.isPermanent(err) && !be.isNotFound(err), String(err));
    else assert.equal((await be.stat(h)).size, 64 << 20); // finished before the kill: must be whole
    if (err !== undefined) await assert.rejects(be.stat(h), (e) => be.isNotFound(e));
    await be.close();
  });

  it("removes the temp file of a save aborted mid-transfer", async () => {
    const repo = freshRepo();
    const be = await open(repo);
    await be.create();
    const h = { type: "pack", name: hexName("cd") } as const;
    await be.save({ type: "pack", name: hexName("cd") }, Buffer.from("makes data/cd"));
    const ac = new AbortController();
    const saving = be.save(h, randomBytes(64 << 20), { signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    await assert.rejects(saving, isAbortError);
    await assert.rejects(be.stat(h), (e) => be.isNotFound(e));
    assert.deepEqual((await readdir(path.join(repo, "data", "cd"))).filter((n) => n.startsWith(".tmp-")), []);
    await be.close();
  });

  it("removes leftover temp files older than the cutoff", async () => {
    const repo = freshRepo();
    const be = await open(repo);
    await be.create();
    await writeFile(path.join(repo, "index", ".tmp-old"), "partial");
    const old = new Date(Date.now() - 7200_000);
    await utimes(path.join(repo, "index", ".tmp-old"), old, old);
    await writeFile(path.join(repo, "keys", ".tmp-young"), "partial");
    assert.equal(await be.removeLeftovers!(3600_000), 1);
    assert.deepEqual(await readdir(path.join(repo, "index")), []);
    assert.deepEqual(await readdir(path.join(repo, "keys")), [".tmp-young"]);
    await be.close();
  });

  it("refuses to create a repository below a file, naming the path", async () => {
    const file = path.join(sshd.dir, `file-${seq++}`);
    await writeFile(file, "not a folder");
    const be = await open(path.join(file, "repo"));
    const err = await be.create().then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof Error && err.message.includes(file), String(err));
    await be.close();
  });
});

describe("sftp backend: permission denied", () => {
  // Root bypasses file permissions, so as root the server logs in as `nobody` instead.
  const asRoot = process.getuid?.() === 0;
  let env: SshdEnv;
  before(async () => {
    env = asRoot ? await startSshd({ user: "nobody" }) : sshd;
  });
  after(async () => {
    if (asRoot) await env.stop();
  });

  it("reports a folder the user cannot write as denied (permanent), naming the path", async () => {
    const locked = path.join(env.dir, `locked-${seq++}`);
    await mkdir(locked, { mode: 0o555 });
    const repo = path.join(locked, "repo");
    const be = await createSftpBackend(env.location(repo).slice("sftp:".length), env.options);
    const err = await accessError(be.create());
    assert.equal(err.problem, "denied");
    assert.equal(err.exitCode, 14);
    assert.ok(err.message.includes(repo), err.message);
    assert.ok(be.isPermanent(err));
    await be.close();
  });
});
