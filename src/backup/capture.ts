/**
 * @module backup/capture
 * The CaptureContext sources use: saving real paths through the archiver (with the item's
 * exclusions and per-file sha256) and streams (dumps, database copies, command output)
 * as file nodes. It also finds each item's nodes in the parent snapshot, so unchanged
 * files are not read again.
 */
import type { ChunkerPolicy } from "../chunker/chunker.ts";
import type { ItemManifest } from "../model/agent.ts";
import type { Node } from "../model/index.ts";
import { compressionLevel } from "../repository/repository.ts";
import type { BlobSaver } from "../repository/uploader.ts";
import type { CaptureContext, SavedPath, SavedStream } from "../sources/source.ts";
import { SourceError } from "../sources/source.ts";
import type { Archiver, ArchiveScope } from "./archiver.ts";
import { saveFile } from "./filesaver.ts";

export interface CaptureDeps {
  archiver: Archiver;
  saver: BlobSaver;
  policy: ChunkerPolicy;
  /**
   * Children of this item's folder in the parent snapshot, by name. Loaded only when a path
   * is saved: a stream item never uses them, and loading expands content lists (the bench's
   * SQLite copy has ~1,000, 0.19 s of an hourly backup).
   */
  parentNodes: () => Promise<Map<string, Node>>;
  parentManifest?: ItemManifest | undefined;
  itemName: string;
  signal?: AbortSignal | undefined;
}

export function createCaptureContext(d: CaptureDeps): CaptureContext {
  return {
    signal: d.signal,
    async savePath(path, name, opts = {}): Promise<SavedPath> {
      const scope: ArchiveScope = {
        base: path, exclude: opts.exclude, fileClass: opts.fileClass, sha256: {},
        parentSha256: singleFileParent(d.parentManifest?.sha256, name), excluded: [], files: 0, bytes: 0,
      };
      const node = await d.archiver.archive(path, name, (await d.parentNodes()).get(name), scope);
      if (!node) throw new SourceError(d.itemName, `cannot read ${path}`);
      // A single file is keyed by its name, like stream items, not by the empty relative path.
      if (node.type === "file" && "" in scope.sha256) {
        scope.sha256 = { [name]: scope.sha256[""]! };
      }
      return { node, files: scope.files, bytes: scope.bytes, sha256: scope.sha256, excluded: scope.excluded };
    },
    async saveStream(name, input, opts = {}): Promise<SavedStream> {
      // Size is unknown up front: a stream always goes through the content-defined (or class) chunker.
      const chunker = d.policy.forFile(name, Number.MAX_SAFE_INTEGER, opts.fileClass);
      const saved = await saveFile(d.saver, chunker, input, undefined, d.signal, { sha256: true, level: compressionLevel(opts.fileClass) });
      const c = d.archiver.counts;
      c.files++; c.filesNew++; c.bytes += saved.size; c.blobsNew += saved.blobsNew; c.bytesNew += saved.bytesNew;
      const now = (BigInt(Date.now()) * 1_000_000n).toString();
      const node: Node = {
        name, type: "file", mode: opts.mode ?? 0o600, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0,
        mtimeNs: now, ctimeNs: now, inode: "0", size: saved.size, content: saved.content,
      };
      return { node, size: saved.size, sha256: saved.sha256 };
    },
  };
}

/** singleFileParent maps a single-file item's stored key (its name) back to the archiver's "". */
function singleFileParent(sha: Record<string, string> | undefined, name: string): Record<string, string> | undefined {
  if (!sha) return undefined;
  return name in sha && Object.keys(sha).length === 1 ? { "": sha[name]!, ...sha } : sha;
}
