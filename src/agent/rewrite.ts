/**
 * @module agent/rewrite
 * After a restore to another root, absolute paths the agent stored under the old root point
 * nowhere (OpenClaw sessions.json `sessionFile`, agent-layouts.md §1.4, #5631). rewritePaths
 * rewrites the fields a preset knows about and reports every other absolute path under the
 * old root it sees in JSON, JSONL and JSON5 files, without touching them.
 * Rewriting is textual (only the string literal changes), so a 13 MB sessions.json or a
 * commented openclaw.json keeps its formatting; the result must still parse, or the file is
 * left as it was and reported.
 */
import { createReadStream } from "node:fs";
import { readFile, rename, stat, writeFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { createInterface } from "node:readline";
import { expandGlob } from "./presets/_fs.ts";
import { parseJson5 } from "./presets/_json5.ts";
import { walk } from "./presets/_walk.ts";
import type { PathRewrite } from "./presets/preset.ts";

export interface RewriteResult {
  /** Files changed (relative to dir). */
  rewritten: string[];
  /** Distinct absolute paths under the old root still present anywhere, sorted. */
  otherAbsolutePaths: string[];
  /** Where they were seen: file (relative to dir) → up to 20 paths. */
  seenIn: { file: string; paths: string[] }[];
  /** Files a rewrite would have broken (left unchanged). */
  failed: { file: string; error: string }[];
}

const SCANNED = /\.(?:json5?|jsonl)(?:$|\.)/;
const SKIP_DIRS = new Set(["node_modules", ".git"]);

export async function rewritePaths(dir: string, rewrites: readonly PathRewrite[], oldRoot: string, newRoot: string): Promise<RewriteResult> {
  const from = trimSlash(oldRoot);
  const to = trimSlash(newRoot);
  const out: RewriteResult = { rewritten: [], otherAbsolutePaths: [], seenIn: [], failed: [] };
  if (from === to) return out;
  for (const rw of rewrites) {
    for (const file of await expandGlob(join(dir, rw.files))) {
      const rel = relative(dir, file).split(sep).join("/");
      try {
        if (await rewriteFile(file, rw, from, to)) out.rewritten.push(rel);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") continue; // a literal pattern that names no file here
        out.failed.push({ file: rel, error: err instanceof Error ? (err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message) : String(err) });
      }
    }
  }
  const all = new Set<string>();
  const files: string[] = [];
  await walk(dir, (e) => {
    if (e.type === "file" && SCANNED.test(e.rel)) files.push(e.abs);
  }, { exclude: (rel, isDir) => (isDir && SKIP_DIRS.has(rel.slice(rel.lastIndexOf("/") + 1)) ? "skipped" : null) });
  for (const file of files) {
    const paths = await scanFile(file, from, to);
    if (paths.size === 0) continue;
    for (const p of paths) all.add(p);
    out.seenIn.push({ file: relative(dir, file).split(sep).join("/"), paths: [...paths].sort().slice(0, 20) });
  }
  out.otherAbsolutePaths = [...all].sort();
  return out;
}

/** rewriteFile rewrites one file in place (temp file + rename); returns whether it changed. */
async function rewriteFile(file: string, rw: PathRewrite, from: string, to: string): Promise<boolean> {
  const text = await readFile(file, "utf8");
  const next = rewriteText(text, rw.keys, from, to, rw.format);
  if (next === text) return false;
  try {
    if (rw.format === "json") JSON.parse(next);
    else parseJson5(next);
  } catch (cause) {
    throw new Error("rewritten text does not parse", { cause });
  }
  const tmp = `${file}.lifeboat-rewrite`;
  await writeFile(tmp, next, { mode: (await stat(file)).mode & 0o7777 });
  await rename(tmp, file);
  return true;
}

/**
 * rewriteText replaces `from` by `to` at the start of string values of the given keys
 * ("key": "value"; in JSON5 also key: 'value'). A value matches when it is `from` or lies below it.
 */
export function rewriteText(text: string, keys: string[], from: string, to: string, format: "json" | "json5" = "json"): string {
  const k = keys.map((x) => x.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");
  const quote = format === "json" ? `"` : `"'`;
  const re = new RegExp(`((?<![\\w$\\\\])(["']?)(?:${k})\\2\\s*:\\s*)([${quote}])((?:\\\\.|(?!\\3)[^\\\\\\n])*)\\3`, "g");
  return text.replace(re, (all: string, head: string, keyQuote: string, q: string, body: string) => {
    if (format === "json" && keyQuote !== '"') return all;
    const value = q === '"' ? (JSON.parse(`"${body}"`) as string) : body.replace(/\\(.)/g, "$1");
    if (value !== from && !value.startsWith(`${from}/`)) return all;
    const next = to + value.slice(from.length);
    const encoded = q === '"' ? JSON.stringify(next).slice(1, -1) : next.replace(/\\/g, "\\\\").replace(/'/g, "\\'");
    return `${head}${q}${encoded}${q}`;
  });
}

/** scanFile returns the distinct absolute paths under `from` in a file, read line by line. */
async function scanFile(file: string, from: string, to: string): Promise<Set<string>> {
  const found = new Set<string>();
  const lines = createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
  for await (const line of lines) {
    for (let i = line.indexOf(from); i >= 0; i = line.indexOf(from, i + 1)) {
      const before = line[i - 1];
      if (before !== undefined && !/["'\s=:(,[]/.test(before)) continue;
      const m = /^[^"'\s\\,;)}\]]*/.exec(line.slice(i));
      const p = m?.[0] ?? from;
      if (p !== from && !p.startsWith(`${from}/`)) continue;
      // Restoring below the old root: the new paths also start with the old one.
      if (to.startsWith(`${from}/`) && (p === to || p.startsWith(`${to}/`))) continue;
      found.add(p);
    }
  }
  return found;
}

function trimSlash(p: string): string {
  return p.length > 1 && p.endsWith("/") ? p.slice(0, -1) : p;
}
