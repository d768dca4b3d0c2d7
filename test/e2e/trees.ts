/**
 * @module test/e2e/trees
 * Source trees for the end-to-end tests. `writeAwkwardTree` holds every kind of entry that
 * tends to break a backup tool (empty things, links that must not be followed, non-ASCII
 * names, unusual modes, old mtimes); `setOldMtimes` stamps explicit millisecond mtimes so
 * a restore that drops or rounds them is caught.
 */
import { chmod, lstat, lutimes, mkdir, readdir, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { writeTree } from "../../src/testing/index.ts";

/** writeAwkwardTree writes the small, tricky part of the round-trip tree into `dir`. */
export async function writeAwkwardTree(dir: string): Promise<void> {
  await writeTree(dir, {
    "empty-file": "",
    "empty-dir": {},
    nested: {
      a: { b: { c: { "deep.txt": "five levels down\n", "zero": "" }, "empty": {} } },
      "notes.md": "# notes\nsome agent memory\n",
    },
    "café": { "naïve 日本.md": "unicode names survive\n", "Ω ∑ ß": { "ünïcödé.txt": "ü\n" } },
    "🚀 launch 🎉.txt": "emoji in a name\n",
    "name with spaces & 'quotes'.txt": "awkward punctuation\n",
    links: {
      "to-dir": { link: "../nested" },
      "to-file": { link: "../nested/a/b/c/deep.txt" },
      "dangling": { link: "../does-not-exist" },
      "absolute": { link: "/etc" },
    },
    modes: { "secret.key": "0600\n", "run.sh": "#!/bin/sh\necho hi\n", "readonly.txt": "0444\n" },
    private: { "inside.txt": "in a 0700 folder\n" },
  });
  await chmod(join(dir, "modes/secret.key"), 0o600);
  await chmod(join(dir, "modes/run.sh"), 0o755);
  await chmod(join(dir, "modes/readonly.txt"), 0o444);
  await chmod(join(dir, "private"), 0o700);
}

/** writeManySmallFiles writes `dirs` × `perDir` small distinct files below `dir`. */
export async function writeManySmallFiles(dir: string, dirs: number, perDir: number): Promise<void> {
  for (let d = 0; d < dirs; d++) {
    const sub = join(dir, `d${String(d).padStart(3, "0")}`);
    await mkdir(sub, { recursive: true });
    const writes: Promise<void>[] = [];
    for (let f = 0; f < perDir; f++) writes.push(writeFile(join(sub, `f${String(f).padStart(3, "0")}.txt`), `small file ${d}/${f}\n`));
    await Promise.all(writes);
  }
}

/**
 * setOldMtimes gives every entry below `dir` (children before their folder, since writing
 * into a folder changes its mtime) a distinct mtime in 2017 with a millisecond fraction.
 */
export async function setOldMtimes(dir: string, counter = { n: 0 }): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) await setOldMtimes(p, counter);
    // +0.5 ms: a double near 1.5e9 s is only good to ~240 ns, so an exact ms value could
    // land a hair below its ms on either side and floor to the previous one.
    const t = 1_500_000_000 + counter.n++ * 61.237 + 0.0005;
    if ((await lstat(p)).isSymbolicLink()) await lutimes(p, t, t);
    else await utimes(p, t, t);
  }
}
