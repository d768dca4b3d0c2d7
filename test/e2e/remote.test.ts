/**
 * @module test/e2e/remote.test
 * The whole CLI against remote repositories: a real sshd (Debian openssh-server) and a real
 * S3-compatible server (s3rver), both on 127.0.0.1. For each: init, two backups, restore
 * byte-identical, check --read-data, forget --prune, two backups at once from two processes,
 * then the bad inputs a user meets (unreachable host, wrong credentials, missing bucket or
 * folder, host key mismatch), each with its own exit code, one line, and nothing written.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { appendFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { writeTree } from "../../src/testing/index.ts";
import { startS3Server, type S3Env } from "../../src/testing/s3server.ts";
import { startSshd, type SshdEnv } from "../../src/testing/sshd.ts";
import { assertCleanFailure, assertSameTree, createWorkspace, jsonLines, type CliResult, type Workspace } from "./helpers.ts";

interface Remote {
  /** CLI arguments and environment that point at `location`. */
  args: string[];
  env: Record<string, string | undefined>;
  location: string;
}

const ok = (res: CliResult, what: string) => assert.equal(res.code, 0, `${what} failed (${res.code}): ${res.stderr}`);
const optionArgs = (opts: Record<string, string>) => Object.entries(opts).flatMap(([k, v]) => ["-o", `${k}=${v}`]);

/** roundTrip is the story every remote must tell the same way. */
function roundTrip(name: string, setup: () => Promise<Remote>, ws: () => Workspace) {
  it(`${name}: init, backup twice, restore identical, check --read-data, forget --prune`, async () => {
    const r = await setup();
    const cli = (args: string[]) => ws().cli([...r.args, ...args], { env: r.env });
    const src = join(ws().dir, `${name}-src`);
    await writeTree(src, {
      "SOUL.md": "# Soul\nCalm, precise.\n",
      memory: { "2026-11-21.md": "- met Ana\n", "2026-11-22.md": "- shipped\n" },
      "big.bin": randomBytes(20 << 20), // more than one pack, and an S3 multipart upload
    });
    ok(await cli(["init"]), "init");
    ok(await cli(["backup", src]), "backup 1");
    await appendFile(join(src, "memory", "2026-11-22.md"), "- restored from a remote\n");
    await writeFile(join(src, "MEMORY.md"), "# Memory\n" + "x".repeat(100_000));
    ok(await cli(["backup", src]), "backup 2");
    const listed = await cli(["--json", "snapshots"]);
    ok(listed, "snapshots");
    assert.equal((JSON.parse(listed.stdout) as unknown[]).length, 2);

    const target = join(ws().dir, `${name}-restored`);
    ok(await cli(["restore", "latest", "--target", target]), "restore");
    await assertSameTree(join(target, src), src);
    ok(await cli(["check", "--read-data"]), "check");

    const forgot = await cli(["--json", "forget", "--keep-last", "1", "--prune"]);
    ok(forgot, "forget --prune");
    assert.equal((JSON.parse((await cli(["--json", "snapshots"])).stdout) as unknown[]).length, 1);
    ok(await cli(["check", "--read-data"]), "check after prune");
    const again = join(ws().dir, `${name}-restored-2`);
    ok(await cli(["restore", "latest", "--target", again]), "restore after prune");
    await assertSameTree(join(again, src), src);
  });

  it(`${name}: two backups from two processes at once both land; the repository checks clean`, async () => {
    const r = await setup();
    const cli = (args: string[]) => ws().cli([...r.args, ...args], { env: r.env });
    const a = join(ws().dir, `${name}-host-a`);
    const b = join(ws().dir, `${name}-host-b`);
    await writeTree(a, { "a.bin": randomBytes(3 << 20), "shared.md": "same on both\n" });
    await writeTree(b, { "b.bin": randomBytes(3 << 20), "shared.md": "same on both\n" });
    const before = JSON.parse((await cli(["--json", "snapshots"])).stdout) as unknown[];
    const [ra, rb] = await Promise.all([cli(["backup", "--host", "host-a", a]), cli(["backup", "--host", "host-b", b])]);
    ok(ra, "backup a");
    ok(rb, "backup b");
    const afterList = JSON.parse((await cli(["--json", "snapshots"])).stdout) as unknown[];
    assert.equal(afterList.length, before.length + 2);
    ok(await cli(["check", "--read-data"]), "check");
  });
}

describe("remote repositories through the CLI", { timeout: 600_000 }, () => {
  let ws: Workspace;
  let sshd: SshdEnv;
  let s3: S3Env;
  before(async () => {
    ws = await createWorkspace({ init: false });
    // Keep whichever server started even if the other did not, so after() stops it and the run cannot hang.
    const [a, b] = await Promise.allSettled([startSshd(), startS3Server()]);
    if (a.status === "fulfilled") sshd = a.value;
    if (b.status === "fulfilled") s3 = b.value;
    if (a.status === "rejected") throw a.reason;
    if (b.status === "rejected") throw b.reason;
    await s3.createBucket("lifeboat");
  });
  after(async () => {
    await Promise.allSettled([sshd?.stop(), s3?.stop()]);
    await ws?.cleanup();
  });

  const sftpRemote = async (): Promise<Remote> => {
    const location = sshd.location(join(sshd.dir, "repo"));
    return { args: optionArgs(sshd.options), env: { LIFEBOAT_REPOSITORY: location }, location };
  };
  // S3 takes its options from lifeboat.yaml and its credentials from the AWS environment.
  const s3Remote = async (): Promise<Remote> => {
    const location = s3.location("lifeboat", "agents/wren");
    const config = join(ws.dir, "s3.yaml");
    const options = Object.entries(s3.options).map(([k, v]) => `    ${k}: "${v}"`).join("\n");
    await writeFile(config, `repository:\n  url: ${location}\n  options:\n${options}\n`);
    return { args: [], env: { ...s3.env, LIFEBOAT_REPOSITORY: undefined, LIFEBOAT_CONFIG: config }, location };
  };

  roundTrip("sftp", sftpRemote, () => ws);
  roundTrip("s3", s3Remote, () => ws);

  it("sftp: unreachable host, wrong key, unknown or changed host key, missing folder: own exit code, one line, nothing written", async () => {
    const base = { ...sshd.options };
    const repo = sshd.location(join(sshd.dir, "never"));
    const run = (opts: Record<string, string>, args: string[], location = repo) =>
      ws.cli([...optionArgs(opts), ...args], { env: { LIFEBOAT_REPOSITORY: location } });

    assertCleanFailure(await run({ ...base, "sftp.port": "1" }, ["init"]), 13, /unreachable|refused/i);
    const otherKey = join(ws.dir, "other_key");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", otherKey]);
    assertCleanFailure(await run({ ...base, "sftp.identity": otherKey }, ["init"]), 14, /auth/i);
    const emptyKnown = join(ws.dir, "known_hosts_empty");
    await writeFile(emptyKnown, "");
    assertCleanFailure(await run({ ...base, "sftp.known-hosts": emptyKnown }, ["init"]), 15, /host key/i, /ssh-keyscan|accept-new/);
    const wrongKnown = join(ws.dir, "known_hosts_wrong");
    const otherPub = readFileSync(`${otherKey}.pub`, "utf8").split(" ").slice(0, 2).join(" ");
    await writeFile(wrongKnown, `[127.0.0.1]:${sshd.port} ${otherPub}\n`);
    assertCleanFailure(await run({ ...base, "sftp.known-hosts": wrongKnown }, ["init"]), 15, /host key/i, /ssh-keygen -R/);
    assertCleanFailure(await run(base, ["snapshots"]), 10, /no repository/);
    assert.equal(existsSync(join(sshd.dir, "never")), false, "nothing was created for the failed attempts");
  });

  it("s3: missing bucket, wrong credentials, unreachable endpoint: own exit code, one line, nothing written", async () => {
    const opts = optionArgs(s3.options);
    const run = (location: string, args: string[], env: Record<string, string | undefined> = {}) =>
      ws.cli([...opts, ...args], { env: { ...s3.env, LIFEBOAT_REPOSITORY: location, ...env } });
    assertCleanFailure(await run(s3.location("no-such-bucket", "r"), ["snapshots"]), 10, /bucket/i);
    assertCleanFailure(await run(s3.location("lifeboat", "wrong-creds"), ["init"], { AWS_ACCESS_KEY_ID: "NOT-A-KEY" }), 14, /credential|signature|access/i);
    const closed = s3.location("lifeboat", "r").replace(/:\d+\//, ":1/");
    assertCleanFailure(await run(closed, ["init"]), 13, /unreachable|refused/i);
    const res = await run(s3.location("lifeboat", "wrong-creds"), ["snapshots"]);
    assertCleanFailure(res, 10, /no repository/);
  });

  it("--json errors carry the exit code for remote failures too", async () => {
    const res = await ws.cli([...optionArgs({ ...sshd.options, "sftp.port": "1" }), "--json", "snapshots"], {
      env: { LIFEBOAT_REPOSITORY: sshd.location("/nowhere") },
    });
    assert.equal(res.code, 13);
    const [err] = jsonLines(res.stderr) as { exit_code: number; error: string }[];
    assert.equal(err?.exit_code, 13);
  });
});
