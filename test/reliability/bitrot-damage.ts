/**
 * @module test/reliability/bitrot-damage
 * One trial's damage and what it must cost: a random object of the repository (weighted so
 * keys, records and config get their share beside the many packs), 1..8 distinct random
 * bytes of it XORed with random non-zero values, and the loss expected from the pristine
 * layout alone: a flipped byte inside a blob's stored range loses that blob (AES-GCM), a
 * flip in a pack's header or trailer loses nothing (the index still lists its blobs), and a
 * snapshot loses exactly the files needing a lost blob and the folders whose tree is lost.
 */
import { open, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { pick } from "./record.ts";
import type { PathNode, SnapshotLayout, World } from "./bitrot-world.ts";

export type Kind = "pack" | "index" | "snapshot" | "record" | "key" | "config";

export interface Damage {
  kind: Kind;
  /** The object's name ("config" for the config). */
  id: string;
  file: string;
  offsets: number[];
}

export interface Expected {
  damagedPacks: string[];
  lostBlobs: string[];
  /** Snapshot id → its lost paths ("/" when its root tree is lost), only for snapshots that lose something. */
  snapshots: Map<string, string[]>;
  damagedIndex: string[];
  damagedSnapshots: string[];
  damagedRecords: string[];
  damagedKeys: string[];
}

const KINDS: [Kind, number][] = [["pack", 0.45], ["index", 0.12], ["snapshot", 0.13], ["record", 0.1], ["key", 0.1], ["config", 0.1]];
const FOLDERS: Record<Exclude<Kind, "config">, string> = { pack: "data", index: "index", snapshot: "snapshots", record: "records", key: "keys" };
export const MAX_FLIPS = 8;

/** damage picks an object of the repository at `repo` and flips bytes in it. */
export async function damage(repo: string, r: () => number): Promise<Damage> {
  let x = r();
  const kind = KINDS.find(([, w]) => (x -= w) < 0)?.[0] ?? "pack";
  const file = kind === "config" ? join(repo, "config") : await pickFile(join(repo, FOLDERS[kind]), r);
  const size = (await stat(file)).size;
  const offsets = new Set<number>();
  const want = Math.min(size, 1 + pick(r, MAX_FLIPS));
  while (offsets.size < want) offsets.add(pick(r, size));
  const fh = await open(file, "r+");
  try {
    for (const at of offsets) {
      const b = Buffer.alloc(1);
      await fh.read(b, 0, 1, at);
      b[0] = b[0]! ^ (1 + pick(r, 255));
      await fh.write(b, 0, 1, at);
    }
  } finally {
    await fh.close();
  }
  return { kind, id: file.slice(file.lastIndexOf("/") + 1), file, offsets: [...offsets].sort((a, b) => a - b) };
}

async function pickFile(dir: string, r: () => number): Promise<string> {
  const all = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)).sort();
  if (all.length === 0) throw new Error(`no objects in ${dir}`);
  return all[pick(r, all.length)]!;
}

/** expected derives what repair must report from the damage and the pristine layout. */
export function expected(w: World, d: Damage): Expected {
  const e: Expected = { damagedPacks: [], lostBlobs: [], snapshots: new Map(), damagedIndex: [], damagedSnapshots: [], damagedRecords: [], damagedKeys: [] };
  if (d.kind === "index") e.damagedIndex.push(d.id);
  if (d.kind === "snapshot") e.damagedSnapshots.push(d.id);
  if (d.kind === "record") e.damagedRecords.push(d.id);
  if (d.kind === "key") e.damagedKeys.push(d.id);
  if (d.kind !== "pack") return e;
  e.damagedPacks.push(d.id);
  const elsewhere = new Set<string>();
  for (const [id, blobs] of w.packs) if (id !== d.id) for (const b of blobs) elsewhere.add(b.id);
  const hit = w.packs.get(d.id)!.filter((b) => d.offsets.some((o) => o >= b.offset && o < b.offset + b.length) && !elsewhere.has(b.id));
  const lost = new Set(hit.map((b) => b.id));
  e.lostBlobs = [...lost].sort();
  for (const sn of w.snapshots) {
    const paths = lostPaths(sn, lost);
    if (paths.length > 0) e.snapshots.set(sn.id, paths);
  }
  return e;
}

/** lostPaths: files needing a lost blob, folders whose tree is lost (nothing below them listed). */
export function lostPaths(sn: SnapshotLayout, lost: Set<string>): string[] {
  if (lost.has(sn.tree)) return ["/"];
  const out: string[] = [];
  const walk = (nodes: PathNode[]) => {
    for (const n of nodes) {
      if (n.subtree !== undefined) {
        if (lost.has(n.subtree)) out.push(n.path);
        else walk(n.children);
      } else if (n.blobs.some((b) => lost.has(b))) out.push(n.path);
    }
  };
  walk(sn.nodes);
  return out.sort();
}

export function describe(d: Damage): string {
  return `${d.kind} ${d.id.slice(0, 12)}, ${d.offsets.length} byte(s) at ${d.offsets.join(",")}`;
}
