/**
 * @module model/contentlist
 * Content lists: a file with many data blobs keeps its id list in separate tree-type blobs
 * cut at content-defined boundaries, so a change to a few blocks of a large file (an hourly
 * SQLite copy) stores a few small lists instead of the whole directory tree again
 * (docs/design.md §6). Pure: splitting, encoding and decoding only.
 */
import type { BlobId } from "./index.ts";

/** Files with fewer content ids than this keep them inline in `content`. */
export const CONTENT_LIST_MIN = 256;

// Groups of ~19 ids (a cut every 16th id on average, after a minimum of 4): about
// sqrt(19,250 ids / 50 scattered changes), which minimises changed-groups + top-list bytes.
const CUT_MODULUS = 16;
const GROUP_MIN = 4;
const GROUP_MAX = 256;

const HEX_ID = /^[0-9a-f]{64}$/;

/**
 * splitContent cuts `ids` into groups; a group ends after an id whose first 16 bits are a
 * multiple of 16 once it holds GROUP_MIN ids, or at GROUP_MAX ids. Ids are keyed HMACs, so
 * the cuts depend only on the ids nearby: an unchanged stretch gives the same groups.
 */
export function splitContent(ids: readonly BlobId[]): BlobId[][] {
  const groups: BlobId[][] = [];
  let group: BlobId[] = [];
  for (const id of ids) {
    group.push(id);
    const cut = group.length >= GROUP_MIN && parseInt(id.slice(0, 4), 16) % CUT_MODULUS === 0;
    if (cut || group.length >= GROUP_MAX) {
      groups.push(group);
      group = [];
    }
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

/** encodeContentList serialises one group; equal groups encode to equal bytes (and dedupe). */
export function encodeContentList(ids: readonly BlobId[]): Uint8Array {
  return Buffer.from(JSON.stringify({ content: ids }) + "\n", "utf8");
}

/** decodeContentList parses a content list blob; it throws with a cause if it is not one. */
export function decodeContentList(bytes: Uint8Array): BlobId[] {
  try {
    const parsed = JSON.parse(Buffer.from(bytes).toString("utf8")) as { content?: unknown };
    const content = parsed?.content;
    if (!Array.isArray(content)) throw new Error("missing content array");
    const bad = content.findIndex((id) => typeof id !== "string" || !HEX_ID.test(id));
    if (bad >= 0) throw new Error(`entry ${bad} is not a blob id`);
    return content as BlobId[];
  } catch (cause) {
    throw new Error("decode content list", { cause });
  }
}
