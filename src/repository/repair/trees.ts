/**
 * @module repository/repair/trees
 * Walks a snapshot's trees against the blobs that are still there and finds every file
 * and folder that can no longer be restored: a file whose data or content-list blob is
 * lost, a folder whose tree blob is lost. The same walk rewrites the trees without them
 * (`repair snapshots`): a changed tree is re-encoded and handed to `idOf`, which saves it
 * or only computes its id (a report). Trees shared between snapshots are walked once.
 */
import { decodeContentList } from "../../model/contentlist.ts";
import { IntegrityError } from "../../errors/index.ts";
import { decodeTree, encodeTree, shortId, type Node } from "../../model/index.ts";
import { errorMessage, type LostPath } from "./types.ts";

/** BlobSource is where the walk reads blobs from: the index after repair, or verified pack locations. */
export interface BlobSource {
  has(id: string): boolean;
  /** load returns a verified plaintext blob; an IntegrityError when it does not authenticate or its pack is gone. */
  load(id: string, signal?: AbortSignal): Promise<Buffer>;
}

/** TreeOutcome: the tree's id after repair (the same if nothing was lost, null if the tree itself is lost). */
export interface TreeOutcome {
  id: string | null;
  /** Why the tree is lost (when id is null). */
  reason?: string;
  /** Lost entries, with paths relative to this tree ("a/b.md"). */
  lost: LostPath[];
}

export class TreeRepairer {
  private readonly trees = new Map<string, Promise<TreeOutcome>>();
  private readonly lists = new Map<string, Promise<string[] | string>>();
  private readonly src: BlobSource;
  private readonly idOf: (tree: Uint8Array) => Promise<string>;
  private readonly signal: AbortSignal | undefined;

  constructor(src: BlobSource, idOf: (tree: Uint8Array) => Promise<string>, signal?: AbortSignal) {
    this.src = src;
    this.idOf = idOf;
    this.signal = signal;
  }

  /** repair walks tree `id` once, however many snapshots share it. */
  repair(id: string): Promise<TreeOutcome> {
    let p = this.trees.get(id);
    if (!p) {
      p = this.walk(id);
      this.trees.set(id, p);
    }
    return p;
  }

  private async walk(id: string): Promise<TreeOutcome> {
    this.signal?.throwIfAborted();
    if (!this.src.has(id)) return { id: null, reason: `tree blob ${shortId(id)} is lost`, lost: [] };
    let nodes: Node[];
    try {
      nodes = decoded("tree", await this.src.load(id, this.signal), decodeTree).nodes;
    } catch (err) {
      // Only damage loses a folder: a failed read (network, abort) must stop the walk, or
      // `repair snapshots` would drop folders that are fine.
      if (!isDamage(err)) throw err;
      return { id: null, reason: `tree blob ${shortId(id)} is damaged: ${errorMessage(err)}`, lost: [] };
    }
    const lost: LostPath[] = [];
    const kept: Node[] = [];
    for (const n of nodes) {
      const keep = await this.node(n, lost);
      if (keep) kept.push(keep);
    }
    if (lost.length === 0) return { id, lost };
    return { id: await this.idOf(encodeTree({ nodes: kept })), lost };
  }

  /** node returns the node to keep (possibly with a repaired subtree), or null after recording its loss. */
  private async node(n: Node, lost: LostPath[]): Promise<Node | null> {
    if (n.type === "file") {
      const reason = await this.fileLoss(n);
      if (reason === null) return n;
      lost.push({ path: n.name, type: "file", size: n.size, reason });
      return null;
    }
    if (n.type !== "dir" || n.subtree === undefined) return n;
    const sub = await this.repair(n.subtree);
    if (sub.id === null) {
      lost.push({ path: n.name, type: "dir", reason: `${sub.reason}: everything in the folder is lost` });
      return null;
    }
    for (const l of sub.lost) lost.push({ ...l, path: `${n.name}/${l.path}` });
    return sub.id === n.subtree ? n : { ...n, subtree: sub.id };
  }

  /** fileLoss says why a file cannot be restored, or null when every blob it needs is there. */
  private async fileLoss(n: Node): Promise<string | null> {
    let content = n.content ?? [];
    if (n.contentLists !== undefined) {
      content = [];
      for (const listId of n.contentLists) {
        const ids = await this.contentList(listId);
        if (typeof ids === "string") return ids;
        content.push(...ids);
      }
    }
    const missing = content.find((id) => !this.src.has(id));
    return missing === undefined ? null : `data blob ${shortId(missing)} is lost`;
  }

  /** contentList returns a list blob's ids, or why it cannot be read. */
  private contentList(id: string): Promise<string[] | string> {
    let p = this.lists.get(id);
    if (!p) {
      p = this.readList(id);
      this.lists.set(id, p);
    }
    return p;
  }

  private async readList(id: string): Promise<string[] | string> {
    if (!this.src.has(id)) return `content list blob ${shortId(id)} is lost`;
    try {
      return decoded("content list", await this.src.load(id, this.signal), decodeContentList);
    } catch (err) {
      if (!isDamage(err)) throw err;
      return `content list blob ${shortId(id)} is damaged: ${errorMessage(err)}`;
    }
  }
}

/**
 * isDamage: the blob does not authenticate or its pack is gone (BlobSource turns both into
 * IntegrityError), or it authenticates but does not decode (DecodeError).
 */
function isDamage(err: unknown): boolean {
  return err instanceof IntegrityError || err instanceof DecodeError;
}

function decoded<T>(what: string, bytes: Buffer, decode: (b: Buffer) => T): T {
  try {
    return decode(bytes);
  } catch (cause) {
    throw new DecodeError(what, cause);
  }
}

/** DecodeError wraps a blob that authenticated but does not parse as what it should be. */
class DecodeError extends Error {
  constructor(what: string, cause: unknown) {
    super(`${what} does not decode`, { cause });
    this.name = "DecodeError";
  }
}
