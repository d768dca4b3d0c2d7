/**
 * @module agent/presets/_fs
 * Small file-system probes shared by the presets. Probes never throw for a missing path:
 * a preset asks "is it there?" far more often than it reads.
 */
import { lstat, open, readdir, readFile, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { matchGlob } from "../../util/glob.ts";

export async function exists(p: string): Promise<boolean> {
  return (await lstat(p).catch(() => null)) !== null;
}

export async function isDir(p: string): Promise<boolean> {
  return (await stat(p).catch(() => null))?.isDirectory() ?? false;
}

export async function isFile(p: string): Promise<boolean> {
  return (await stat(p).catch(() => null))?.isFile() ?? false;
}

/** subdirs lists the names of the real folders in `dir` (not symlinks), sorted. */
export async function subdirs(dir: string): Promise<string[]> {
  const ents = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return ents.filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

/** files lists the names of the regular files in `dir`, sorted. */
export async function files(dir: string): Promise<string[]> {
  const ents = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return ents.filter((e) => e.isFile()).map((e) => e.name).sort();
}

/** readText returns a file's text, or null when it cannot be read. */
export async function readText(p: string): Promise<string | null> {
  return readFile(p, "utf8").catch(() => null);
}

/** isSqlite checks the 16-byte header, so a database is recognised whatever its extension. */
export async function isSqlite(p: string): Promise<boolean> {
  const fh = await open(p, "r").catch(() => null);
  if (fh === null) return false;
  try {
    const buf = Buffer.alloc(16);
    const { bytesRead } = await fh.read(buf, 0, 16, 0);
    return bytesRead === 16 && buf.toString("latin1") === "SQLite format 3\0";
  } finally {
    await fh.close();
  }
}

/** parseEnv reads dotenv text (KEY=VALUE, optional `export`, quotes, # comments). */
export function parseEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (m === null) continue;
    let v = m[2]!;
    const q = v[0];
    if ((q === '"' || q === "'") && v.endsWith(q) && v.length >= 2) v = v.slice(1, -1);
    else v = v.replace(/\s+#.*$/, "");
    out[m[1]!] = v;
  }
  return out;
}

/** readEnv parses a dotenv file; a missing file gives {}. */
export async function readEnv(p: string): Promise<Record<string, string>> {
  const text = await readText(p);
  return text === null ? {} : parseEnv(text);
}

/** expandPath resolves `~`, `~/x` (against `home`) and relative paths (against `base`). */
export function expandPath(p: string, base: string, home: string = homedir()): string {
  if (p === "~") return home;
  if (p.startsWith("~/")) return join(home, p.slice(2));
  return isAbsolute(p) ? resolve(p) : resolve(base, p);
}

/** slug turns any text into an item-name part: [a-z0-9._-], no leading punctuation. */
export function slug(s: string): string {
  const out = s.toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^[^a-z0-9]+/, "").replace(/-+$/, "");
  return out === "" ? "x" : out;
}

/** within is true when `p` is `dir` or lies below it. */
export function within(p: string, dir: string): boolean {
  return p === dir || p.startsWith(dir.endsWith("/") ? dir : `${dir}/`);
}

/** expandGlob resolves an absolute path whose parts may hold * and ? (not **) to the existing matches. */
export async function expandGlob(path: string): Promise<string[]> {
  let found = ["/"];
  for (const part of path.split("/")) {
    if (part === "") continue;
    if (!/[*?]/.test(part)) {
      found = found.map((f) => join(f, part));
      continue;
    }
    const next: string[] = [];
    for (const f of found) for (const n of (await readdir(f).catch(() => [] as string[])).sort()) if (matchGlob(n, part)) next.push(join(f, n));
    found = next;
  }
  return found;
}
