/**
 * @module test/e2e/encryption.test
 * Nothing readable reaches the repository: no 32-byte run of any backed-up file and no file
 * or folder name appears in any repository file (packs, index, snapshots, keys, config,
 * locks). A scan that finds nothing proves little by itself, so the same scanner is first
 * shown to find a planted run. Also: a wrong password is refused with exit 12 and one line.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { writeTree } from "../../src/testing/index.ts";
import { assertCleanFailure, createWorkspace, listFiles, type Workspace } from "./helpers.ts";

const WINDOW = 32;

/** Distinctive names (≥ 8 bytes), each of which must never appear in the repository. */
const NAMES = [
  "confidential-project-nebula", "zebra-quartz-memory-ledger.md", "agent-soul-manifest.json",
  "private-keys-of-the-agent.txt", "tagebuch-grüße-日記.txt",
];

/** text builds a few KB of compressible but distinctive prose. */
function text(seed: string, kb: number): string {
  const lines: string[] = [];
  for (let i = 0; lines.join("\n").length < kb * 1024; i++) {
    lines.push(`${seed} line ${i}: the agent remembers ${randomBytes(6).toString("hex")} and the operator's plan ${i * 7919}`);
  }
  return lines.join("\n");
}

/** windows holds every 32-byte run of every plaintext (as latin1 strings, so a Set can hold them). */
function windows(plaintexts: Buffer[]): Set<string> {
  const out = new Set<string>();
  for (const p of plaintexts) for (let i = 0; i + WINDOW <= p.length; i++) out.add(p.toString("latin1", i, i + WINDOW));
  return out;
}

interface Leak { file: string; offset: number; what: string }

/** scan slides a 32-byte window over every byte of every file and reports runs that are plaintext. */
async function scan(files: string[], runs: Set<string>, names: string[]): Promise<Leak[]> {
  const leaks: Leak[] = [];
  for (const f of files) {
    const bytes = await readFile(f);
    const s = bytes.toString("latin1");
    for (let i = 0; i + WINDOW <= s.length; i++) {
      if (runs.has(s.slice(i, i + WINDOW))) {
        leaks.push({ file: f, offset: i, what: "file content" });
        break;
      }
    }
    for (const n of names) {
      const at = bytes.indexOf(Buffer.from(n, "utf8"));
      if (at >= 0) leaks.push({ file: f, offset: at, what: `name ${n}` });
    }
  }
  return leaks;
}

describe("encryption at rest", { timeout: 120_000 }, () => {
  let ws: Workspace;
  let src: string;
  let plaintexts: Buffer[];

  before(async () => {
    ws = await createWorkspace({ packSize: "64KiB" });
    src = join(ws.dir, "src");
    const random = randomBytes(6 * 1024); // incompressible: stored as is unless encrypted
    await writeTree(src, {
      [NAMES[0]!]: {
        [NAMES[1]!]: text("ledger", 4),
        [NAMES[2]!]: JSON.stringify({ soul: text("soul", 3), secret: randomBytes(16).toString("hex") }, null, 2),
        "random.bin": random,
      },
      [NAMES[3]!]: text("keys", 2),
      [NAMES[4]!]: text("Tagebuch grüße 日記", 5),
    });
    plaintexts = [];
    for (const f of await listFiles(src)) plaintexts.push(await readFile(f));
    const res = await ws.cli(["backup", "--tag", "nebula-tag", src]);
    assert.equal(res.code, 0, res.stderr);
  });

  after(() => ws?.cleanup());

  it("the scanner finds a planted plaintext run and a planted name (control)", async () => {
    const runs = windows(plaintexts);
    const planted = join(ws.dir, "planted");
    // 0xff never occurs in UTF-8 text, so the run can only match where it was planted.
    const prose = plaintexts.find((p) => p.includes("keys line"))!;
    await writeFile(planted, Buffer.concat([Buffer.alloc(100, 0xff), prose.subarray(50, 50 + WINDOW), Buffer.alloc(100, 0xff)]));
    const contentLeak = await scan([planted], runs, []);
    assert.deepEqual(contentLeak.map((l) => [l.offset, l.what]), [[100, "file content"]]);
    await writeFile(planted, Buffer.concat([Buffer.alloc(10, 0xff), Buffer.from(NAMES[4]!), Buffer.alloc(10, 0xff)]));
    assert.deepEqual((await scan([planted], new Set(), NAMES)).map((l) => [l.offset, l.what]), [[10, `name ${NAMES[4]}`]]);
  });

  it("no repository file contains any 32-byte run of a backed-up file, a file name, a tag or the password", async () => {
    const files = await listFiles(ws.repo);
    const folders = new Set(files.map((f) => f.slice(ws.repo.length + 1).split("/")[0]));
    for (const want of ["config", "keys", "data", "index", "snapshots"]) assert.ok(folders.has(want), `scanned ${want}`);
    assert.ok(files.length >= 6, `scanned ${files.length} files`);
    const runs = windows(plaintexts);
    assert.ok(runs.size > 20_000, `${runs.size} distinct plaintext runs`);
    const leaks = await scan(files, runs, [...NAMES, "nebula-tag", ws.dir, ws.password]);
    assert.deepEqual(leaks, [], "plaintext found in the repository");
  });

  it("the local cache holds no plaintext either", async () => {
    const files = await listFiles(ws.cacheDir);
    assert.ok(files.length > 0, "the backup filled the cache");
    const leaks = await scan(files, windows(plaintexts), [...NAMES, "nebula-tag", ws.dir, ws.password]);
    assert.deepEqual(leaks, []);
  });

  it("a wrong password exits 12 with one line and no stack trace, for every command that opens the repository", async () => {
    const wrong = join(ws.dir, "wrong-password");
    await writeFile(wrong, "not the password\n");
    for (const args of [["snapshots"], ["backup", src], ["restore", "latest", "--target", join(ws.dir, "out")], ["check"], ["ls", "latest"]]) {
      const res = await ws.cli(args, { env: { LIFEBOAT_PASSWORD_FILE: wrong } });
      assertCleanFailure(res, 12, /wrong password/);
      assert.equal(res.stdout, "", `${args[0]}: nothing on stdout`);
    }
    const json = await ws.cli(["--json", "snapshots"], { env: { LIFEBOAT_PASSWORD_FILE: wrong } });
    assert.equal(json.code, 12);
    assert.equal((JSON.parse(json.stderr) as { exit_code: number }).exit_code, 12);
    // Nothing was written by the failed attempts.
    assert.equal((await listFiles(join(ws.repo, "snapshots"))).length, 1);
    assert.deepEqual(await listFiles(join(ws.repo, "locks")), []);
  });
});
