/**
 * @module backup/filesaver
 * Reads one file, chunks it and saves the chunks as data blobs. Several chunks of one file
 * are compressed and sealed at once (a window), so a single large file uses more than one
 * core; their ids are kept in file order.
 */
import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import type { Chunker } from "../chunker/chunker.ts";
import type { BlobSaver, SaveResult } from "../repository/uploader.ts";
import { release } from "../util/release.ts";

const READ_SIZE = 1024 * 1024;
// Chunks of one file in flight (hashing or sealing on a codec worker) while the next is read:
// at least WINDOW chunks, and up to WINDOW_BYTES of small ones, so 8 KiB database blocks
// reach the worker in batches (repository/codec/pool.ts sealSmall).
const WINDOW = 2;
const WINDOW_BYTES = 2 * 1024 * 1024;

export interface SavedFile {
  content: string[];
  /** Hex SHA-256 of the whole content ("" unless asked for: agent manifests need it, path backups not). */
  sha256: string;
  size: number;
  blobsNew: number;
  bytesNew: number;
}

/** ReadError marks a failure to read the source (as opposed to a repository failure). */
export class ReadError extends Error {
  constructor(path: string, cause: unknown) {
    super(`read ${path}: ${(cause as Error).message}`, { cause });
    this.name = "ReadError";
  }
}

// Read buffers are shared by the files read one after another: a fresh 1 MiB per file was
// 771 MiB of allocations for the bench agent's 771 files (most are a few KiB), and external
// memory churn is what keeps V8 in full GCs (bench/agent, issue 4).
const spareBuffers: Buffer[] = [];
const SPARE_BUFFERS = 8;

/**
 * readFile yields the file's bytes in pieces of one reused buffer: each piece is valid only
 * until the next is requested (every chunker copies what it keeps, chunker contract).
 */
export async function* readFile(path: string, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  const fh = await open(path, "r").catch((err: unknown) => { throw new ReadError(path, err); });
  const buf = spareBuffers.pop() ?? Buffer.allocUnsafeSlow(READ_SIZE);
  try {
    for (;;) {
      signal?.throwIfAborted();
      const { bytesRead } = await fh.read(buf, 0, READ_SIZE, null).catch((err: unknown) => { throw new ReadError(path, err); });
      if (bytesRead === 0) return;
      yield bytesRead === READ_SIZE ? buf : buf.subarray(0, bytesRead);
    }
  } finally {
    if (!(buf.buffer as ArrayBuffer & { detached?: boolean }).detached && spareBuffers.length < SPARE_BUFFERS) spareBuffers.push(buf);
    await fh.close();
  }
}

/** saveFile stores a file's content and returns the ordered blob ids. */
export async function saveFile(
  saver: BlobSaver, chunker: Chunker, input: AsyncIterable<Uint8Array>, onBytes?: (n: number) => void, signal?: AbortSignal,
  opts: { sha256?: boolean; level?: number | undefined } = {},
): Promise<SavedFile> {
  // A known chunk's id (from saver.lookup), or the promise of a new one's.
  const results: (string | Promise<SaveResult>)[] = [];
  const lengths: number[] = [];
  const inFlight: { p: Promise<SaveResult>; n: number }[] = [];
  let head = 0;
  let inFlightBytes = 0;
  const hash = opts.sha256 ? createHash("sha256") : null;
  let size = 0;
  // Views are only valid until the next chunk: saveBlob without `transfer` copies or hashes
  // them before it returns. Owned chunks are transferred to a worker instead of copied.
  const views = chunker.views !== undefined;
  for await (const chunk of views ? chunker.views!(input, { signal }) : chunker.chunks(input, { signal })) {
    const n = chunk.length; // read first: saveBlob may transfer the chunk to a worker thread
    size += n;
    hash?.update(chunk);
    lengths.push(n);
    const hit = saver.lookup?.(chunk) ?? null;
    if (hit?.known) {
      if (!views) release(chunk); // ours, and nothing keeps it
      results.push(hit.id);
    } else {
      const p = saver.saveBlob("data", chunk, { transfer: !views, level: opts.level, id: hit?.id });
      p.catch(() => undefined); // awaited below; this only stops an early rejection counting as unhandled
      results.push(p);
      inFlight.push({ p, n });
      inFlightBytes += n;
      while (inFlight.length - head >= WINDOW && inFlightBytes >= WINDOW_BYTES) {
        const done = inFlight[head++]!;
        await done.p;
        inFlightBytes -= done.n;
      }
    }
    onBytes?.(n);
  }
  const saved = await Promise.all(results);
  const out: SavedFile = { content: [], sha256: hash?.digest("hex") ?? "", size, blobsNew: 0, bytesNew: 0 };
  saved.forEach((r, i) => {
    if (typeof r === "string") {
      out.content.push(r);
      return;
    }
    out.content.push(r.id);
    if (!r.known) {
      out.blobsNew++;
      out.bytesNew += lengths[i]!;
    }
  });
  return out;
}
