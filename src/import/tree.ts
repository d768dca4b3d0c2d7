/**
 * @module import/tree
 * Collects one item's nodes as the archive streams past (in any order) and saves them as
 * repository trees afterwards, bottom-up, so the item's snapshot folder looks like one
 * `lifeboat backup` wrote: the item folder holding its file, or a folder named after the
 * source holding the item's tree. Owners are the importing user's: an archive's uid/gid
 * (root, say) is never trusted.
 */
import { posix } from "node:path";
import type { Archiver } from "../backup/archiver.ts";
import type { Node } from "../model/index.ts";

export interface Meta {
  mode: number;
  mtimeNs: string;
}

const UID = process.getuid?.() ?? 0;
const GID = process.getgid?.() ?? 0;

export function fileNode(name: string, meta: Meta, size: number, content: string[]): Node {
  return { name, type: "file", mode: meta.mode, uid: UID, gid: GID, mtimeNs: meta.mtimeNs, ctimeNs: meta.mtimeNs, inode: "0", size, content };
}

export function linkNode(name: string, meta: Meta, target: string): Node {
  return { name, type: "symlink", mode: 0o777, uid: UID, gid: GID, mtimeNs: meta.mtimeNs, ctimeNs: meta.mtimeNs, inode: "0", size: 0, linkTarget: target };
}

function dirNode(name: string, meta: Meta, subtree: string): Node {
  return { name, type: "dir", mode: meta.mode | 0o700, uid: UID, gid: GID, mtimeNs: meta.mtimeNs, ctimeNs: meta.mtimeNs, inode: "0", size: 0, subtree };
}

const now = (): Meta => ({ mode: 0o700, mtimeNs: (BigInt(Date.now()) * 1_000_000n).toString() });

/** ItemTree holds an item's entries by path relative to the item's content root ("" is the root). */
export class ItemTree {
  private readonly leaves = new Map<string, Node>();
  private readonly dirs = new Map<string, Meta>();

  /** leaf adds a file or symlink node at `rel` (its name is the last segment). */
  leaf(rel: string, node: Node): void {
    this.leaves.set(rel, node);
  }

  dir(rel: string, meta: Meta): void {
    this.dirs.set(rel, meta);
  }

  /** saveFolder saves the tree below "" as a folder node called `name`. */
  async saveFolder(archiver: Archiver, name: string): Promise<Node> {
    const children = new Map<string, Set<string>>();
    const add = (rel: string) => {
      for (let p = rel; p !== ""; p = parentOf(p)) {
        const set = children.get(parentOf(p)) ?? new Set<string>();
        if (set.has(p)) break;
        set.add(p);
        children.set(parentOf(p), set);
      }
    };
    for (const rel of [...this.leaves.keys(), ...this.dirs.keys()]) if (rel !== "") add(rel);
    return this.save(archiver, "", name, children);
  }

  private async save(archiver: Archiver, rel: string, name: string, children: Map<string, Set<string>>): Promise<Node> {
    const nodes: Node[] = [];
    for (const child of children.get(rel) ?? []) {
      const leaf = this.leaves.get(child);
      nodes.push(leaf ?? (await this.save(archiver, child, posix.basename(child), children)));
    }
    return dirNode(name, this.dirs.get(rel) ?? now(), await archiver.saveTree(nodes));
  }
}

function parentOf(rel: string): string {
  const i = rel.lastIndexOf("/");
  return i < 0 ? "" : rel.slice(0, i);
}

/** itemFolder wraps an item's entry (file or folder node) in the folder named after the item. */
export async function itemFolder(archiver: Archiver, item: string, entry: Node): Promise<Node> {
  return dirNode(item, now(), await archiver.saveTree([entry]));
}
