/**
 * @module test/reliability/fuzz-shapes
 * What a parser may hand back: the shapes of index entries, snapshots, tree nodes, signed
 * records, key files and pack header entries, written from docs/design.md rather than from
 * the code under test. Each returns why a value is not valid, or null.
 */
import type { IndexEntry } from "../../src/repository/index/indexfile.ts";

const HEX64 = /^[0-9a-f]{64}$/;
const isStr = (v: unknown): v is string => typeof v === "string";
const isNat = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const strArray = (v: unknown): boolean => Array.isArray(v) && v.every(isStr);
const hexArray = (v: unknown): boolean => Array.isArray(v) && v.every((x) => isStr(x) && HEX64.test(x));

/** firstBad returns the first failing rule's name. */
function firstBad(rules: [string, boolean][]): string | null {
  return rules.find(([, ok]) => !ok)?.[0] ?? null;
}

export function badIndexEntry(id: string, e: IndexEntry): string | null {
  const why = firstBad([
    ["id", HEX64.test(id)], ["packId", isStr(e.packId) && HEX64.test(e.packId)], ["type", e.type === "data" || e.type === "tree"],
    ["offset", isNat(e.offset)], ["length", isNat(e.length)], ["rawLength", isNat(e.rawLength)], ["compressed", typeof e.compressed === "boolean"],
  ]);
  return why && `index entry ${id.slice(0, 12)}: ${why}`;
}

export function badPackEntries(blobs: unknown): string | null {
  if (!Array.isArray(blobs)) return "not an array";
  let offset = 0;
  for (const [i, b] of blobs.entries()) {
    const why = firstBad([
      ["object", isObj(b)], ["id", isStr(b.id) && HEX64.test(b.id)], ["type", b.type === "data" || b.type === "tree"],
      ["length", isNat(b.length)], ["rawLength", isNat(b.rawLength)], ["compressed", typeof b.compressed === "boolean"], ["offset", b.offset === offset],
    ]);
    if (why) return `entry ${i}: ${why}`;
    offset += b.length as number;
  }
  return null;
}

/** badSnapshot: docs/design.md §4 and src/model Snapshot; paths are absolute. */
export function badSnapshot(s: unknown): string | null {
  if (!isObj(s)) return "not an object";
  const summary = s.summary;
  const why = firstBad([
    ["time", isStr(s.time) && Number.isFinite(Date.parse(s.time))], ["host", isStr(s.host)], ["username", isStr(s.username)],
    ["paths", strArray(s.paths) && (s.paths as string[]).every((p) => p.startsWith("/"))], ["tags", strArray(s.tags)],
    ["tree", isStr(s.tree) && HEX64.test(s.tree)], ["parent", s.parent === undefined || isStr(s.parent)],
    ["agent", s.agent === undefined || isStr(s.agent)], ["toolVersion", s.toolVersion === undefined || isStr(s.toolVersion)], ["chunkers", s.chunkers === undefined || isObj(s.chunkers)],
    ["summary", isObj(summary) && Object.values(summary).every((v) => typeof v === "number")],
    ["manifest", s.manifest === undefined || badManifest(s.manifest) === null],
  ]);
  return why && (why === "manifest" ? `manifest: ${badManifest(s.manifest)}` : why);
}

function badManifest(m: unknown): string | null {
  if (!isObj(m)) return "not an object";
  if (!Array.isArray(m.items)) return "items";
  for (const [i, it] of m.items.entries()) {
    const why = isObj(it) ? firstBad([["name", isStr(it.name)], ["kind", isStr(it.kind)], ["class", isStr(it.class)], ["source", isStr(it.source)], ["sha256", isObj(it.sha256)]]) : "object";
    if (why) return `items[${i}].${why}`;
  }
  return firstBad([["agent", isStr(m.agent)], ["root", isStr(m.root)], ["skipped", Array.isArray(m.skipped)], ["notCovered", strArray(m.notCovered)]]);
}

/** badNode: a name restore can join below a target (no separators, not . or ..), and typed fields. */
export function badNode(n: unknown): string | null {
  if (!isObj(n)) return "node is not an object";
  const name = n.name;
  return firstBad([
    ["name", isStr(name) && name !== "" && name !== "." && name !== ".." && !name.includes("/") && !name.includes("\0")],
    ["type", n.type === "file" || n.type === "dir" || n.type === "symlink"],
    ["mode", isNat(n.mode)], ["uid", isNat(n.uid)], ["gid", isNat(n.gid)], ["size", isNat(n.size)],
    ["mtimeNs", isStr(n.mtimeNs)], ["ctimeNs", isStr(n.ctimeNs)], ["inode", isStr(n.inode)],
    ["content", n.content === undefined || hexArray(n.content)], ["contentLists", n.contentLists === undefined || hexArray(n.contentLists)],
    ["subtree", n.subtree === undefined || (isStr(n.subtree) && HEX64.test(n.subtree))], ["linkTarget", n.linkTarget === undefined || isStr(n.linkTarget)],
  ]);
}

export function badTree(t: unknown): string | null {
  if (!isObj(t) || !Array.isArray(t.nodes)) return "no nodes array";
  for (const [i, n] of t.nodes.entries()) {
    const why = badNode(n);
    if (why) return `nodes[${i}]: ${why}`;
  }
  return null;
}

export function badRecord(r: unknown): string | null {
  if (!isObj(r)) return "not an object";
  return firstBad([
    ["version", r.version === 1], ["kind", isStr(r.kind)], ["subject", isStr(r.subject)], ["seq", Number.isSafeInteger(r.seq) && (r.seq as number) >= 1],
    ["prev", r.prev === null || isStr(r.prev)], ["restart", r.restart === undefined || r.restart === true],
    ["time", isStr(r.time)], ["hmac", isStr(r.hmac)],
  ]);
}

export function badKeyFile(k: unknown): string | null {
  if (!isObj(k)) return "not an object";
  return firstBad([
    ["version", k.version === 1], ["kdf", k.kdf === "scrypt"], ["N", isNat(k.N)], ["r", isNat(k.r)], ["p", isNat(k.p)],
    ["salt", isStr(k.salt)], ["data", isStr(k.data)], ["created", isStr(k.created)], ["host", isStr(k.host)], ["username", isStr(k.username)],
  ]);
}
