/**
 * @module model
 * Domain types with no I/O: blob ids, tree nodes, snapshots. These are what the repository
 * stores (as encrypted JSON) and what the backup, restore, check and diff stages exchange.
 */

/** BlobId is the lowercase hex HMAC-SHA-256 of a blob's plaintext (keyed, see docs/design.md). */
export type BlobId = string;

import type { AgentManifest } from "./agent.ts";
/** BlobType: data blobs hold file content, tree blobs hold directory listings. */
export type BlobType = "data" | "tree";

export type NodeType = "file" | "dir" | "symlink";

/**
 * Node is one entry of a directory listing. Serialised with keys in this order and
 * without undefined fields, so identical directories encode to identical bytes (and dedupe).
 */
export interface Node {
  name: string;
  type: NodeType;
  /** Permission bits and setuid/setgid/sticky (mode & 0o7777). */
  mode: number;
  uid: number;
  gid: number;
  /** Times as decimal nanoseconds since the epoch (strings: they exceed 2^53). */
  mtimeNs: string;
  ctimeNs: string;
  inode: string;
  /** Byte size for files; 0 otherwise. */
  size: number;
  /** Data blob ids in order, for files. */
  content?: BlobId[];
  /**
   * Ids of tree-type blobs that each hold a part of the content list, in order; set instead
   * of `content` for files with many blobs (model/contentlist.ts). Repository.loadTree fills
   * `content` from them and keeps this field, so reachability walks see the list blobs.
   */
  contentLists?: BlobId[];
  /** Tree blob id, for directories. */
  subtree?: BlobId;
  /** Link target, for symlinks (kept as a link, never followed). */
  linkTarget?: string;
}

export interface Tree {
  nodes: Node[];
}

export interface ChunkerSpec {
  name: string;
  params: Record<string, number>;
}

export interface SnapshotSummary {
  files: number;
  dirs: number;
  /** Bytes of file content seen. */
  bytes: number;
  filesNew: number;
  filesChanged: number;
  filesUnmodified: number;
  /** Blobs and bytes (before compression) that were not already in the repository. */
  blobsNew: number;
  bytesNew: number;
  /** Bytes actually added to packs (after compression and encryption). */
  bytesStored: number;
  errors: number;
  durationMs: number;
}

/** Snapshot is the small document that makes a backup visible. Written last. */
export interface Snapshot {
  /** Storage id; filled in on load, not serialised. */
  id?: string;
  time: string;
  host: string;
  username: string;
  paths: string[];
  tags: string[];
  tree: BlobId;
  parent?: string;
  /** Agent name, set by agent backups. */
  agent?: string;
  /** What an agent backup captured, item by item (src/agent/types.ts). */
  manifest?: AgentManifest;
  toolVersion: string;
  chunkers: Record<string, ChunkerSpec>;
  summary: SnapshotSummary;
}

/** shortId is the 8-character prefix shown to users. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}

/** encodeTree serialises a tree deterministically: nodes sorted by name, fixed key order. */
export function encodeTree(tree: Tree): Uint8Array {
  const nodes = [...tree.nodes].sort((a, b) => compareNames(a.name, b.name)).map(canonicalNode);
  return Buffer.from(JSON.stringify({ nodes }) + "\n", "utf8");
}

/**
 * decodeTree parses a tree blob; it throws with a cause if the blob is not a tree or a node
 * is unusable. Every reader walks nodes without further checks (restore joins each name
 * below its target), so a malformed node must stop here (test/reliability/fuzz.test.ts).
 */
export function decodeTree(bytes: Uint8Array): Tree {
  try {
    const parsed = JSON.parse(Buffer.from(bytes).toString("utf8")) as Tree | null;
    if (!Array.isArray(parsed?.nodes)) throw new Error("missing nodes");
    parsed.nodes.forEach((n, i) => {
      const problem = nodeProblem(n);
      if (problem) throw new Error(`node ${i} ${problem}`);
    });
    return parsed;
  } catch (cause) {
    throw new Error("decode tree", { cause });
  }
}

const HEX_ID = /^[0-9a-f]{64}$/;
const NODE_TYPES: ReadonlySet<unknown> = new Set(["file", "dir", "symlink"]);
const isCount = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
const isId = (v: unknown) => typeof v === "string" && HEX_ID.test(v);
const isIdList = (v: unknown) => Array.isArray(v) && v.every(isId);

/** nodeProblem says what makes a decoded node unusable; a name must be one path segment. */
function nodeProblem(node: unknown): string | undefined {
  if (typeof node !== "object" || node === null || Array.isArray(node)) return "is not an object";
  const n = node as Record<string, unknown>;
  const name = n.name;
  if (typeof name !== "string" || name === "" || name === "." || name === ".." || /[/\0]/.test(name)) return "has no usable name";
  if (!NODE_TYPES.has(n.type)) return "has an unknown type";
  const bad = ["mode", "uid", "gid", "size"].find((k) => !isCount(n[k]))
    ?? ["mtimeNs", "ctimeNs", "inode"].find((k) => typeof n[k] !== "string" || !/^-?\d{1,30}$/.test(n[k] as string))
    ?? ["content", "contentLists"].find((k) => n[k] !== undefined && !isIdList(n[k]));
  if (bad) return `has a malformed ${bad}`;
  if (n.type === "dir" ? !isId(n.subtree) : n.subtree !== undefined) return "has a malformed subtree";
  if (n.type === "symlink" ? typeof n.linkTarget !== "string" : n.linkTarget !== undefined) return "has a malformed linkTarget";
  return undefined;
}

/** compareNames orders by UTF-8 bytes, so order never depends on the locale. */
export function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

function canonicalNode(n: Node): Node {
  const out: Node = {
    name: n.name, type: n.type, mode: n.mode, uid: n.uid, gid: n.gid,
    mtimeNs: n.mtimeNs, ctimeNs: n.ctimeNs, inode: n.inode, size: n.size,
  };
  if (n.content !== undefined) out.content = n.content;
  if (n.contentLists !== undefined) out.contentLists = n.contentLists;
  if (n.subtree !== undefined) out.subtree = n.subtree;
  if (n.linkTarget !== undefined) out.linkTarget = n.linkTarget;
  return out;
}
