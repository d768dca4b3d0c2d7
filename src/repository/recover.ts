/**
 * @module repository/recover
 * Finds packs that no index lists (left by a killed backup) and indexes them from their
 * own headers, so their blobs are reused instead of uploaded again. Also the core of
 * `lifeboat repair index`.
 */
import type { Repository } from "./repository.ts";
import { decodeHeader, headerLength, type LocatedBlob } from "./pack/format.ts";
import { IntegrityError } from "../errors/index.ts";

/** readPackHeader loads and opens the header at the end of a pack. */
export async function readPackHeader(repo: Repository, packId: string, size: number, signal?: AbortSignal): Promise<LocatedBlob[]> {
  const be = repo.backend;
  const h = { type: "pack", name: packId } as const;
  try {
    const trailer = await be.load(h, { offset: size - 4, length: 4 }, { signal });
    const len = headerLength(trailer);
    if (len + 4 > size) throw new Error(`header length ${len} exceeds pack size ${size}`);
    const sealed = await be.load(h, { offset: size - 4 - len, length: len }, { signal });
    return checkedHeader(repo.key.data, sealed, size - 4 - len);
  } catch (cause) {
    if (be.isNotFound(cause)) throw cause;
    throw new IntegrityError(`pack ${packId}`, "header is damaged", cause);
  }
}

/**
 * headerOfPack opens the header of a pack already read in full (repair, which needs every
 * byte anyway). Throws a plain Error saying what is wrong; the caller names the pack.
 */
export function headerOfPack(dataKey: Uint8Array, bytes: Uint8Array): LocatedBlob[] {
  if (bytes.length < 4) throw new Error(`pack of ${bytes.length} bytes has no header`);
  const len = headerLength(bytes);
  if (len + 4 > bytes.length) throw new Error(`header length ${len} exceeds pack size ${bytes.length}`);
  const start = bytes.length - 4 - len;
  return checkedHeader(dataKey, bytes.subarray(start, bytes.length - 4), start);
}

/** checkedHeader decodes a sealed header and checks its blobs end exactly where it starts. */
function checkedHeader(dataKey: Uint8Array, sealed: Uint8Array, headerStart: number): LocatedBlob[] {
  const blobs = decodeHeader(dataKey, sealed);
  const end = blobs.reduce((n, b) => Math.max(n, b.offset + b.length), 0);
  if (end !== headerStart) throw new Error("blobs do not fill the pack up to its header");
  return blobs;
}

export interface RecoverResult {
  packs: number;
  blobs: number;
  damaged: IntegrityError[];
}

/**
 * indexOrphanPacks adds every pack missing from the loaded index to it. Call after
 * loadIndex. With `write` (the default) it also stores an index object for them; a
 * read-only caller (restore from a repository with a damaged index) passes false.
 */
export async function indexOrphanPacks(repo: Repository, signal?: AbortSignal, write = true): Promise<RecoverResult> {
  const found: [string, LocatedBlob[]][] = [];
  const damaged: IntegrityError[] = [];
  for await (const fi of repo.backend.list("pack", { signal })) {
    if (repo.index.packs.has(fi.name)) continue;
    try {
      found.push([fi.name, await readPackHeader(repo, fi.name, fi.size, signal)]);
    } catch (err) {
      if (repo.backend.isNotFound(err)) continue;
      if (!(err instanceof IntegrityError)) throw err;
      damaged.push(err);
    }
  }
  for (const [id, blobs] of found) repo.index.addPack(id, blobs);
  if (write && found.length > 0) await repo.writeIndex(found, undefined, signal);
  return { packs: found.length, blobs: found.reduce((n, [, b]) => n + b.length, 0), damaged };
}
