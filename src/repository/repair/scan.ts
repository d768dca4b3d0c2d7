/**
 * @module repository/repair/scan
 * Reads every pack in full, as `check --read-data` does, and sorts them into intact packs
 * (the bytes match the name, the header opens, every blob authenticates) and damaged
 * ones. For a damaged pack it works out which blobs it held (from its own header while
 * that still authenticates, else from the index objects that still load) and which of
 * those still authenticate: those can be salvaged. It never writes.
 */
import { errorMessage } from "./types.ts";
import type { LocatedBlob } from "../pack/format.ts";
import { sha256hex } from "../objects.ts";
import { headerOfPack } from "../recover.ts";
import type { Repository } from "../repository.ts";
import { entryOf, type OldIndex } from "./oldindex.ts";

/** BrokenBlob is a blob of a damaged pack that no longer authenticates. */
export interface BrokenBlob {
  blob: LocatedBlob;
  reason: string;
}

export interface DamagedPack {
  id: string;
  /** SHA-256 of the bytes read: a second read must give the same before the pack is removed. */
  digest: string;
  /** Why the pack counts as damaged (the first problem found). */
  problem: string;
  /** Where its blob list came from: its own header, the index, or nowhere (every blob unknown). */
  listFrom: "header" | "index" | "none";
  intact: LocatedBlob[];
  broken: BrokenBlob[];
}

export interface PackScan {
  /** Intact packs and their blobs, from their headers. */
  good: Map<string, LocatedBlob[]>;
  damaged: DamagedPack[];
}

export interface ScanOptions {
  signal?: AbortSignal | undefined;
  onPack?(done: number, total: number): void;
}

/** scanPacks reads and verifies every pack in the repository. */
export async function scanPacks(repo: Repository, old: OldIndex, opts: ScanOptions = {}): Promise<PackScan> {
  const sizes = new Map<string, number>();
  for await (const fi of repo.backend.list("pack", { signal: opts.signal })) sizes.set(fi.name, fi.size);
  const scan: PackScan = { good: new Map(), damaged: [] };
  let done = 0;
  for (const [id, size] of sizes) {
    const bytes = await readPack(repo, id, size, opts.signal);
    if (bytes === null) continue; // removed while we listed
    const result = await inspectPack(repo, id, bytes, old.byPack.get(id));
    if ("good" in result) scan.good.set(id, result.good);
    else scan.damaged.push(result);
    opts.onPack?.(++done, sizes.size);
  }
  return scan;
}

/**
 * readPack loads a whole pack. A read shorter than the listed size is a failed transfer,
 * not damage: repair removes damaged packs, so it must never mistake one for the other.
 */
export async function readPack(repo: Repository, id: string, size: number | undefined, signal?: AbortSignal): Promise<Buffer | null> {
  let bytes: Buffer;
  try {
    bytes = Buffer.from(await repo.backend.load({ type: "pack", name: id }, undefined, { signal }));
  } catch (err) {
    if (repo.backend.isNotFound(err)) return null;
    throw new Error(`read pack ${id}`, { cause: err });
  }
  if (size !== undefined && bytes.length !== size) throw new Error(`read pack ${id}: got ${bytes.length} of its ${size} bytes`);
  return bytes;
}

/** inspectPack verifies one pack read in full. */
export async function inspectPack(repo: Repository, id: string, bytes: Buffer, listed: LocatedBlob[] | undefined): Promise<{ good: LocatedBlob[] } | DamagedPack> {
  const problems: string[] = [];
  const digest = sha256hex(bytes);
  if (digest !== id) problems.push("stored bytes do not match their name");
  let blobs: LocatedBlob[] | undefined;
  let listFrom: DamagedPack["listFrom"] = "header";
  try {
    blobs = headerOfPack(repo.key.data, bytes);
  } catch (err) {
    problems.push(`header is damaged (${errorMessage(err)})`);
    blobs = listed;
    listFrom = listed ? "index" : "none";
  }
  const intact: LocatedBlob[] = [];
  const broken: BrokenBlob[] = [];
  for (const b of blobs ?? []) {
    const reason = await blobProblem(repo, id, b, bytes);
    if (reason === null) intact.push(b);
    else broken.push({ blob: b, reason });
  }
  if (problems.length === 0 && broken.length === 0) return { good: intact };
  return { id, digest, problem: problems[0] ?? `${broken.length} blob(s) do not authenticate`, listFrom, intact, broken };
}

/** blobProblem authenticates one blob in place; null when it is intact. */
async function blobProblem(repo: Repository, packId: string, b: LocatedBlob, bytes: Buffer): Promise<string | null> {
  if (b.offset + b.length > bytes.length) return "lies beyond the end of the pack";
  try {
    await repo.decodeBlob(b.id, entryOf(packId, b), bytes.subarray(b.offset, b.offset + b.length));
    return null;
  } catch (err) {
    return errorMessage(err).replace(`pack ${packId}: `, "");
  }
}
