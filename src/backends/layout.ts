/**
 * @module backends/layout
 * The repository layout every backend shares: which folder a FileType lives in, how packs
 * fan out, which names are valid, and how a LoadRange resolves against an object's size.
 * Pure functions; no I/O.
 */
import type { FileType, Handle, LoadRange } from "./backend.ts";
import { InvalidHandleError, RangeNotSatisfiableError } from "./errors.ts";

/** Every FileType, in the order `create` lays out folders. */
export const FILE_TYPES: readonly FileType[] = ["config", "key", "pack", "index", "snapshot", "lock", "record"];

/** createdOnFirstSave: folders a save creates on first use (pack fan-outs, folders newer than the repository). */
export function createdOnFirstSave(type: FileType): boolean {
  return type === "pack" || type === "record";
}

/** TYPE_DIRS maps each FileType except the root-level `config` to its folder. */
export const TYPE_DIRS: Readonly<Record<Exclude<FileType, "config">, string>> = {
  key: "keys",
  pack: "data",
  index: "index",
  snapshot: "snapshots",
  lock: "locks",
  // Signed records (drift approvals, drill results); added after format v1 shipped, so the
  // folder may be missing in an older repository: a missing folder lists as empty and the
  // first save creates it.
  record: "records",
};

/** The name of the singleton config object at the repository root. */
export const CONFIG_FILE = "config";

/** Prefix of in-progress files; list() never yields them. */
export const TEMP_PREFIX = ".tmp-";

// Lowercase hex only: names are ids, and a strict pattern rules out path traversal.
const NAME_RE = /^[0-9a-f]{2,}$/;

/** isObjectName is true for a valid non-config object name (lowercase hex, ≥ 2 chars). */
export function isObjectName(name: string): boolean {
  return NAME_RE.test(name);
}

/** checkHandle throws InvalidHandleError unless `h` names a valid object. */
export function checkHandle(h: Handle): void {
  if (h.type === "config") {
    if (h.name !== "") throw new InvalidHandleError(`config handle must have an empty name, got ${JSON.stringify(h.name)}`);
    return;
  }
  if (!Object.hasOwn(TYPE_DIRS, h.type)) throw new InvalidHandleError(`unknown file type ${JSON.stringify(h.type)}`);
  if (!isObjectName(h.name)) throw new InvalidHandleError(`invalid ${h.type} name ${JSON.stringify(h.name)}: want lowercase hex`);
}

/** dirSegments returns the folder holding objects of `h` (packs: `data/<2 hex>`); [] for config. */
export function dirSegments(h: Handle): string[] {
  if (h.type === "config") return [];
  const dir = TYPE_DIRS[h.type];
  return h.type === "pack" ? [dir, h.name.slice(0, 2)] : [dir];
}

/** objectSegments returns the path of `h` below the repository root, as segments. */
export function objectSegments(h: Handle): string[] {
  checkHandle(h);
  return h.type === "config" ? [CONFIG_FILE] : [...dirSegments(h), h.name];
}

/** ResolvedRange is the half-open byte interval [start, end) to read. */
export interface ResolvedRange {
  readonly start: number;
  readonly end: number;
}

/**
 * resolveRange applies `range` to an object of `size` bytes. A negative offset counts from
 * the end and is clamped at 0 (a trailer read of a small object gets the whole object). A
 * range reaching past the end is cut short; one starting beyond the end (or at the end with
 * a positive length) throws RangeNotSatisfiableError.
 */
export function resolveRange(size: number, range: LoadRange = {}): ResolvedRange {
  const { offset = 0, length } = range;
  if (!Number.isSafeInteger(offset)) throw new RangeNotSatisfiableError(`invalid offset ${offset}`);
  if (length !== undefined && (!Number.isSafeInteger(length) || length < 0)) {
    throw new RangeNotSatisfiableError(`invalid length ${length}`);
  }
  const start = offset < 0 ? Math.max(0, size + offset) : offset;
  if (start > size || (start === size && length !== undefined && length > 0)) {
    throw new RangeNotSatisfiableError(`range offset ${offset} is beyond the end of a ${size}-byte object`);
  }
  const end = length === undefined ? size : Math.min(size, start + length);
  return { start, end };
}

/** sameBytes compares two byte arrays for equality. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}
