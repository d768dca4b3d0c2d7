/**
 * @module sources/source
 * The source contract: a Source captures one agent item (a folder, a live SQLite
 * database, a PostgreSQL database, a secret file, a command's output) into the repository
 * and describes what it captured. Sources never see packs or keys; they get a
 * CaptureContext that saves paths and streams as tree nodes.
 */
import type { Item, ItemManifest } from "../agent/types.ts";
import type { Node } from "../model/index.ts";

/** SavedStream is a file node built from a stream (a dump, a database copy, command output). */
export interface SavedStream {
  node: Node;
  size: number;
  sha256: string;
}

/** SavedPath is a real file or folder archived as a node. */
export interface SavedPath {
  node: Node;
  files: number;
  bytes: number;
  /** sha256 per file, by path relative to the saved path ("" for a single file). */
  sha256: Record<string, string>;
  excluded: { path: string; reason: string }[];
}

/** PathFilter returns why a path (relative, "/"-separated) is left out, or null to keep it. */
export type ExcludeFn = (rel: string, isDir: boolean) => string | null;

export interface CaptureContext {
  /** saveStream stores `input` as a regular file node called `name` (mode 0600 unless given). */
  saveStream(name: string, input: AsyncIterable<Uint8Array>, opts?: { mode?: number; fileClass?: string }): Promise<SavedStream>;
  /** savePath archives a real file or folder as a node called `name`. */
  savePath(path: string, name: string, opts?: { exclude?: ExcludeFn; fileClass?: string }): Promise<SavedPath>;
  signal?: AbortSignal | undefined;
}

/** CapturedItem: the item's node (a folder named after the item) and its manifest entry. */
export interface CapturedItem {
  /** Entries to place in the item's folder (one per saved path or stream). */
  nodes: Node[];
  manifest: ItemManifest;
}

/** Source captures one item. A failure throws (typed SourceError where the caller branches). */
export interface Source {
  readonly item: Item;
  capture(ctx: CaptureContext): Promise<CapturedItem>;
}

/** SourceError: an item could not be captured; `reason` is a one-line, user-facing cause. */
export class SourceError extends Error {
  readonly item: string;
  constructor(item: string, message: string, cause?: unknown) {
    super(`${item}: ${message}`, { cause });
    this.name = "SourceError";
    this.item = item;
  }
}
