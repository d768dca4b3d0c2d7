/**
 * @module check/readdata
 * `check --read-data`: downloads packs, checks each against its SHA-256 name, opens its
 * header and compares it with the index, and authenticates and re-hashes every blob.
 */
import { createHash, randomInt } from "node:crypto";
import type { Repository } from "../repository/repository.ts";
import { decodeHeader, headerLength } from "../repository/pack/format.ts";
import type { Finding } from "./check.ts";
import type { IndexEntry } from "../repository/index/indexfile.ts";

/** Subset selects part of the packs: a percentage (random), or slice n of t (stable). */
export type Subset = { percent: number } | { n: number; t: number };

/** parseSubset reads "10%" or "2/5". */
export function parseSubset(s: string): Subset {
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(s);
  if (pct && Number(pct[1]) > 0 && Number(pct[1]) <= 100) return { percent: Number(pct[1]) };
  const nt = /^(\d+)\/(\d+)$/.exec(s);
  if (nt && Number(nt[1]) >= 1 && Number(nt[1]) <= Number(nt[2])) return { n: Number(nt[1]), t: Number(nt[2]) };
  throw new Error(`invalid subset "${s}": use a percentage like 10% or a slice like 2/5`);
}

export function selectPacks(packs: string[], subset?: Subset): string[] {
  if (!subset) return packs;
  if ("percent" in subset) {
    const want = Math.max(1, Math.ceil((packs.length * subset.percent) / 100));
    const pool = [...packs];
    for (let i = pool.length - 1; i > 0; i--) {
      const j = randomInt(i + 1);
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    }
    return pool.slice(0, Math.min(want, pool.length)).sort();
  }
  // Slice by the first byte of the id, so slices 1/t..t/t cover every pack exactly once.
  return packs.filter((p) => parseInt(p.slice(0, 2), 16) % subset.t === subset.n - 1);
}

/** readPacks verifies the given packs and returns how many blobs were read. */
export async function readPacks(repo: Repository, packs: string[], errors: Finding[], signal?: AbortSignal, onPack?: (done: number, total: number) => void): Promise<number> {
  const byPack = new Map<string, [string, IndexEntry][]>();
  for (const [id, e] of repo.index.blobs) {
    const list = byPack.get(e.packId) ?? [];
    list.push([id, e]);
    byPack.set(e.packId, list);
  }
  let blobs = 0;
  for (const [i, packId] of packs.entries()) {
    blobs += await readPack(repo, packId, byPack.get(packId) ?? [], errors, signal);
    onPack?.(i + 1, packs.length);
  }
  return blobs;
}

async function readPack(repo: Repository, packId: string, entries: [string, IndexEntry][], errors: Finding[], signal?: AbortSignal): Promise<number> {
  const object = `pack ${packId}`;
  const bytes = Buffer.from(await repo.backend.load({ type: "pack", name: packId }, undefined, { signal }));
  if (createHash("sha256").update(bytes).digest("hex") !== packId) {
    errors.push({ object, message: "stored bytes do not match their name (damaged)" });
  }
  try {
    const len = headerLength(bytes);
    const header = decodeHeader(repo.key.data, bytes.subarray(bytes.length - 4 - len, bytes.length - 4));
    const inHeader = new Set(header.map((b) => `${b.id}@${b.offset}`));
    for (const [id, e] of entries) {
      if (!inHeader.has(`${id}@${e.offset}`)) errors.push({ object, message: `index lists blob ${id.slice(0, 8)} that the pack header does not` });
    }
  } catch (err) {
    errors.push({ object, message: `header is damaged: ${(err as Error).message}` });
  }
  for (const [id, e] of entries) {
    try {
      await repo.decodeBlob(id, e, bytes.subarray(e.offset, e.offset + e.length));
    } catch (err) {
      errors.push({ object, message: `blob ${id.slice(0, 8)}: ${(err as Error).message.replace(`${object}: `, "")}` });
    }
  }
  return entries.length;
}
