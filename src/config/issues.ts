/**
 * @module config/issues
 * Turns YAML syntax errors and schema violations into issues that name the file, the line
 * and column, and the key path (`agents[0].items[1].kind`), and the ConfigError that carries
 * them. The first issue is the error's one-line message; `doctor` prints `issues` in full.
 */
import { isMap, isScalar, isSeq, type Document, type LineCounter, type YAMLError } from "yaml";
import { z } from "zod";
import { LifeboatError } from "../errors/index.ts";
import { ConfigFileSchema } from "./schema.ts";

/** KeyPath addresses a value in the file: map keys and sequence indexes. */
export type KeyPath = readonly PropertyKey[];

/** ConfigIssue is one problem in a config file; line and column are 1-based. */
export interface ConfigIssue {
  file: string;
  line: number;
  column: number;
  /** Key path as text, e.g. `agents[0].items[1].kind`; empty for YAML syntax errors. */
  path: string;
  message: string;
}

/** ConfigError is a config file that cannot be used; `issues` holds every problem found, in file order. */
export class ConfigError extends LifeboatError {
  readonly issues: ConfigIssue[];
  constructor(issues: ConfigIssue[]) {
    const first = issues[0];
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
    super(first ? `${formatIssue(first)}${more}` : "invalid configuration", {
      hint: `${issues.length > 1 ? "`lifeboat doctor` lists every problem; " : ""}the file format is described in docs/config.md`,
    });
    this.name = "ConfigError";
    this.issues = issues;
  }
}

/** formatIssue renders `file:line:col: path: message`. */
export function formatIssue(i: ConfigIssue): string {
  return `${i.file}:${i.line}:${i.column}: ${i.path === "" ? "" : `${i.path}: `}${i.message}`;
}

/** formatKeyPath renders ["agents", 0, "root"] as `agents[0].root`. */
export function formatKeyPath(path: KeyPath): string {
  let out = "";
  for (const seg of path) out += typeof seg === "number" ? `[${seg}]` : `${out === "" ? "" : "."}${String(seg)}`;
  return out;
}

/**
 * SourceMap locates key paths in a parsed document. A path that does not exist (a missing
 * key) resolves to the deepest node that does, so the line still points at the right map.
 */
export class SourceMap {
  readonly file: string;
  readonly #doc: Document;
  readonly #lines: LineCounter;
  constructor(file: string, doc: Document, lines: LineCounter) {
    this.file = file;
    this.#doc = doc;
    this.#lines = lines;
  }

  /** issue builds an issue at `path`; `atKey` points at the last key rather than its value. */
  issue(path: KeyPath, message: string, atKey = false): ConfigIssue {
    const { line, col } = this.#lines.linePos(this.#offset(path, atKey));
    return { file: this.file, line, column: col, path: formatKeyPath(path), message };
  }

  #offset(path: KeyPath, atKey: boolean): number {
    let node: unknown = this.#doc.contents;
    let pos = rangeStart(node) ?? 0;
    for (const [i, seg] of path.entries()) {
      if (isMap(node)) {
        const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(seg));
        if (!pair) break;
        const keyPos = rangeStart(pair.key);
        // `key:` with nothing after it has no value node, or an empty one: point at the key.
        const empty = pair.value === null || (isScalar(pair.value) && pair.value.range?.[0] === pair.value.range?.[1]);
        if ((atKey && i === path.length - 1) || empty) return keyPos ?? pos;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === "number" && node.items[seg] !== undefined) {
        node = node.items[seg];
      } else break;
      pos = rangeStart(node) ?? pos;
    }
    return pos;
  }

  /** fromYamlError turns a yaml parse error into an issue (its first line, without the position suffix). */
  fromYamlError(err: YAMLError): ConfigIssue {
    const { line, col } = this.#lines.linePos(err.pos[0]);
    const message = (err.message.split("\n")[0] ?? err.code).replace(/ at line \d+, column \d+:?$/, "");
    return { file: this.file, line, column: col, path: "", message: `YAML syntax: ${message}` };
  }

  /** fromZod turns schema violations into issues; unknown keys get one issue each, at the key. */
  fromZod(error: z.ZodError, data: unknown): ConfigIssue[] {
    const out: ConfigIssue[] = [];
    for (const iss of error.issues) {
      if (iss.code === "unrecognized_keys") {
        for (const key of iss.keys) out.push(this.issue([...iss.path, key], unknownKey(key), true));
        continue;
      }
      const value = valueAt(data, iss.path);
      // A bare number for a duration is the likeliest slip (`timeout: 60`): say what is meant.
      const duration = iss.code === "invalid_type" && iss.path.at(-1) === "timeout" && typeof value === "number";
      out.push(this.issue(iss.path, duration ? `expected a duration with a unit, such as ${value}s` : describeIssue(iss, value)));
    }
    return out;
  }
}

/** sortIssues orders issues as they appear in the file, so the first reported is the first to fix. */
export function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  return issues.sort((a, b) => a.line - b.line || a.column - b.column);
}

function rangeStart(node: unknown): number | undefined {
  return (node as { range?: [number, number, number] } | null)?.range?.[0];
}

function valueAt(data: unknown, path: KeyPath): unknown {
  let v = data;
  for (const seg of path) v = v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[seg] : undefined;
  return v;
}

function describeIssue(iss: z.core.$ZodIssue, value: unknown): string {
  switch (iss.code) {
    case "invalid_type":
      if (value === undefined) return "missing required key";
      if (iss.path.length === 0) return `expected a mapping with repository: and agents:, got ${valueName(value)}`;
      return `expected ${typeName(iss.expected)}, got ${valueName(value)}`;
    case "invalid_value":
      return `expected one of ${iss.values.map(String).join("|")}`;
    case "invalid_union": {
      const options = (iss as { options?: unknown[] }).options;
      if (!options) return value === undefined ? "missing required key" : iss.message;
      return `${value === undefined ? "missing; " : ""}expected one of ${options.map(String).join("|")}`;
    }
    default:
      return iss.message;
  }
}

function valueName(value: unknown): string {
  return value === null ? "an empty value" : typeName(Array.isArray(value) ? "array" : typeof value);
}

function typeName(t: string): string {
  return t === "object" ? "a mapping" : t === "array" ? "a list" : t;
}

// Every key the schema knows, for "did you mean" on a typo.
const KNOWN_KEYS = collectKeys(ConfigFileSchema, new Set<string>());

function collectKeys(schema: z.core.$ZodType, into: Set<string>): Set<string> {
  if (schema instanceof z.ZodObject) {
    for (const [k, v] of Object.entries(schema.shape)) {
      into.add(k);
      collectKeys(v as z.core.$ZodType, into);
    }
  } else if (schema instanceof z.ZodArray) collectKeys(schema.element, into);
  else if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable) collectKeys(schema.unwrap(), into);
  else if (schema instanceof z.ZodUnion) for (const o of schema.options) collectKeys(o, into);
  return into;
}

function unknownKey(key: string): string {
  let best: string | undefined;
  let bestDist = 3; // more than two edits away is not a typo
  for (const k of KNOWN_KEYS) {
    const d = editDistance(key.toLowerCase(), k);
    if (d < bestDist) [best, bestDist] = [k, d];
  }
  return best ? `unknown key (did you mean ${best}?)` : "unknown key";
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
