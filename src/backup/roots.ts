/**
 * @module backup/roots
 * Builds the top of a snapshot tree from absolute paths: /home/a/agent becomes
 * home → a → agent, each level with its real directory metadata, so `restore --target /`
 * puts files back where they were (restic's layout).
 */
import { lstat } from "node:fs/promises";
import { parse, resolve, sep } from "node:path";
import type { Node } from "../model/index.ts";
import { baseNode, type Archiver } from "./archiver.ts";

interface Trie {
  children: Map<string, Trie>;
  /** Absolute path archived in full at this level. */
  target?: string;
}

/** normalizePaths resolves paths and drops any path inside another one. */
export function normalizePaths(paths: string[]): string[] {
  const abs = [...new Set(paths.map((p) => resolve(p)))].sort();
  return abs.filter((p) => !abs.some((q) => q !== p && (p.startsWith(q.endsWith(sep) ? q : q + sep))));
}

function buildTrie(paths: string[]): Trie {
  const root: Trie = { children: new Map() };
  for (const p of paths) {
    const parts = p.slice(parse(p).root.length).split(sep).filter(Boolean);
    let t = root;
    for (const part of parts) {
      let next = t.children.get(part);
      if (!next) t.children.set(part, (next = { children: new Map() }));
      t = next;
    }
    t.target = p;
  }
  return root;
}

/** archiveRoots archives `paths` and returns the root tree id. */
export async function archiveRoots(archiver: Archiver, paths: string[], parentRoot: Node | undefined): Promise<string> {
  const trie = buildTrie(paths);
  if (trie.target) {
    // Backing up "/" itself: its node is the root directory.
    const node = await archiver.archive(trie.target, "", parentRoot);
    if (!node?.subtree) throw new Error(`cannot read ${trie.target}`);
    return node.subtree;
  }
  return archiveLevel(archiver, trie, parse(paths[0] ?? sep).root, parentRoot);
}

async function archiveLevel(archiver: Archiver, t: Trie, dir: string, parent: Node | undefined): Promise<string> {
  const old = await archiver.parentTree(parent);
  const nodes: Node[] = [];
  for (const [name, child] of t.children) {
    const path = resolve(dir, name);
    const node = child.target
      ? await archiver.archive(path, name, old.get(name))
      : await intermediate(archiver, child, path, name, old.get(name));
    if (node) nodes.push(node);
  }
  return archiver.saveTree(nodes);
}

async function intermediate(archiver: Archiver, t: Trie, path: string, name: string, parent: Node | undefined): Promise<Node> {
  const st = await lstat(path, { bigint: true });
  return { ...baseNode(name, "dir", st), subtree: await archiveLevel(archiver, t, path, parent) };
}
