/**
 * @module repository/repair/_testkit
 * For the repair tests only: a small repository with two snapshots whose files lie in
 * 16 KiB packs, so one damaged pack hurts some files and not others, and tools to damage
 * it and see what changed on disk.
 */
import { randomBytes } from "node:crypto";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { backup } from "../../backup/backup.ts";
import { createTestRepo, type TestRepo } from "../../testing/repo.ts";
import { writeTree } from "../../testing/tree.ts";
import type { Repository } from "../repository.ts";
import { loadSnapshots } from "../snapshots.ts";

export interface Fixture extends TestRepo {
  src: string;
  /** Snapshot ids, oldest first. */
  snaps: string[];
  /** The data pack holding b.bin's blob (with one or two other files' blobs: 16 KiB packs, 12 KB files). */
  pack: string;
  blob: string;
  /** Where b.bin's blob starts in the pack. */
  offset: number;
  /** open opens the repository afresh; every repository opened is closed at the end. */
  open(): Promise<Repository>;
}

/** withDamageable makes two snapshots of a small tree whose big files land in packs of their own. */
export async function withDamageable(fn: (f: Fixture) => Promise<void>): Promise<void> {
  const t = await createTestRepo({ packSize: 16 * 1024 });
  const opened: Repository[] = [t.repo];
  const open = async () => {
    const repo = await t.reopen();
    opened.push(repo);
    return repo;
  };
  try {
    const src = join(t.dir, "src");
    await writeTree(src, { "a.bin": randomBytes(12_000), "b.bin": randomBytes(12_000), "note.md": "note\n", sub: { "c.bin": randomBytes(12_000) } });
    const first = await backup(t.repo, { paths: [src] });
    await writeFile(join(src, "d.bin"), randomBytes(12_000));
    const second = await backup(t.repo, { paths: [src] });
    const root = await t.repo.loadTree(second.snapshot.tree);
    const blob = await fileBlob(t.repo, root.nodes, src.split("/").filter(Boolean), "b.bin");
    await fn({ ...t, src, snaps: [first.snapshotId, second.snapshotId], pack: t.repo.index.get(blob)!.packId, blob, offset: t.repo.index.get(blob)!.offset, open });
  } finally {
    for (const repo of opened) await repo.close();
    await t.cleanup();
  }
}

async function fileBlob(repo: Repository, nodes: { name: string; subtree?: string; content?: string[] }[], dirs: string[], name: string): Promise<string> {
  if (dirs.length === 0) return nodes.find((n) => n.name === name)!.content![0]!;
  const next = nodes.find((n) => n.name === dirs[0])!;
  return fileBlob(repo, (await repo.loadTree(next.subtree!)).nodes, dirs.slice(1), name);
}

/** packOfFile is the pack of the first blob of a top-level file in the newest snapshot (read before any damage). */
export async function packOfFile(f: Fixture, name: string): Promise<string> {
  const repo = await f.open();
  await repo.loadIndex();
  const { snapshots } = await loadSnapshots(repo);
  const nodes = (await repo.loadTree(snapshots.at(-1)!.tree)).nodes;
  return repo.index.get(await fileBlob(repo, nodes, f.src.split("/").filter(Boolean), name))?.packId ?? "";
}

export const packFile = (f: TestRepo, id: string) => join(f.path, "data", id.slice(0, 2), id);

export async function flipAt(file: string, at: number): Promise<void> {
  const b = await readFile(file);
  const i = at < 0 ? b.length + at : at;
  b[i] = b[i]! ^ 0x20;
  await writeFile(file, b);
}

export async function listing(f: TestRepo): Promise<string[]> {
  return (await readdir(f.path, { recursive: true })).filter((p) => !p.startsWith("locks")).sort();
}
