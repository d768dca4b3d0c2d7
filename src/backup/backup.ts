/**
 * @module backup/backup
 * The backup job for plain paths: check them, then inside a backup session (session.ts) find
 * the parent, archive inside withUploader (packs → index), and save the snapshot.
 */
import { access } from "node:fs/promises";
import { hostname } from "node:os";
import { LifeboatError } from "../errors/index.ts";
import type { Node, Snapshot } from "../model/index.ts";
import type { Repository } from "../repository/repository.ts";
import { loadSnapshots, matchesFilter } from "../repository/snapshots.ts";
import { saveSnapshot } from "../repository/snapshots.ts";
import { TOOL_VERSION } from "../version.ts";
import { Archiver, type ArchiverEvents } from "./archiver.ts";
import { archiveRoots, normalizePaths } from "./roots.ts";
import { archiverRepo, safeUser, withBackupSession } from "./session.ts";

export interface BackupOptions {
  paths: string[];
  tags?: string[];
  host?: string;
  agent?: string;
  /** Snapshot id to compare against; default: newest with the same host and paths. */
  parent?: string;
  /** Re-read every file even if unchanged. */
  force?: boolean;
  lockWaitMs?: number;
  events?: Partial<ArchiverEvents>;
  signal?: AbortSignal | undefined;
}

export interface FileError {
  path: string;
  message: string;
}

export interface BackupResult {
  snapshot: Snapshot;
  snapshotId: string;
  errors: FileError[];
}

/** backup captures `paths` into a new snapshot. */
export async function backup(repo: Repository, opts: BackupOptions): Promise<BackupResult> {
  const started = Date.now();
  const paths = normalizePaths(opts.paths);
  await checkPaths(paths);
  return withBackupSession(repo, { lockWaitMs: opts.lockWaitMs, signal: opts.signal }, async (signal) => {
    const host = opts.host ?? hostname();
    const parent = opts.force ? undefined : await findParent(repo, { host, paths, agent: opts.agent }, opts.parent, signal);
    const errors: FileError[] = [];
    const events: ArchiverEvents = {
      ...opts.events,
      onError: (path, err) => {
        errors.push({ path, message: (err as Error).message });
        opts.events?.onError?.(path, err);
      },
    };
    const parentRoot: Node | undefined = parent ? rootNode(parent.tree) : undefined;
    const { tree, counts, stats } = await repo.withUploader(async (saver) => {
      const archiver = new Archiver(saver, archiverRepo(repo), repo.chunkerPolicy(), events, signal);
      const tree = await archiveRoots(archiver, paths, parentRoot);
      return { tree, counts: archiver.counts, stats: saver.stats };
    }, { signal });
    signal?.throwIfAborted();
    const snapshot: Snapshot = {
      time: new Date().toISOString(), host, username: safeUser(), paths, tags: opts.tags ?? [], tree,
      ...(parent ? { parent: parent.id } : {}), ...(opts.agent ? { agent: opts.agent } : {}),
      toolVersion: TOOL_VERSION, chunkers: repo.chunkerPolicy().specs,
      summary: { ...counts, bytesStored: stats.bytesStored, durationMs: Date.now() - started },
    };
    const snapshotId = await saveSnapshot(repo, snapshot, signal);
    return { snapshot: { ...snapshot, id: snapshotId }, snapshotId, errors };
  });
}

function rootNode(tree: string): Node {
  return { name: "", type: "dir", mode: 0, uid: 0, gid: 0, mtimeNs: "0", ctimeNs: "0", inode: "0", size: 0, subtree: tree };
}

async function checkPaths(paths: string[]): Promise<void> {
  if (paths.length === 0) throw new LifeboatError("nothing to back up: give at least one path");
  for (const p of paths) {
    try {
      await access(p);
    } catch (cause) {
      throw new LifeboatError(`path does not exist or cannot be reached: ${p}`, { cause });
    }
  }
}

async function findParent(repo: Repository, filter: { host: string; paths: string[]; agent?: string | undefined }, ref: string | undefined, signal?: AbortSignal): Promise<Snapshot | undefined> {
  const { snapshots } = await loadSnapshots(repo, signal);
  if (ref) return snapshots.find((s) => s.id!.startsWith(ref));
  return snapshots.filter((s) => matchesFilter(s, filter)).at(-1);
}

