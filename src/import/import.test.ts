/**
 * @module import/import.test
 * Ingesting into a repository: a zstd archive with a passphrase-encrypted secret becomes an
 * agent snapshot whose manifest records the plaintext's sha256; a wrong passphrase writes
 * no snapshot.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Encrypter } from "age-encryption";
import { loadSnapshots } from "../repository/snapshots.ts";
import { createTestRepo, type TestRepo } from "../testing/repo.ts";
import { importArchive } from "./import.ts";
import { sha256, writeExport, writeSidecar, writeTar } from "./testkit.ts";

describe("import --into-repo", () => {
  let dir: string;
  let t: TestRepo;
  let archive: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "lifeboat-import-"));
    t = await createTestRepo();
    archive = join(dir, "lifeboat-pp-20261122T051200Z.tar.zst");
    const m = await writeExport(archive, { agent: "pp", root: "/srv/pp", items: [
      { name: "notes", kind: "files", class: "memory", source: "/srv/pp/notes", files: { "a.md": "a\n", "sub/b.md": "b\n" } },
    ] });
    // A passphrase-encrypted secret, added by hand: writeExport encrypts to recipients only.
    const e = new Encrypter();
    e.setScryptWorkFactor(10);
    e.setPassphrase("correct horse");
    const cipher = await e.encrypt("TOKEN=1\n");
    m.items.push({ name: "env", kind: "secret", class: "secret", source: "/srv/pp/.env", path: "items/env", files: 1, bytes: cipher.length,
      sha256: { ".env.age": sha256(cipher) }, secret: true, encryption: "age" });
    const top = "lifeboat-pp-20261122T051200Z";
    await writeTar(archive, [{ name: `${top}/`, type: "directory" }, { name: `${top}/manifest.json`, content: JSON.stringify(m) },
      { name: `${top}/items/notes/a.md`, content: "a\n" }, { name: `${top}/items/notes/sub/b.md`, content: "b\n" },
      { name: `${top}/items/env/.env.age`, content: cipher }], "zstd");
    await writeSidecar(archive);
  });
  after(async () => { await t.cleanup(); await rm(dir, { recursive: true, force: true }); });

  it("refuses a wrong passphrase and writes no snapshot", async () => {
    await assert.rejects(importArchive({ archive, intoRepo: t.repo, keys: { passphrase: "wrong" } }), /cannot decrypt 'items\/env\/\.env\.age'/);
    assert.equal((await loadSnapshots(t.repo)).snapshots.length, 0);
  });

  it("adds an agent snapshot with plaintext sha256", async () => {
    const res = await importArchive({ archive, intoRepo: t.repo, keys: { passphrase: "correct horse" } });
    const sn = (await loadSnapshots(t.repo)).snapshots.find((s) => s.id === res.snapshot)!;
    assert.equal(sn.agent, "pp");
    assert.deepEqual(sn.tags, ["pp", "import"]);
    const env = sn.manifest!.items.find((i) => i.name === "env")!;
    assert.deepEqual(env.sha256, { ".env": sha256("TOKEN=1\n") });
    const notes = sn.manifest!.items.find((i) => i.name === "notes")!;
    assert.deepEqual(notes.sha256, { "a.md": sha256("a\n"), "sub/b.md": sha256("b\n") });
  });
});
