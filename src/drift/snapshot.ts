/**
 * @module drift/snapshot
 * An agent snapshot as one side of a drift comparison, read from trees and the manifest
 * only (sizes from nodes, sha256 and row counts from the manifest): no file content is
 * loaded until a diff needs it. Only what the live scan can see is taken (files and secret
 * items, SQLite row counts), so a command's output or a PostgreSQL dump is never "removed".
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import type { AgentManifest } from "../model/agent.ts";
import type { Node, Snapshot, Tree } from "../model/index.ts";
import { displayPath } from "./live.ts";
import type { AgentState, TableEntry } from "./types.ts";

/** SnapshotReader is the slice of the repository drift reads. */
export interface SnapshotReader {
  loadTree(id: string, signal?: AbortSignal): Promise<Tree>;
  loadBlob(id: string, signal?: AbortSignal): Promise<Uint8Array>;
}

/**
 * stateFromSnapshot describes `snapshot` as an agent state. Paths are shown relative to
 * `agentRoot`; a snapshot taken under another root (a restore elsewhere) is rebased from
 * the root its manifest names, so it still lines up with the live agent.
 */
export async function stateFromSnapshot(repo: SnapshotReader, snapshot: Snapshot, agentRoot: string, signal?: AbortSignal): Promise<AgentState> {
  const m = snapshot.manifest;
  if (m === undefined) throw new Error(`snapshot ${snapshot.id ?? "?"} is not an agent snapshot (no manifest)`);
  const state: AgentState = { files: new Map(), databases: new Map() };
  const items = new Map((await repo.loadTree(snapshot.tree, signal)).nodes.map((n) => [n.name, n]));
  for (const item of m.items) {
    if (item.kind === "sqlite" && item.rowCounts) state.databases.set(item.name, { ...item.rowCounts });
    if (item.kind !== "files" && item.kind !== "secret") continue;
    const top = await topNode(repo, items.get(item.name), signal);
    if (top === undefined) continue;
    const show = (rel: string) => rebase(rel === "" ? item.source : join(item.source, rel), m, agentRoot);
    const add = (n: Node, rel: string, key: string) => {
      const sha256 = item.sha256[key];
      const path = show(rel);
      // First item wins where items overlap, as in the live scan.
      if (sha256 !== undefined && !state.files.has(path)) state.files.set(path, { item: item.name, rel: key, sha256, size: n.size, ...(snapshot.id ? { snapshot: snapshot.id } : {}) });
    };
    if (top.type === "file") add(top, "", top.name);
    else if (top.type === "dir") await walk(repo, top, "", add, signal);
  }
  return state;
}

async function topNode(repo: SnapshotReader, folder: Node | undefined, signal?: AbortSignal): Promise<Node | undefined> {
  if (folder?.subtree === undefined) return undefined;
  return (await repo.loadTree(folder.subtree, signal)).nodes[0];
}

async function walk(repo: SnapshotReader, dir: Node, prefix: string, add: (n: Node, rel: string, key: string) => void, signal?: AbortSignal): Promise<void> {
  if (dir.subtree === undefined) return;
  for (const n of (await repo.loadTree(dir.subtree, signal)).nodes) {
    const rel = prefix === "" ? n.name : `${prefix}/${n.name}`;
    if (n.type === "file") add(n, rel, rel);
    else if (n.type === "dir") await walk(repo, n, rel, add, signal);
  }
}

function rebase(abs: string, m: AgentManifest, agentRoot: string): string {
  const shown = displayPath(abs, m.root);
  return shown === abs ? displayPath(abs, agentRoot) : shown;
}

/**
 * readSnapshotFile returns one file's content from the snapshot whose root tree is `tree`,
 * verified against the entry's sha256. A file larger than `maxBytes` is a RangeError: a
 * diff caller checks the size first.
 */
export async function readSnapshotFile(repo: SnapshotReader, tree: string, entry: TableEntry, maxBytes: number, signal?: AbortSignal): Promise<Buffer> {
  const node = await findEntry(repo, tree, entry, signal);
  if (node === undefined) throw new Error(`snapshot tree ${tree.slice(0, 8)} has no file ${entry.rel} in item ${entry.item}`);
  if (node.size > maxBytes) throw new RangeError(`${entry.rel} is ${node.size} bytes, over the ${maxBytes}-byte limit`);
  const parts: Uint8Array[] = [];
  for (const id of node.content ?? []) parts.push(await repo.loadBlob(id, signal));
  const content = Buffer.concat(parts);
  const sha = createHash("sha256").update(content).digest("hex");
  if (sha !== entry.sha256) throw new Error(`item ${entry.item}: ${entry.rel} does not match its manifest sha256: the repository may be damaged (run \`lifeboat check --read-data\`)`);
  return content;
}

async function findEntry(repo: SnapshotReader, tree: string, entry: TableEntry, signal?: AbortSignal): Promise<Node | undefined> {
  const folder = (await repo.loadTree(tree, signal)).nodes.find((n) => n.name === entry.item);
  const top = await topNode(repo, folder, signal);
  if (top?.type === "file") return top.name === entry.rel ? top : undefined;
  let node = top;
  for (const part of entry.rel.split("/")) {
    if (node?.type !== "dir" || node.subtree === undefined) return undefined;
    node = (await repo.loadTree(node.subtree, signal)).nodes.find((n) => n.name === part);
  }
  return node?.type === "file" ? node : undefined;
}
