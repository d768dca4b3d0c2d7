/**
 * @module backends/sftp/parsing.test
 * The pure parts of the sftp backend: locations, ~/.ssh/config matching, known_hosts
 * entries (checked against files that ssh-keygen itself hashed) and how options, location
 * and ssh config combine.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { promisify } from "node:util";
import { checkHostKey, entryMatches, fingerprint, hostKeyAlgorithms, keyTypeOf, parseKnownHosts } from "./knownHosts.ts";
import { formatLocation, parseSftpLocation } from "./location.ts";
import { resolveSettings } from "./settings.ts";
import { expandTokens, matchPatternList, resolveSshConfig } from "./sshConfig.ts";

const run = promisify(execFile);

describe("sftp location", () => {
  it("parses the scp and URL forms", () => {
    assert.deepEqual(parseSftpLocation("alice@example.com:/srv/repo"), { user: "alice", host: "example.com", path: "/srv/repo" });
    assert.deepEqual(parseSftpLocation("backup:repos/agent"), { host: "backup", path: "repos/agent" });
    assert.deepEqual(parseSftpLocation("bob@[::1]:/r"), { user: "bob", host: "::1", path: "/r" });
    assert.deepEqual(parseSftpLocation("h:/data@2024"), { host: "h", path: "/data@2024" });
    assert.deepEqual(parseSftpLocation("//alice@example.com:2222//srv/repo"), { user: "alice", host: "example.com", port: 2222, path: "/srv/repo" });
    assert.deepEqual(parseSftpLocation("//example.com/repo"), { host: "example.com", path: "repo" });
    assert.deepEqual(parseSftpLocation("//u@[::1]:22//r"), { user: "u", host: "::1", port: 22, path: "/r" });
  });

  it("rejects locations without host, path or with a password, saying how to write them", () => {
    assert.throws(() => parseSftpLocation("/just/a/path"), /expected \[user@\]host:path/);
    assert.throws(() => parseSftpLocation("host:"), /no repository folder/);
    assert.throws(() => parseSftpLocation("//host"), /no repository folder/);
    assert.throws(() => parseSftpLocation("//u@h:99999/r"), /invalid port/);
    assert.throws(() => parseSftpLocation("//u:secret@h/r"), /no password/);
  });

  it("formats a location back, in URL form off port 22", () => {
    assert.equal(formatLocation("a", "h", 22, "/r"), "sftp:a@h:/r");
    assert.equal(formatLocation("a", "::1", 2222, "/r"), "sftp://a@[::1]:2222//r");
    assert.equal(formatLocation("a", "h", 2222, "rel"), "sftp://a@h:2222/rel");
  });
});

describe("ssh config", () => {
  const config = `
# global defaults come first only if written first; first value wins
Host backup
  HostName backup.example.com
  User restic
  Port 2222
  IdentityFile ~/.ssh/backup_key

Host *.example.com !bad.example.com
  User=staff
  IdentityFile "%d/.ssh/id_%r"
  StrictHostKeyChecking accept-new

Host b?x
  Port 23

Match exec "false"
  User nobody

Host *
  User fallback
  UserKnownHostsFile ~/.ssh/kh1 ~/.ssh/kh2
`;

  it("matches Host patterns with *, ? and negation, first value winning", () => {
    const b = resolveSshConfig(config, "backup");
    assert.equal(b.hostName, "backup.example.com");
    assert.equal(b.user, "restic");
    assert.equal(b.port, "2222");
    assert.deepEqual(b.identityFiles, ["~/.ssh/backup_key"]);
    assert.deepEqual(b.userKnownHostsFiles, ["~/.ssh/kh1", "~/.ssh/kh2"]);
    const w = resolveSshConfig(config, "web.example.com");
    assert.equal(w.user, "staff");
    assert.equal(w.strictHostKeyChecking, "accept-new");
    assert.deepEqual(w.identityFiles, ["%d/.ssh/id_%r"]);
    assert.equal(resolveSshConfig(config, "bad.example.com").user, "fallback");
    assert.equal(resolveSshConfig(config, "box").port, "23");
    assert.equal(resolveSshConfig(config, "boxes").port, undefined);
  });

  it("matches pattern lists and expands tokens", () => {
    assert.ok(matchPatternList(["*.EXAMPLE.com"], "a.example.com"));
    assert.ok(!matchPatternList(["!a.example.com", "*.example.com"], "a.example.com"));
    assert.ok(!matchPatternList(["!nothing"], "a"), "a negation alone matches nothing");
    const v = { home: "/home/al", localUser: "al", host: "h", remoteUser: "r", port: 22 };
    assert.equal(expandTokens("~/.ssh/id_%r@%h:%p%%", v), "/home/al/.ssh/id_r@h:22%");
  });
});

describe("known_hosts", () => {
  it("reads plain, listed, [host]:port and ssh-keygen-hashed entries", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "lifeboat-kh-"));
    try {
      await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path.join(dir, "k")]);
      const [type, b64] = (await readFile(path.join(dir, "k.pub"), "utf8")).split(" ");
      const key = Buffer.from(b64!, "base64");
      const file = path.join(dir, "known_hosts");
      await writeFile(file, `plain.example ${type} ${b64}\nalias,10.0.0.1 ${type} ${b64}\n[odd.example]:2222 ${type} ${b64}\n`);
      const plain = parseKnownHosts(await readFile(file, "utf8"), file);
      await run("ssh-keygen", ["-H", "-f", file]);
      const hashed = parseKnownHosts(await readFile(file, "utf8"), file);
      assert.ok(hashed.every((e) => e.hosts.startsWith("|1|")), "ssh-keygen -H hashed every entry");
      for (const entries of [plain, hashed]) {
        for (const [host, port] of [["plain.example", 22], ["alias", 22], ["10.0.0.1", 22], ["odd.example", 2222]] as const) {
          assert.equal(checkHostKey(entries, host, port, key).status, "known", `${host}:${port}`);
        }
        assert.equal(checkHostKey(entries, "odd.example", 22, key).status, "unknown");
        assert.equal(checkHostKey(entries, "plain.example", 2222, key).status, "unknown");
      }
      assert.equal(keyTypeOf(key), "ssh-ed25519");
      const { stdout } = await run("ssh-keygen", ["-l", "-f", path.join(dir, "k.pub")]);
      assert.ok(stdout.includes(fingerprint(key)), `${stdout} vs ${fingerprint(key)}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("tells a changed key from an unknown one, honours @revoked, and prefers known key types", () => {
    const blob = (type: string, fill: number) => {
      const b = Buffer.alloc(4 + type.length + 8, fill);
      b.writeUInt32BE(type.length, 0);
      b.write(type, 4, "latin1");
      return b;
    };
    const ed = blob("ssh-ed25519", 1);
    const ed2 = blob("ssh-ed25519", 2);
    const text = `h ssh-ed25519 ${ed.toString("base64")}\n@revoked * ssh-ed25519 ${ed2.toString("base64")}\nbroken line\n`;
    const entries = parseKnownHosts(text, "kh");
    assert.equal(entries.length, 2);
    assert.equal(checkHostKey(entries, "h", 22, ed).status, "known");
    assert.equal(checkHostKey(entries, "h", 22, ed2).status, "revoked");
    const v = checkHostKey(entries.slice(0, 1), "h", 22, ed2);
    assert.ok(v.status === "changed" && v.entry.line === 1);
    const other = checkHostKey(entries, "h", 22, blob("ecdsa-sha2-nistp256", 3));
    assert.ok(other.status === "unknown" && other.otherTypes.length === 1);
    assert.ok(entryMatches(entries[0]!, "H", 22), "host names are case-insensitive");
    assert.equal(hostKeyAlgorithms(entries, "h", 22)[0], "ssh-ed25519");
    const rsaFirst = hostKeyAlgorithms(parseKnownHosts(`h ssh-rsa ${blob("ssh-rsa", 4).toString("base64")}`, "kh"), "h", 22);
    assert.deepEqual(rsaFirst.slice(0, 3), ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"]);
  });
});

describe("sftp settings", () => {
  it("takes options over the location over ssh config over defaults", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "lifeboat-sshcfg-"));
    try {
      const cfg = path.join(dir, "config");
      await writeFile(cfg, `Host nas\n  HostName 192.0.2.7\n  User keeper\n  Port 2200\n  IdentityFile ${dir}/id_nas\n  UserKnownHostsFile ${dir}/kh\n  StrictHostKeyChecking accept-new\n`);
      const s = await resolveSettings("nas:backups", { "sftp.config": cfg, "s3.region": "ignored" }, {});
      assert.equal(s.host, "192.0.2.7");
      assert.equal(s.user, "keeper");
      assert.equal(s.port, 2200);
      assert.deepEqual(s.identityFiles, [path.join(dir, "id_nas")]);
      assert.deepEqual(s.knownHostsFiles, [path.join(dir, "kh")]);
      assert.equal(s.acceptNew, true);
      assert.equal(s.agent, undefined);
      assert.equal(s.connections, 5);
      assert.equal(s.location, "sftp://keeper@192.0.2.7:2200/backups");
      const o = await resolveSettings("other@nas:/r", { "sftp.config": cfg, "sftp.port": "2201", "sftp.identity": "/k", "sftp.accept-new": "false", "sftp.timeout": "3s" }, { SSH_AUTH_SOCK: "/tmp/agent" });
      assert.deepEqual([o.user, o.port, o.identityFiles, o.acceptNew, o.timeoutMs, o.agent], ["other", 2201, ["/k"], false, 3000, "/tmp/agent"]);
      await assert.rejects(resolveSettings("nas:r", { "sftp.config": cfg, "sftp.prot": "1" }), /unknown option sftp\.prot/);
      await assert.rejects(resolveSettings("//nas:2222/r", { "sftp.config": cfg, "sftp.port": "2201" }), /contradicts/);
      await assert.rejects(resolveSettings("nas:r", { "sftp.config": path.join(dir, "missing") }), /cannot read ssh config/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
