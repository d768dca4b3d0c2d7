/**
 * @module state/path
 * Dotted keys into a JSON document: `decisions.latest` walks objects, a numeric segment
 * indexes an array that is already there (`tasks.0.done`). Missing levels are created as
 * objects. Keys that would reach an object's prototype are refused, since the document is
 * written by agents that may pass through text they were sent.
 */
import { LifeboatError } from "../errors/index.ts";

export type JsonObject = { [key: string]: unknown };

const FORBIDDEN = new Set(["__proto__", "prototype", "constructor"]);

/** parseKey splits a dotted key into segments; empty segments and prototype keys are errors. */
export function parseKey(key: string): string[] {
  const parts = key.split(".");
  if (key === "" || parts.some((p) => p === "")) {
    throw new LifeboatError(`invalid key "${key}": empty segment`, { hint: "use a dotted path such as decisions.latest" });
  }
  const bad = parts.find((p) => FORBIDDEN.has(p));
  if (bad) throw new LifeboatError(`invalid key "${key}": "${bad}" is not allowed`, { hint: "choose another name" });
  return parts;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

type Container = JsonObject | unknown[];

/** slot is where `seg` lives inside `c`: an array index, or an object key. */
function slot(c: Container, seg: string, key: string): string | number {
  if (!Array.isArray(c)) return seg;
  if (!/^\d+$/.test(seg)) throw new LifeboatError(`invalid key "${key}": "${seg}" indexes an array`, { hint: "use a number for an array position" });
  const i = Number(seg);
  if (i > c.length) throw new LifeboatError(`invalid key "${key}": index ${i} is past the end (length ${c.length})`, { hint: "use `lifeboat state append` to add to an array" });
  return i;
}

/** parentOf walks to the container holding the last segment, creating missing objects on the way. */
function parentOf(root: JsonObject, parts: string[], key: string): { c: Container; at: string | number } {
  let c: Container = root;
  for (let i = 0; i < parts.length - 1; i++) {
    const at = slot(c, parts[i]!, key);
    const next: unknown = (c as Record<string | number, unknown>)[at];
    if (next === undefined || next === null) {
      const fresh: JsonObject = {};
      (c as Record<string | number, unknown>)[at] = fresh;
      c = fresh;
    } else if (typeof next === "object") {
      c = next as Container;
    } else {
      throw new LifeboatError(`cannot set "${key}": ${parts.slice(0, i + 1).join(".")} holds a ${typeof next}, not an object`, { hint: "set that key to an object first, or choose another key" });
    }
  }
  return { c, at: slot(c, parts.at(-1)!, key) };
}

/** setAt stores `value` at the dotted `key` of `root`. */
export function setAt(root: JsonObject, key: string, value: unknown): void {
  const { c, at } = parentOf(root, parseKey(key), key);
  (c as Record<string | number, unknown>)[at] = value;
}

/** appendAt pushes `value` onto the array at `key` (created when missing) and returns its new length. */
export function appendAt(root: JsonObject, key: string, value: unknown): number {
  const { c, at } = parentOf(root, parseKey(key), key);
  const cur: unknown = (c as Record<string | number, unknown>)[at];
  if (cur === undefined || cur === null) {
    (c as Record<string | number, unknown>)[at] = [value];
    return 1;
  }
  if (!Array.isArray(cur)) {
    throw new LifeboatError(`cannot append to "${key}": it holds ${isObject(cur) ? "an object" : `a ${typeof cur}`}, not an array`, { hint: "use `lifeboat state set` to replace it" });
  }
  cur.push(value);
  return cur.length;
}

/**
 * parseValue reads a command-line VALUE: JSON when it parses (`42`, `true`, `{"a":1}`,
 * `"quoted"`), else the text itself; `asString` keeps it text whatever it looks like.
 */
export function parseValue(text: string, asString = false): unknown {
  if (asString) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
