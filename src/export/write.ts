/**
 * @module export/write
 * Writes planned items into the tar: folders and links as they are, encrypted secrets from
 * memory, and every other file streamed from the repository blob by blob (each blob
 * verified by its id) with its sha256 computed on the way and checked against the snapshot.
 */
import { createHash } from "node:crypto";
import type { Node } from "../model/index.ts";
import type { Repository } from "../repository/repository.ts";
import { checkHash, type PlannedItem } from "./plan.ts";
import type { EntryHeader, TarWriter } from "./tar.ts";

/** Blobs fetched ahead of the one being written: hides a remote repository's latency. */
const READ_AHEAD = 4;

export interface WriteOptions {
  signal?: AbortSignal | undefined;
  onBytes?(n: number): void;
  onFile?(path: string): void;
}

/** writeItem adds `p` below `top/` (the archive's one top folder). */
export async function writeItem(repo: Repository, tar: TarWriter, top: string, p: PlannedItem, o: WriteOptions): Promise<void> {
  const base = `${top}/${p.item.path}`;
  await tar.dir(header(base, p.folder, p.folder.mode & 0o7777));
  for (const e of p.entries) {
    o.signal?.throwIfAborted();
    const h = header(`${base}/${e.rel}`, e.node, e.mode);
    if (e.node.type === "dir") await tar.dir(h);
    else if (e.node.type === "symlink") await tar.symlink(h, e.node.linkTarget ?? "");
    else if (e.cipher) await tar.buffer(h, e.cipher);
    else {
      const hash = createHash("sha256");
      await tar.file(h, e.node.size, tapped(readAhead(repo, e.node, o.signal), hash, o.onBytes));
      checkHash(p.item.name, e.rel, e.sha256, hash.digest("hex"));
    }
    o.onFile?.(`${p.item.name}/${e.rel}`);
  }
}

function header(name: string, n: Node, mode: number): EntryHeader {
  return { name, mode, mtime: mtimeOf(n), mtimeNs: n.mtimeNs, uid: n.uid, gid: n.gid };
}

/** mtimeOf turns the node's nanosecond time into a Date (the ustar field keeps whole seconds; PAX keeps the rest). */
export function mtimeOf(n: Node): Date {
  return new Date(Number(BigInt(n.mtimeNs) / 1_000_000n));
}

async function* tapped(src: AsyncIterable<Uint8Array>, hash: ReturnType<typeof createHash>, onBytes?: (n: number) => void): AsyncGenerator<Uint8Array> {
  for await (const b of src) {
    hash.update(b);
    onBytes?.(b.length);
    yield b;
  }
}

/**
 * readAhead yields `node`'s blobs in order while up to READ_AHEAD later ones load, so a
 * slow backend is not waited on once per blob.
 */
export async function* readAhead(repo: Repository, node: Node, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  const ids = node.content ?? [];
  const pending: Promise<Buffer>[] = [];
  let next = 0;
  const fill = () => {
    while (next < ids.length && pending.length < READ_AHEAD) {
      const p = repo.loadBlob(ids[next++]!, signal);
      p.catch(() => undefined); // awaited in order below; a later failure must not go unhandled
      pending.push(p);
    }
  };
  fill();
  while (pending.length > 0) {
    const b = await pending.shift()!;
    fill();
    yield b;
  }
}
