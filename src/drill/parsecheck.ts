/**
 * @module drill/parsecheck
 * A file can match its hash and still be useless: a session-state.json captured while it was
 * being rewritten, a transcript with a torn line in the middle. The drill parses every
 * `.json` file (JSON, or JSON5 as OpenClaw writes its config) and every line of every
 * `.jsonl` file it restored. A last JSONL line without its newline is only a warning: the
 * capture raced an append, and every complete line before it is intact.
 */
import { createReadStream } from "node:fs";
import { lstat, open, readFile, readdir } from "node:fs/promises";
import { join, relative } from "node:path";
import { createInterface } from "node:readline";
import { parseJson5 } from "../agent/presets/_json5.ts";

export interface ParseResult {
  files: number;
  lines: number;
  failures: string[];
  warnings: string[];
}

/** MAX_JSON: larger .json files are only hashed; parsing one would hold it all in memory. */
const MAX_JSON = 64 * 1024 * 1024;

export async function parseCheck(path: string, signal?: AbortSignal): Promise<ParseResult> {
  const out: ParseResult = { files: 0, lines: 0, failures: [], warnings: [] };
  for await (const file of walk(path)) {
    signal?.throwIfAborted();
    const rel = relative(path, file) || file.split("/").at(-1)!;
    if (file.endsWith(".json")) await checkJson(file, rel, out);
    else if (file.endsWith(".jsonl")) await checkJsonl(file, rel, out, signal);
  }
  return out;
}

async function* walk(path: string): AsyncGenerator<string> {
  const st = await lstat(path);
  if (st.isFile()) { yield path; return; }
  if (!st.isDirectory()) return;
  for (const e of await readdir(path, { withFileTypes: true })) {
    if (e.isDirectory()) yield* walk(join(path, e.name));
    else if (e.isFile()) yield join(path, e.name);
  }
}

async function checkJson(file: string, rel: string, out: ParseResult): Promise<void> {
  if ((await lstat(file)).size > MAX_JSON) return;
  out.files++;
  const text = await readFile(file, "utf8");
  if (text.trim() === "") { out.warnings.push(`${rel} is empty`); return; }
  try {
    JSON.parse(text);
  } catch {
    try {
      parseJson5(text);
    } catch (err) {
      out.failures.push(`${rel} is not valid JSON: ${(err as Error).message}`);
    }
  }
}

async function checkJsonl(file: string, rel: string, out: ParseResult, signal?: AbortSignal): Promise<void> {
  out.files++;
  const lines = createInterface({ input: createReadStream(file, { encoding: "utf8", signal }), crlfDelay: Infinity });
  let n = 0;
  let bad = 0;
  for await (const line of lines) {
    n++;
    if (bad === 0 && !parses(line)) bad = n;
  }
  out.lines += n;
  if (bad === 0) return;
  if (bad === n && !(await endsWithNewline(file))) out.warnings.push(`${rel}: the last line (${n}) is incomplete, as it was when captured`);
  else out.failures.push(`${rel}: line ${bad} is not valid JSON`);
}

function parses(line: string): boolean {
  if (line.trim() === "") return true;
  try { JSON.parse(line); return true; } catch { return false; }
}

async function endsWithNewline(file: string): Promise<boolean> {
  const fh = await open(file, "r");
  try {
    const { size } = await fh.stat();
    if (size === 0) return true;
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, size - 1);
    return b[0] === 0x0a;
  } finally {
    await fh.close();
  }
}
