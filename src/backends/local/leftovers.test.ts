/**
 * @module backends/local/leftovers.test
 * A process killed mid-save leaves `.tmp-*` files that list() never shows; removeLeftovers
 * (called by prune) must delete old ones and keep young ones (a save may be running).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalBackend } from "./index.ts";

test("removeLeftovers deletes old temporary files in every folder and keeps young ones and objects", async () => {
  const dir = await mkdtemp(join(tmpdir(), "lifeboat-leftovers-"));
  try {
    const be = createLocalBackend(dir);
    await be.create();
    await be.save({ type: "pack", name: "ab01" }, Buffer.from("pack"));
    const old = [join(dir, "data", "ab", ".tmp-old"), join(dir, "index", ".tmp-old"), join(dir, ".tmp-config")];
    for (const f of old) {
      await writeFile(f, "partial");
      await utimes(f, new Date(Date.now() - 7200_000), new Date(Date.now() - 7200_000));
    }
    await writeFile(join(dir, "snapshots", ".tmp-young"), "partial");
    assert.equal(await be.removeLeftovers!(3600_000), 3);
    assert.deepEqual(await readdir(join(dir, "data", "ab")), ["ab01"]);
    assert.deepEqual(await readdir(join(dir, "snapshots")), [".tmp-young"]);
    assert.deepEqual(await readdir(join(dir, "index")), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
