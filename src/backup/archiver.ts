/**
 * @module backup/archiver
 * Walks local paths and turns them into tree and data blobs. A file whose size, mtime,
 * ctime and inode match its node in the parent snapshot is not read again: its content
 * ids are reused (if the index still has them). Unreadable entries go to onError and are
 * left out; the backup goes on.
 */
import { lstat, readdir, readlink } from "node:fs/promises";
import type { BigIntStats } from "node:fs";
import { join, relative, sep } from "node:path";
import type { ChunkerPolicy } from "../chunker/chunker.ts";
import { CONTENT_LIST_MIN, encodeContentList, splitContent } from "../model/contentlist.ts";
import { encodeTree, type Node, type SnapshotSummary, type Tree } from "../model/index.ts";
import { compressionLevel } from "../repository/repository.ts";
import type { BlobSaver } from "../repository/uploader.ts";
import { Semaphore } from "../util/semaphore.ts";
import { ReadError, readFile, saveFile } from "./filesaver.ts";

/** ArchiverRepo is the slice of the repository the archiver reads. */
export interface ArchiverRepo {
  loadTree(id: string, signal?: AbortSignal): Promise<Tree>;
  hasBlob(id: string): boolean;
}

export interface ArchiverEvents {
  onError(path: string, err: unknown): void;
  onFile?(path: string, size: number): void;
  onBytes?(n: number): void;
}

export type Counts = Omit<SnapshotSummary, "durationMs">;

export function emptyCounts(): Counts {
  return { files: 0, dirs: 0, bytes: 0, filesNew: 0, filesChanged: 0, filesUnmodified: 0, blobsNew: 0, bytesNew: 0, bytesStored: 0, errors: 0 };
}

/**
 * ArchiveScope collects what one agent item captured: sha256 per file (relative path),
 * exclusions with reasons, totals. Without a scope the archiver backs up everything.
 */
export interface ArchiveScope {
  base: string;
  exclude?: ((rel: string, isDir: boolean) => string | null) | undefined;
  fileClass?: string | undefined;
  sha256: Record<string, string>;
  /** sha256 per file from the parent snapshot's manifest: lets unchanged files skip reading. */
  parentSha256?: Record<string, string> | undefined;
  excluded: { path: string; reason: string }[];
  files: number;
  bytes: number;
}

// Files read at once. Blob work runs on the codec workers, so two files keep both cores
// busy; four only held more chunks in memory (307 MB tree: 3.3 s and 311 MB RSS at two,
// 3.7 s and 320 MB at four).
const FILE_CONCURRENCY = 2;

export class Archiver {
  readonly counts = emptyCounts();
  private readonly files = new Semaphore(FILE_CONCURRENCY);
  private readonly saver: BlobSaver;
  private readonly repo: ArchiverRepo;
  private readonly policy: ChunkerPolicy;
  private readonly events: ArchiverEvents;
  private readonly signal: AbortSignal | undefined;

  constructor(saver: BlobSaver, repo: ArchiverRepo, policy: ChunkerPolicy, events: ArchiverEvents, signal?: AbortSignal) {
    this.saver = saver;
    this.repo = repo;
    this.policy = policy;
    this.events = events;
    this.signal = signal;
  }

  /** saveTree stores a directory listing (long content lists as list blobs) and returns its blob id. */
  async saveTree(nodes: Node[]): Promise<string> {
    const stored: Node[] = [];
    for (const n of nodes) stored.push(await this.withContentLists(n));
    return this.saveTreeBlob(encodeTree({ nodes: stored }));
  }

  /**
   * withContentLists moves a long content list into list blobs (docs/design.md §6). Lists
   * a node brings from its parent snapshot are ignored: they are re-split from `content`.
   */
  private async withContentLists(n: Node): Promise<Node> {
    if (n.content === undefined) return n;
    const { content, contentLists: _stale, ...rest } = n;
    if (content.length < CONTENT_LIST_MIN) return { ...rest, content };
    const lists: string[] = [];
    for (const group of splitContent(content)) lists.push(await this.saveTreeBlob(encodeContentList(group)));
    return { ...rest, contentLists: lists };
  }

  private async saveTreeBlob(bytes: Uint8Array): Promise<string> {
    return (await this.saver.saveBlob("tree", bytes)).id;
  }

  /** archive returns the node for `path` (named `name`), or null if it could not be read. */
  async archive(path: string, name: string, parent: Node | undefined, scope?: ArchiveScope): Promise<Node | null> {
    this.signal?.throwIfAborted();
    let st: BigIntStats;
    try {
      st = await lstat(path, { bigint: true });
    } catch (err) {
      // Listed, then gone before lstat: not an error when the scope leaves it out whatever it
      // is (a SQLite capture's `.lifeboat-capture-*` copy beside the database, being walked
      // by another item of the same backup, or an excluded `-journal`).
      if (!leftOutAnyway(scope, path)) this.fail(path, err);
      return null;
    }
    const rel = scope ? relative(scope.base, path).split(sep).join("/") : "";
    const reason = scope?.exclude && rel !== "" ? scope.exclude(rel, st.isDirectory()) : null;
    if (reason !== null) {
      scope!.excluded.push({ path: rel, reason });
      return null;
    }
    if (st.isDirectory()) return this.archiveDir(path, name, st, parent, scope);
    if (st.isSymbolicLink()) return this.archiveLink(path, name, st);
    if (st.isFile()) return this.files.run(() => this.archiveFile(path, name, st, parent, scope, rel));
    return null; // sockets, fifos and devices are runtime state, not agent state
  }

  private async archiveDir(path: string, name: string, st: BigIntStats, parent: Node | undefined, scope?: ArchiveScope): Promise<Node | null> {
    let names: string[];
    try {
      names = await readdir(path);
    } catch (err) {
      this.fail(path, err);
      return null;
    }
    const old = await this.parentTree(parent);
    const children = await Promise.all(names.map((n) => this.archive(join(path, n), n, old.get(n), scope)));
    const nodes = children.filter((n): n is Node => n !== null);
    this.counts.dirs++;
    return { ...baseNode(name, "dir", st), subtree: await this.saveTree(nodes) };
  }

  /** parentTree loads the matching directory of the parent snapshot, if any. */
  async parentTree(parent: Node | undefined): Promise<Map<string, Node>> {
    if (parent?.type !== "dir" || !parent.subtree || !this.repo.hasBlob(parent.subtree)) return new Map();
    try {
      const tree = await this.repo.loadTree(parent.subtree, this.signal);
      return new Map(tree.nodes.map((n) => [n.name, n]));
    } catch {
      return new Map(); // an unreadable parent only costs re-reading the files
    }
  }

  private async archiveLink(path: string, name: string, st: BigIntStats): Promise<Node | null> {
    try {
      return { ...baseNode(name, "symlink", st), size: 0, linkTarget: await readlink(path) };
    } catch (err) {
      this.fail(path, err);
      return null;
    }
  }

  private async archiveFile(path: string, name: string, st: BigIntStats, parent: Node | undefined, scope: ArchiveScope | undefined, rel: string): Promise<Node | null> {
    const node = baseNode(name, "file", st);
    const c = this.counts;
    const knownSha = scope ? scope.parentSha256?.[rel] : "";
    if (parent && knownSha !== undefined && unchanged(node, parent) && parent.content!.every((id) => this.repo.hasBlob(id))) {
      c.files++; c.filesUnmodified++; c.bytes += node.size;
      if (scope) this.record(scope, rel, knownSha, node.size);
      this.events.onBytes?.(node.size);
      this.events.onFile?.(path, node.size);
      return { ...node, content: parent.content! };
    }
    try {
      const chunker = this.policy.forFile(path, node.size, scope?.fileClass);
      const saved = await saveFile(this.saver, chunker, readFile(path, this.signal), this.events.onBytes, this.signal, {
        sha256: scope !== undefined, level: compressionLevel(scope?.fileClass),
      });
      c.files++; c.bytes += saved.size; c.blobsNew += saved.blobsNew; c.bytesNew += saved.bytesNew;
      if (parent) c.filesChanged++; else c.filesNew++;
      if (scope) this.record(scope, rel, saved.sha256, saved.size);
      this.events.onFile?.(path, saved.size);
      return { ...node, size: saved.size, content: saved.content };
    } catch (err) {
      if (!(err instanceof ReadError)) throw err; // repository failures abort the backup
      this.fail(path, err);
      return null;
    }
  }

  private record(scope: ArchiveScope, rel: string, sha: string, size: number): void {
    scope.sha256[rel] = sha;
    scope.files++;
    scope.bytes += size;
  }

  private fail(path: string, err: unknown): void {
    this.counts.errors++;
    this.events.onError(path, err);
  }
}

/** leftOutAnyway is true when the scope excludes `path` both as a file and as a folder. */
function leftOutAnyway(scope: ArchiveScope | undefined, path: string): boolean {
  if (!scope?.exclude) return false;
  const rel = relative(scope.base, path).split(sep).join("/");
  return rel !== "" && scope.exclude(rel, false) !== null && scope.exclude(rel, true) !== null;
}

function unchanged(n: Node, p: Node): boolean {
  return p.type === "file" && p.content !== undefined && p.size === n.size && p.mtimeNs === n.mtimeNs
    && p.ctimeNs === n.ctimeNs && p.inode === n.inode;
}

/** baseNode records the metadata common to every node type. */
export function baseNode(name: string, type: Node["type"], st: BigIntStats): Node {
  return {
    name, type, mode: Number(st.mode & 0o7777n), uid: Number(st.uid), gid: Number(st.gid),
    mtimeNs: st.mtimeNs.toString(), ctimeNs: st.ctimeNs.toString(), inode: st.ino.toString(),
    size: type === "file" ? Number(st.size) : 0,
  };
}
