/**
 * @module state/state
 * setState and appendState: read-modify-write of a JSON state file under its lock, written
 * atomically. Two writers never lose each other's change, and a crash never leaves a torn or
 * empty file: readers see the old document or the new one.
 */
import { readFile, realpath } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { LifeboatError } from "../errors/index.ts";
import { removeTemps, writeAtomic } from "./atomic.ts";
import { withFileLock, type LockOptions } from "./lock.ts";
import { appendAt, isObject, setAt, type JsonObject } from "./path.ts";

export type StateOptions = LockOptions;

export interface StateResult {
  /** The file written (symbolic links resolved). */
  file: string;
  key: string;
  value: unknown;
  /** appendState: the array's length after the append. */
  length?: number;
  /** Temporary files of a crashed writer that were removed. */
  cleaned: number;
}

/** setState stores `value` at the dotted `key` of the JSON object in `file` (created when missing). */
export function setState(file: string, key: string, value: unknown, opts: StateOptions = {}): Promise<StateResult> {
  return update(file, opts, (doc) => {
    setAt(doc, key, value);
    return { key, value };
  });
}

/** appendState appends `value` to the array at `key` (created when missing). */
export function appendState(file: string, key: string, value: unknown, opts: StateOptions = {}): Promise<StateResult> {
  return update(file, opts, (doc) => ({ key, value, length: appendAt(doc, key, value) }));
}

/** readState returns the document in `file`, `{}` when the file is missing or blank. */
export async function readState(file: string, signal?: AbortSignal): Promise<JsonObject> {
  let text: string;
  try {
    text = await readFile(file, { encoding: "utf8", signal });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new LifeboatError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
  text = text.replace(/^\uFEFF/, "");
  if (text.trim() === "") return {};
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (cause) {
    throw new LifeboatError(`${file} is not valid JSON: ${(cause as Error).message}`, { hint: "fix or move the file; lifeboat never overwrites a document it cannot read", cause });
  }
  if (!isObject(doc)) throw new LifeboatError(`${file} holds ${Array.isArray(doc) ? "an array" : "a " + typeof doc}, not a JSON object`, { hint: "state files are objects; choose another file with --file" });
  return doc;
}

/** FORMAT: what every write produces, so diffs of the file stay line-based and stable. */
export function formatState(doc: JsonObject): string {
  return JSON.stringify(doc, null, 2) + "\n";
}

async function update(file: string, opts: StateOptions, change: (doc: JsonObject) => Omit<StateResult, "file" | "cleaned">): Promise<StateResult> {
  const real = await resolveFile(file);
  return withFileLock(real, opts, async (brokeStale) => {
    // Only after a crash can temporaries exist; holding the lock, none is being written.
    const cleaned = brokeStale ? await removeTemps(real) : 0;
    const doc = await readState(real, opts.signal);
    const res = change(doc);
    await writeAtomic(real, formatState(doc), opts.signal);
    return { file: real, cleaned, ...res };
  });
}

/** resolveFile follows a symbolic link (so the rename replaces its target, not the link) and checks the folder. */
async function resolveFile(file: string): Promise<string> {
  try {
    return await realpath(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  try {
    return join(await realpath(dirname(file)), basename(file));
  } catch (cause) {
    throw new LifeboatError(`folder ${dirname(file)} does not exist`, { hint: "create it, or pass --file with an existing folder", cause });
  }
}
