/**
 * @module config/write
 * `lifeboat agent add` writes an agent into the config file. It edits the YAML document
 * rather than re-serialising parsed data, so the user's comments and layout survive, and it
 * replaces the file atomically (temp file + rename) with mode 0600, since the file may
 * name a password file.
 */
import { existsSync } from "node:fs";
import { mkdir, open, readFile, realpath, rename, unlink } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, dirname, join } from "node:path";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, stringify, YAMLSeq, type Document, type Scalar } from "yaml";
import { LifeboatError } from "../errors/index.ts";
import { abbreviateHome, resolvePath } from "./convert.ts";
import { ConfigError, SourceMap } from "./issues.ts";
import { NAME_PATTERN } from "./schema.ts";

export interface NewAgent {
  name: string;
  preset: string;
  /** Made absolute against `cwd`, then written as `~/...` when under home (portable across user names). */
  root: string;
}

// Installed next to this module in both src/ and dist/; linked from new files for editors.
const SCHEMA_FILE = fileURLToPath(new URL("../../docs/lifeboat.schema.json", import.meta.url));

/** newConfigText is the content of a config file created by addAgent, before the agent is added. */
export function newConfigText(): string {
  const modeline = existsSync(SCHEMA_FILE) ? `# yaml-language-server: $schema=${SCHEMA_FILE}\n` : "";
  return `${modeline}# lifeboat configuration: the repository and the agents to back up.
# Format: docs/config.md in the lifeboat package; check it with \`lifeboat doctor\`.
#
# repository:
#   url: /srv/lifeboat
#   password_file: ~/.config/lifeboat/password

agents:
`;
}

/**
 * addAgent appends an agent to `agents:` in the config file at `path`, creating the file
 * (and its folder) if missing. @throws LifeboatError on a duplicate name or a bad field,
 * ConfigError when the existing file is not valid YAML
 */
export async function addAgent(path: string, agent: NewAgent, opts: { home?: string; cwd?: string } = {}): Promise<void> {
  const home = opts.home ?? homedir();
  if (!NAME_PATTERN.test(agent.name)) {
    throw new LifeboatError(`invalid agent name "${agent.name}"`, { hint: "use lowercase letters, digits, '.', '_' and '-', starting with a letter or digit (at most 64)" });
  }
  if (agent.preset === "") throw new LifeboatError("empty preset name");
  if (agent.root === "") throw new LifeboatError("empty agent root", { hint: "pass --root DIR" });

  // Edit the file a symlink points to (dotfile managers), not the link.
  const target = await realpath(path).catch(() => path);
  const existing = await readFile(target, "utf8").catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return null;
    throw new LifeboatError(`config file ${path} cannot be read`, { cause: err });
  });
  const lines = new LineCounter();
  const doc = parseDocument(existing ?? newConfigText(), { lineCounter: lines, merge: true });
  const src = new SourceMap(path, doc, lines);
  if (doc.errors.length > 0) throw new ConfigError(doc.errors.map((e) => src.fromYamlError(e)));
  if (doc.contents !== null && !isMap(doc.contents)) {
    throw new ConfigError([src.issue([], "expected a mapping with repository: and agents:")]);
  }

  let agents = doc.get("agents", true);
  if (agents !== undefined && agents !== null && !isSeq(agents) && !isEmpty(agents)) {
    throw new ConfigError([src.issue(["agents"], "expected a list")]);
  }
  for (const [i, item] of (isSeq(agents) ? agents.items : []).entries()) {
    if (isMap(item) && item.get("name") === agent.name) {
      const { line } = src.issue(["agents", i, "name"], "");
      throw new LifeboatError(`agent "${agent.name}" is already in ${path} (line ${line})`, {
        hint: "pick another name, or edit the file to change that agent",
      });
    }
  }
  const entry = { name: agent.name, preset: agent.preset, root: abbreviateHome(resolvePath(agent.root, opts.cwd ?? process.cwd(), home), home) };
  const text = existing ?? newConfigText();
  let out = spliceAgent(text, doc, entry);
  if (out === null || !appended(out, entry.name, isSeq(agents) ? agents.items.length : 0)) {
    // Layouts the splice does not handle (flow lists): let yaml re-print the document.
    if (!isSeq(agents) || isEmpty(agents)) doc.set("agents", (agents = new YAMLSeq()));
    (agents as YAMLSeq).items.push(doc.createNode(entry));
    // lineWidth 0: never fold the user's long commands onto several lines.
    out = doc.toString({ lineWidth: 0 });
  }
  await writeAtomic(target, out);
}

/**
 * spliceAgent inserts the agent as text after the last agent (or in place of an empty
 * `agents:`), so every other byte of the file stays as the user wrote it. Returns null for
 * layouts it does not handle.
 */
function spliceAgent(text: string, doc: Document, entry: Record<string, string>): string | null {
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  // Replace text[from, to) with `insert`, in the file's own line endings.
  const splice = (from: number, to: number, insert: string) => text.slice(0, from) + insert.replaceAll("\n", eol) + text.slice(to);
  const block = (indent: number) => stringify([entry], { lineWidth: 0 }).trimEnd().split("\n").map((l) => " ".repeat(indent) + l).join("\n") + "\n";
  const atEnd = (insert: string) => splice(text.length, text.length, (text === "" || text.endsWith("\n") ? "" : "\n") + insert);

  const contents = doc.contents;
  if (contents === null) return atEnd(`agents:\n${block(2)}`);
  if (!isMap(contents) || contents.flow) return null;
  const pair = contents.items.find((p) => isScalar(p.key) && p.key.value === "agents");
  if (!pair) return atEnd(`agents:\n${block(2)}`);
  const value = pair.value as YAMLSeq | Scalar | null;
  if (value === null) return null;
  if (isEmpty(value)) {
    // `agents:`, `agents: ~` or `agents: []`: drop the value (a comment after it stays), add the list below.
    const keyStart = (pair.key as Scalar).range?.[0] ?? 0;
    const [start, end] = value.range ?? [keyStart, keyStart];
    let from = start;
    if (end > start) while (from > 0 && text[from - 1] === " ") from--;
    const rest = text.slice(end, lineEnd(text, end)).trimEnd();
    const gap = end > start && rest !== "" && !rest.startsWith(" ") ? " " : ""; // `agents: []# x` keeps a space before #
    return splice(from, lineEnd(text, end), `${gap}${rest}\n${block(column(text, keyStart) + 2)}`);
  }
  if (!isSeq(value) || value.flow || value.items.length === 0) return null;
  const dash = column(text, value.range?.[0] ?? 0);
  const last = value.items.at(-1) as { range?: [number, number, number] };
  let pos = lineEnd(text, last.range?.[1] ?? text.length);
  // Comments indented under the last agent belong to it; a comment at the list's level or less does not.
  for (;;) {
    const m = /^( *)#[^\n]*(\n|$)/.exec(text.slice(pos));
    if (m === null || m[1]!.length <= dash) break;
    pos += m[0].length;
  }
  const spaced = value.items.slice(1).some((it) => (it as { spaceBefore?: boolean }).spaceBefore);
  const nl = pos === text.length && !text.endsWith("\n") ? "\n" : "";
  return splice(pos, pos, `${nl}${spaced ? "\n" : ""}${block(dash)}`);
}

/** appended checks the splice: the text parses and its agents list gained exactly our agent, at the end. */
function appended(text: string, name: string, before: number): boolean {
  const doc = parseDocument(text, { merge: true });
  const agents = doc.get("agents", true);
  if (doc.errors.length > 0 || !isSeq(agents) || agents.items.length !== before + 1) return false;
  const last = agents.items.at(-1);
  return isMap(last) && last.get("name") === name;
}

function isEmpty(node: unknown): boolean {
  return (isScalar(node) && node.value === null) || (isSeq(node) && node.flow === true && node.items.length === 0);
}

/** lineEnd returns the offset just past the line that holds `pos` (or the text's end). */
function lineEnd(text: string, pos: number): number {
  if (pos > 0 && text[pos - 1] === "\n") return pos;
  const nl = text.indexOf("\n", pos);
  return nl === -1 ? text.length : nl + 1;
}

function column(text: string, pos: number): number {
  return pos - (text.lastIndexOf("\n", pos - 1) + 1);
}

/** writeAtomic replaces `path` with `text` (mode 0600) so readers see the old or the new file, never a mix. */
export async function writeAtomic(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  const fh = await open(tmp, "wx", 0o600);
  try {
    await fh.writeFile(text, "utf8");
    await fh.sync();
    await fh.close();
    await rename(tmp, path);
  } catch (err) {
    await fh.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw new LifeboatError(`cannot write config file ${path}`, { cause: err });
  }
}
