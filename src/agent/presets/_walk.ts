/**
 * @module agent/presets/_walk
 * A bounded, non-following tree walk with exclusions, used to find databases for catch-all
 * items and to measure what `agent detect` would back up. Symlinks are reported, never
 * followed (a skills symlink can point anywhere, agent-layouts.md §6 pathologies).
 */
import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";

export interface WalkEntry {
  /** Path relative to the walk's start, "/"-separated. */
  rel: string;
  abs: string;
  type: "file" | "dir" | "symlink" | "other";
  size: number;
}

export interface WalkOptions {
  /** Returns the pattern that leaves `rel` out, or null. An excluded folder is not entered. */
  exclude?: (rel: string, isDir: boolean) => string | null;
  onExcluded?: (entry: WalkEntry, pattern: string) => void;
  /** Stop after this many entries (the result then says `truncated`). Default 200,000. */
  maxEntries?: number;
}

/** walk visits every entry below `dir` (depth first, sorted); returns whether it stopped early. */
export async function walk(dir: string, visit: (e: WalkEntry) => void, opts: WalkOptions = {}): Promise<{ truncated: boolean }> {
  const max = opts.maxEntries ?? 200_000;
  let seen = 0;
  const stack: string[] = [""];
  while (stack.length > 0) {
    const relDir = stack.pop()!;
    const names = await readdir(join(dir, relDir)).catch(() => [] as string[]);
    for (const name of names.sort().reverse()) {
      if (++seen > max) return { truncated: true };
      const rel = relDir === "" ? name : `${relDir}/${name}`;
      const abs = join(dir, rel);
      const st = await lstat(abs).catch(() => null);
      if (st === null) continue;
      const type = st.isSymbolicLink() ? "symlink" : st.isDirectory() ? "dir" : st.isFile() ? "file" : "other";
      const entry: WalkEntry = { rel, abs, type, size: type === "file" ? st.size : 0 };
      const hit = opts.exclude?.(rel, type === "dir") ?? null;
      if (hit !== null) {
        opts.onExcluded?.(entry, hit);
        continue;
      }
      visit(entry);
      if (type === "dir") stack.push(rel);
    }
  }
  return { truncated: false };
}
