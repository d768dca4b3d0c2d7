/**
 * @module restore/stream
 * Streams a stored file's content blob by blob, each verified against its id, for items
 * that are not restored as files (a PostgreSQL dump fed to psql).
 */
import type { Node } from "../model/index.ts";
import type { Repository } from "../repository/repository.ts";

export async function* nodeContent(repo: Repository, node: Node, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  for (const id of node.content ?? []) {
    signal?.throwIfAborted();
    yield await repo.loadBlob(id, signal);
  }
}

/** findNode resolves a "/"-separated path below a tree. */
export async function findNode(repo: Repository, tree: string, path: string, signal?: AbortSignal): Promise<Node | undefined> {
  let nodes = (await repo.loadTree(tree, signal)).nodes;
  const parts = path.split("/").filter(Boolean);
  for (const [i, part] of parts.entries()) {
    const n = nodes.find((x) => x.name === part);
    if (!n || i === parts.length - 1) return n;
    if (n.type !== "dir" || !n.subtree) return undefined;
    nodes = (await repo.loadTree(n.subtree, signal)).nodes;
  }
  return undefined;
}
