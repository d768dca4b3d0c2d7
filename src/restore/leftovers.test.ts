/**
 * @module restore/leftovers.test
 * A restore SIGKILLed mid-way leaves `<file>.lifeboat-restore-<pid>` beside the files it was
 * writing. Running the restore again into the same folder must leave exactly the snapshot's
 * content: it removes a dead restore's temporary files for the files it writes again, but
 * never those of a restore still running, nor files that only look similar.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { backup } from "../backup/backup.ts";
import { createTestRepo } from "../testing/repo.ts";
import { hashTree } from "../testing/tree.ts";
import { restore } from "./restore.ts";

/** deadPid returns the pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((r) => child.on("exit", r));
  return child.pid!;
}

test("restore into a folder a killed restore left temporary files in removes them, and keeps a live restore's", async () => {
  const t = await createTestRepo();
  try {
    const src = join(t.dir, "src");
    await mkdir(join(src, "sub"), { recursive: true });
    await writeFile(join(src, "a.txt"), "a\n");
    await writeFile(join(src, "sub", "b.txt"), "b\n");
    const { snapshot } = await backup(t.repo, { paths: [src] });

    const target = join(t.dir, "target");
    const dest = join(target, src);
    await mkdir(join(dest, "sub"), { recursive: true });
    const dead = await deadPid();
    // process.ppid: the test runner, a live process that is not this one.
    const leftovers: [string, number][] = [["a.txt", dead], ["sub/b.txt", dead], ["sub/b.txt", process.ppid], ["other.txt", dead]];
    for (const [p, pid] of leftovers) await writeFile(join(dest, `${p}.lifeboat-restore-${pid}`), "half");

    const res = await restore(t.repo, snapshot, { target });
    assert.deepEqual(res.errors, []);
    assert.deepEqual((await readdir(dest)).sort(), ["a.txt", `other.txt.lifeboat-restore-${dead}`, "sub"],
      "the dead restore's temporary file of a.txt is gone; one for a file not in the snapshot is not ours to delete");
    assert.deepEqual((await readdir(join(dest, "sub"))).sort(), ["b.txt", `b.txt.lifeboat-restore-${process.ppid}`],
      "in a subfolder too; a running process's temporary file stays");
    const restored = await hashTree(join(dest, "sub"));
    assert.equal(restored.get("b.txt")?.sha256, (await hashTree(join(src, "sub"))).get("b.txt")?.sha256);
  } finally {
    await t.repo.close();
    await t.cleanup();
  }
});
