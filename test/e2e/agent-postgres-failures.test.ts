/**
 * @module test/e2e/agent-postgres-failures.test
 * Issue 3, "Must show" 3: a PostgreSQL item that cannot be captured fails the backup of a
 * clawdie agent cleanly — non-zero exit, one line naming the failure, and NO snapshot
 * recorded (counted with `lifeboat snapshots --json` before and after) — when:
 * - pg_dump dies half-way (a fake pg_dump first in PATH runs the real one, passes on the
 *   first 4 KiB of its dump, then SIGKILLs itself; it reports the real version, since
 *   lifeboat picks the pg_dump whose major version fits the server, in PATH order);
 * - the password is wrong. This machine's server trusts every connection from 127.0.0.1
 *   (pg_hba.conf `host all all 127.0.0.1/32 trust`), so it never asks for a password: the
 *   item points at a stand-in server on a random port that speaks just enough of the
 *   protocol (v3) to ask for a password and answer 28P01, as PostgreSQL does. The role and
 *   database checks below run against the real server;
 * - the role does not exist;
 * - the database does not exist;
 * - the server is down (port 1: connection refused).
 * A correct backup first proves the setup works, so each failure comes from what its case breaks.
 */
import assert from "node:assert/strict";
import { chmod, mkdir, readdir, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { delimiter, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { findPgBinaries } from "../../src/sources/pgtools.ts";
import { clawdie, type ClawdieFixture } from "../../src/testing/fixtures/index.ts";
import { createAgentWorld, pgSkip, type AgentWorld } from "./agent-helpers.ts";
import { assertCleanFailure, type CliResult } from "./helpers.ts";

const skip = await pgSkip();

/** standInServer asks every client for a cleartext password and refuses it with 28P01. */
async function standInServer(): Promise<{ server: Server; port: number; heard: string[] }> {
  const heard: string[] = [];
  const server = createServer((sock) => {
    sock.on("error", () => undefined);
    sock.on("data", (d: Buffer) => {
      const code = d.length >= 8 ? d.readInt32BE(4) : 0;
      if (code === 80877103 || code === 80877104) return void sock.write("N"); // SSLRequest, GSSENCRequest: no
      if (d[0] === 0x70) { // 'p': PasswordMessage
        heard.push(d.subarray(5, d.length - 1).toString());
        const fields = Buffer.from('SFATAL\0VFATAL\0C28P01\0Mpassword authentication failed for user "clawdie"\0\0');
        const msg = Buffer.alloc(5);
        msg.write("E");
        msg.writeInt32BE(4 + fields.length, 1);
        return void sock.end(Buffer.concat([msg, fields]));
      }
      sock.write(Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 3])); // AuthenticationCleartextPassword
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, port: (server.address() as { port: number }).port, heard };
}

describe("a PostgreSQL item that cannot be captured fails the backup and records no snapshot", { skip, timeout: 300_000 }, () => {
  let w: AgentWorld;
  let fx: ClawdieFixture;
  let root: string;
  let fakeBin: string;
  let stand: Awaited<ReturnType<typeof standInServer>>;

  before(async () => {
    w = await createAgentWorld();
    root = join(w.home, "clawdie-ai");
    fx = await clawdie(root, { home: w.home, messages: 100 });
    // The fake pg_dump: the real one, cut off after 4 KiB (its dump is far larger), then killed.
    const real = (await findPgBinaries("pg_dump"))[0];
    assert.ok(real, "a real pg_dump");
    fakeBin = join(w.dir, "fake-bin");
    await mkdir(fakeBin);
    await writeFile(join(fakeBin, "pg_dump"), `#!/bin/sh
if [ "$1" = "--version" ]; then exec '${real.path}' --version; fi
'${real.path}' "$@" | head -c 4096
kill -KILL $$
`);
    await chmod(join(fakeBin, "pg_dump"), 0o755);
    stand = await standInServer();
  });

  after(async () => {
    stand?.server.close();
    await fx?.cleanup();
    await w?.cleanup();
  });

  /** backupWith writes a config whose memory-db item has `memoryDb` and runs a backup of it. */
  async function backupWith(memoryDb: Record<string, unknown>, env: Record<string, string> = {}): Promise<CliResult> {
    await w.writeConfig([{ name: "clawdie", preset: "clawdie", root, items: [{ name: "memory-db", kind: "postgres", ...memoryDb }] }]);
    return w.cli(["backup"], { env });
  }

  /**
   * failsWithoutSnapshot runs a backup with a broken memory-db item and proves the run failed
   * cleanly and the repository holds as many snapshots as before.
   */
  async function failsWithoutSnapshot(memoryDb: Record<string, unknown>, env: Record<string, string>, ...patterns: RegExp[]): Promise<CliResult> {
    const before = (await w.snapshots()).length;
    const res = await backupWith(memoryDb, env);
    const line = assertCleanFailure(res, 1, /backup of agent clawdie failed/, /memory-db/, /no snapshot was written/, ...patterns);
    assert.doesNotMatch(line, /snapshot [0-9a-f]{8} saved/);
    assert.doesNotMatch(res.stdout, /saved/, "no snapshot announced");
    assert.equal((await w.snapshots()).length, before, "no snapshot recorded");
    return res;
  }

  it("the same agent backs up fine with a correct item (so the failures below come from what each case breaks)", async () => {
    assert.equal((await w.snapshots()).length, 0);
    const ok = await backupWith({ database: fx.databases.memory, env: fx.pgEnv });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal((await w.snapshots()).length, 1);
  });

  it("pg_dump killed half-way: no snapshot, the message says pg_dump was killed", async () => {
    await failsWithoutSnapshot({ database: fx.databases.memory, env: fx.pgEnv }, { PATH: `${fakeBin}${delimiter}${process.env.PATH ?? ""}` },
      /pg_dump was killed by SIGKILL before the dump was complete/);
  });

  it("a wrong password: no snapshot, the message says password authentication failed", async () => {
    const res = await failsWithoutSnapshot({ database: fx.databases.memory, url: `postgres://clawdie:not-the-password@127.0.0.1:${stand.port}/${fx.databases.memory}` }, {},
      /password authentication failed for user clawdie/, /check the password in the item's url/);
    assert.ok(stand.heard.includes("not-the-password"), "the password reached the (stand-in) server");
    assert.doesNotMatch(res.stderr, /not-the-password/, "the password is not echoed");
  });

  it("a role that does not exist: no snapshot, the message names the missing role", async () => {
    await failsWithoutSnapshot({ database: fx.databases.memory, env: { ...fx.pgEnv, PGUSER: "lifeboat_no_such_role" } }, {}, /role lifeboat_no_such_role does not exist on 127\.0\.0\.1:5432/);
  });

  it("a database that does not exist: no snapshot, the message names the missing database", async () => {
    await failsWithoutSnapshot({ database: `${fx.databases.memory}_gone`, env: fx.pgEnv }, {}, new RegExp(`database ${fx.databases.memory}_gone does not exist on 127\\.0\\.0\\.1:5432`));
  });

  it("the server down: no snapshot, the message says the connection was refused", async () => {
    await failsWithoutSnapshot({ database: fx.databases.memory, env: { ...fx.pgEnv, PGPORT: "1" } }, {}, /could not connect to PostgreSQL at 127\.0\.0\.1:1: connection refused/);
  });

  it("a restore whose database cannot be loaded changes nothing: files staged meanwhile are removed, none swapped in", async () => {
    const ok = await backupWith({ database: fx.databases.memory, env: fx.pgEnv });
    assert.equal(ok.code, 0, ok.stderr);
    const target = join(w.dir, "restore-target");
    await w.writeConfig([{ name: "clawdie", preset: "clawdie", root, items: [{ name: "memory-db", kind: "postgres", database: fx.databases.memory, env: { ...fx.pgEnv, PGPORT: "1" } }] }]);
    const res = await w.cli(["restore", "latest", "--agent", "clawdie", "--target", target]);
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /connection refused/);
    const left = await readdir(target, { recursive: true }).catch(() => [] as string[]);
    assert.deepEqual(left.filter((n) => n.includes(".lifeboat-staging-") || n.includes(".lifeboat-old-")), [], "no staging or set-aside folder is left");
    assert.deepEqual(left.filter((n) => !n.includes("/")).filter((n) => n !== ".lifeboat-restored"), [], "no item was swapped into the new root");
  });
});
