/**
 * @module repository/repair/types
 * What repair reports, shared by `repair packs`, `repair snapshots` and `repair records`
 * and printed as-is by `--json` (docs/cli-json.md): lost blobs, per-snapshot lost paths and
 * agent items, and the unpacked objects (snapshots, records, keys) that no longer verify.
 */
import type { BlobType } from "../../model/index.ts";

/** LostBlob is a blob the repository had that no intact pack holds any more. */
export interface LostBlob {
  id: string;
  /** Unknown when neither the pack header nor an index object said. */
  type: BlobType | "unknown";
  pack: string;
  reason: string;
}

/** LostPath is a file or folder of a snapshot that can no longer be restored. */
export interface LostPath {
  /** Absolute path inside the snapshot, as `ls` and `restore` show it. */
  path: string;
  type: "file" | "dir";
  /** File size (files only). */
  size?: number;
  reason: string;
}

/** SnapshotLoss is what one readable snapshot can no longer restore. */
export interface SnapshotLoss {
  id: string;
  time: string;
  host: string;
  paths: string[];
  agent?: string;
  /** Its root tree is gone: nothing of it can be restored, and it cannot be rewritten. */
  rootLost: boolean;
  lost: LostPath[];
  /** Agent items with at least one lost path. */
  items: string[];
}

/** DamagedObject is an unpacked object (snapshot, record, key, index) that does not verify. */
export interface DamagedObject {
  id: string;
  message: string;
}

/** errorMessage is an error's message, or its string form. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
