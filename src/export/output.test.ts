/**
 * @module export/output.test
 * The output rules: never inside the agent's tree (through symlinks too), never over an
 * existing file; the --skip selection; the secrets choice.
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Decrypter, generateIdentity, identityToRecipient } from "age-encryption";
import type { AgentManifest } from "../model/agent.ts";
import { selectItems } from "./manifest.ts";
import { checkOutsideTree, openOutput, publish, writeNew } from "./output.ts";
import { secretMode } from "./secrets.ts";

const manifest = (root: string, extra: string): AgentManifest => ({
  version: 1, agent: "wren", preset: "openclaw", root, host: "h", time: "2026-11-22T05:12:00.000Z", notCovered: [], skipped: [],
  items: [
    { name: "workspace", kind: "files", class: "memory", source: join(root, "workspace"), secret: false, files: 1, bytes: 1, sha256: {} },
    { name: "outside", kind: "files", class: "other", source: extra, secret: false, files: 1, bytes: 1, sha256: {} },
    { name: "db", kind: "postgres", class: "database", source: "agentdb", secret: false, files: 1, bytes: 1, sha256: {} },
  ],
});

describe("export output", () => {
  let dir: string;
  before(async () => { dir = await mkdtemp(join(tmpdir(), "lifeboat-export-out-")); });
  after(() => rm(dir, { recursive: true, force: true }));

  it("refuses a folder inside the root or an item's source, also through a symlink", async () => {
    const root = join(dir, "agent");
    const extra = join(dir, "extra");
    await mkdir(join(root, "workspace"), { recursive: true });
    await mkdir(extra);
    await symlink(root, join(dir, "via-link"));
    const m = manifest(root, extra);
    for (const bad of [root, join(root, "new", "deeper"), join(extra, "x"), join(dir, "via-link", "out")]) {
      await assert.rejects(checkOutsideTree(bad, m), /refusing to write the export inside the backed-up tree/, bad);
    }
    await checkOutsideTree(join(dir, "exports"), m);
    await checkOutsideTree(join(dir, "agent-exports"), m); // a sibling sharing the prefix is outside
  });

  it("publishes without replacing, and refuses when the final name exists", async () => {
    const out = join(dir, "pub");
    const o = await openOutput(out, "a.tar.gz");
    await o.fh.write(Buffer.from("first"));
    await publish(o);
    await writeNew(join(out, "a.tar.gz.sha256"), "x  a.tar.gz\n");
    await assert.rejects(openOutput(out, "a.tar.gz"), /already exists: lifeboat export never overwrites/);
    await assert.rejects(writeNew(join(out, "a.tar.gz.sha256"), "y"), /EEXIST|already exists/);
    assert.equal(await readFile(join(out, "a.tar.gz"), "utf8"), "first");
    assert.deepEqual((await readdir(out)).sort(), ["a.tar.gz", "a.tar.gz.sha256"]);
  });

  it("--skip records skipped items and rejects unknown names", () => {
    const m = selectItems(manifest("/r", "/e"), ["db"]);
    assert.deepEqual(m.items.map((i) => i.name), ["workspace", "outside"]);
    assert.deepEqual(m.skipped, [{ name: "db", reason: "skipped by --skip" }]);
    assert.throws(() => selectItems(manifest("/r", "/e"), ["nope"]), /has no item nope/);
  });

  it("secrets: a choice is required when there are secrets; recipients and passphrases encrypt", async () => {
    await assert.rejects(secretMode({}, true), /--encrypt-secrets age:RECIPIENT.*--plain-secrets/);
    assert.equal((await secretMode({}, false)).kind, "plain");
    await assert.rejects(secretMode({ encryptSecrets: "age:nonsense" }, true), /not an age recipient/);
    await assert.rejects(secretMode({ encryptSecrets: "passphrase", passphraseFile: join(dir, "missing") }, true), /cannot read --passphrase-file/);
    const identity = await generateIdentity();
    const mode = await secretMode({ encryptSecrets: `age:${await identityToRecipient(identity)}` }, true);
    assert.equal(mode.kind, "age");
    const cipher = mode.kind === "age" ? await mode.encrypt(Buffer.from("KEY=v\n")) : new Uint8Array();
    const d = new Decrypter();
    d.addIdentity(identity);
    assert.equal(Buffer.from(await d.decrypt(cipher)).toString(), "KEY=v\n");
    await writeFile(join(dir, "pass"), "s3cret\n");
    assert.equal((await secretMode({ encryptSecrets: "passphrase", passphraseFile: join(dir, "pass") }, true)).kind, "age");
  });
});
