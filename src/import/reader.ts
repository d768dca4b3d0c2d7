/**
 * @module import/reader
 * Streams an archive (gzip, zstd or plain tar, told apart by magic bytes, not the file
 * name) through tar-stream, hands each validated entry to a callback, and enforces the
 * limits that stop a decompression bomb early: a cap on file bytes checked against each
 * header's declared size before its content is read, a cap on inflated bytes, a
 * compression-ratio cap, and an entry-count cap. Nothing here writes to disk.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { Transform, pipeline, type Writable } from "node:stream";
import zlib from "node:zlib";
import tar from "tar-stream";
import { LifeboatError } from "../errors/index.ts";
import { EntryChecker, refused, type ArchiveEntry } from "./entry.ts";

export const GiB = 1024 ** 3;

export interface Limits {
  /** Total bytes of file content (entry sizes) the archive may hold. */
  maxBytes: number;
  maxEntries: number;
  /** Inflated bytes may exceed this many times the compressed bytes read so far only below ratioFloor. */
  maxRatio: number;
  ratioFloor: number;
  /**
   * Accept symlinks whose target is absolute or leaves their item (`--allow-outside-symlinks`).
   * They are stored as links and never followed; an entry below a symlink is refused either way.
   */
  allowOutsideLinks?: boolean;
}

export const DEFAULT_LIMITS: Limits = { maxBytes: 64 * GiB, maxEntries: 1_000_000, maxRatio: 1000, ratioFloor: GiB };

/** ReadStats is filled as the archive is read (tests use it to prove a bomb stopped early). */
export interface ReadStats {
  compressed: number;
  inflated: number;
  fileBytes: number;
  entries: number;
  /** sha256 of the archive file itself, when asked for. */
  sha256?: string;
}

export type OnEntry = (e: ArchiveEntry, content: AsyncIterable<Uint8Array>) => Promise<void>;

export interface ReadOptions {
  /** Read live at every entry: the caller may tighten it once manifest.json states the content's size. */
  limits: Limits;
  stats?: ReadStats;
  hashArchive?: boolean;
  signal?: AbortSignal | undefined;
}

/** readArchive calls onEntry for every entry in order; a content stream must be consumed or drained. */
export async function readArchive(path: string, onEntry: OnEntry, o: ReadOptions): Promise<{ top: string; stats: ReadStats }> {
  const stats: ReadStats = o.stats ?? { compressed: 0, inflated: 0, fileBytes: 0, entries: 0 };
  const decompress = await decompressorFor(path, o.signal);
  const hash = o.hashArchive ? createHash("sha256") : null;
  const extract = tar.extract();
  const source = createReadStream(path);
  const fail = (err: Error) => { source.destroy(err); extract.destroy(err); };
  const onAbort = () => fail(o.signal!.reason as Error);
  o.signal?.addEventListener("abort", onAbort, { once: true });
  const inflated = pipeline(source, counter((n, c) => { stats.compressed += n; hash?.update(c); }), decompress,
    counter((n) => { stats.inflated += n; checkRatio(path, stats, o.limits); }), (err) => { if (err) extract.destroy(err); });
  inflated.pipe(extract as unknown as Writable); // tar-stream (streamx) documents being piped into
  const checker = new EntryChecker(path, o.limits.allowOutsideLinks === true);
  try {
    for await (const stream of extract) {
      const entry = checker.check(stream.header);
      stats.entries++;
      stats.fileBytes += entry.size;
      if (stats.entries > o.limits.maxEntries) throw refused(path, stream.header.name, `is one entry too many (limit ${o.limits.maxEntries})`);
      if (stats.fileBytes > o.limits.maxBytes) {
        throw refused(path, stream.header.name, `declares ${entry.size} bytes, beyond the archive's limit of ${o.limits.maxBytes} bytes (a decompression bomb, or a manifest that understates the content)`);
      }
      await onEntry(entry, stream as unknown as AsyncIterable<Uint8Array>);
      stream.resume(); // drains whatever the callback left unread
    }
  } catch (err) {
    fail(err as Error);
    throw asReadError(path, err);
  } finally {
    o.signal?.removeEventListener("abort", onAbort);
  }
  if (checker.top === undefined) throw new LifeboatError(`import refused: ${path}: the archive is empty`);
  if (hash) stats.sha256 = hash.digest("hex");
  return { top: checker.top, stats };
}

function counter(onChunk: (n: number, chunk: Buffer) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      try {
        onChunk(chunk.length, chunk);
        cb(null, chunk);
      } catch (err) {
        cb(err as Error);
      }
    },
  });
}

function checkRatio(path: string, s: ReadStats, l: Limits): void {
  if (s.inflated > l.ratioFloor && s.inflated > l.maxRatio * Math.max(1, s.compressed)) {
    throw new LifeboatError(`import refused: ${path}: inflates more than ${l.maxRatio}x (${s.inflated} bytes from ${s.compressed}): a decompression bomb`, {
      hint: "nothing was written",
    });
  }
  if (s.inflated > l.maxBytes + l.maxEntries * 1024 + 64 * 1024 * 1024) {
    throw new LifeboatError(`import refused: ${path}: inflates beyond its limit of ${l.maxBytes} bytes: a decompression bomb`, { hint: "nothing was written" });
  }
}

/** decompressorFor picks gzip, zstd or no decompression from the file's first bytes. */
async function decompressorFor(path: string, signal?: AbortSignal): Promise<Transform> {
  signal?.throwIfAborted();
  const fh = await open(path, "r").catch((err: unknown) => {
    throw new LifeboatError(`cannot read archive ${path}: ${(err as Error).message}`, { cause: err });
  });
  const head = Buffer.alloc(262);
  try {
    await fh.read(head, 0, head.length, 0);
  } finally {
    await fh.close();
  }
  if (head[0] === 0x1f && head[1] === 0x8b) return zlib.createGunzip();
  if (head.readUInt32LE(0) === 0xfd2fb528) return zlib.createZstdDecompress();
  if (head.subarray(257, 262).toString("latin1") === "ustar") return new Transform({ transform: (c: Buffer, _e, cb) => cb(null, c) });
  throw new LifeboatError(`import refused: ${path} is not a tar archive (gzip, zstd or plain tar)`, { hint: "pass the .tar.gz or .tar.zst file `lifeboat export` wrote" });
}

function asReadError(path: string, err: unknown): unknown {
  if (err instanceof LifeboatError || (err as Error).name === "AbortError") return err;
  return new LifeboatError(`import refused: ${path}: cannot read the archive: ${(err as Error).message}`, { cause: err, hint: "the file is damaged or truncated; nothing was written" });
}
