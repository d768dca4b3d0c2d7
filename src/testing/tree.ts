/**
 * @module testing/tree
 * Declarative file trees for tests (restic's TestDir): write one, then hash a folder
 * into a comparable map of path → {type, mode, mtime, sha256 | link target}.
 */
import { createHash } from "node:crypto";
import { lstat, mkdir, readFile, readdir, readlink, symlink, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";

/** TreeSpec: a string or Buffer is a file, an object a folder, {link} a symlink. */
export type TreeSpec = { [name: string]: string | Buffer | TreeSpec | { link: string } };

export async function writeTree(dir: string, spec: TreeSpec): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [name, v] of Object.entries(spec)) {
    const p = join(dir, name);
    if (typeof v === "string" || Buffer.isBuffer(v)) await writeFile(p, v);
    else if ("link" in v && typeof v.link === "string") await symlink(v.link, p);
    else await writeTree(p, v as TreeSpec);
  }
}

export interface HashedEntry {
  type: "file" | "dir" | "symlink";
  mode: number;
  /** mtime in whole milliseconds (what restore can reproduce portably). */
  mtimeMs: number;
  size: number;
  sha256?: string;
  link?: string;
}

/** hashTree describes every entry below `root` (root itself excluded). */
export async function hashTree(root: string, dir = root, out = new Map<string, HashedEntry>()): Promise<Map<string, HashedEntry>> {
  for (const name of (await readdir(dir)).sort()) {
    const p = join(dir, name);
    const st = await lstat(p, { bigint: true });
    // From nanoseconds: st.mtimeMs is rounded and can cross into the next millisecond.
    const base = { mode: Number(st.mode & 0o7777n), mtimeMs: Number(st.mtimeNs / 1_000_000n), size: st.isFile() ? Number(st.size) : 0 };
    const rel = relative(root, p);
    if (st.isSymbolicLink()) out.set(rel, { ...base, type: "symlink", link: await readlink(p) });
    else if (st.isDirectory()) {
      out.set(rel, { ...base, type: "dir" });
      await hashTree(root, p, out);
    } else out.set(rel, { ...base, type: "file", sha256: createHash("sha256").update(await readFile(p)).digest("hex") });
  }
  return out;
}
