/**
 * @module export/tar
 * TarWriter streams tar entries through gzip or zstd into an open file, hashing the
 * compressed bytes as they pass, so the archive's sha256 is known the moment it is written
 * and nothing is staged: each file's bytes go from the caller's iterator into the entry.
 */
import { createHash } from "node:crypto";
import type { FileHandle } from "node:fs/promises";
import { Readable, Transform, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip, createZstdCompress } from "node:zlib";
import tar from "tar-stream";
import { writeAll } from "../util/durable.ts";

type Sink = ReturnType<tar.Pack["entry"]>;

export type ArchiveFormat = "tar.gz" | "tar.zst";

/** EntryHeader is what every entry carries; `mode` defaults to 0644 for files, 0755 for folders. */
export interface EntryHeader {
  name: string;
  mode?: number | undefined;
  mtime?: Date | undefined;
  /** The exact time in nanoseconds; written as a PAX `mtime` record, since ustar keeps whole seconds. */
  mtimeNs?: string | undefined;
  uid?: number | undefined;
  gid?: number | undefined;
}

export interface TarResult {
  /** Compressed bytes written. */
  bytes: number;
  sha256: string;
}

export class TarWriter {
  private readonly pack = tar.pack();
  private readonly hash = createHash("sha256");
  private bytes = 0;
  private readonly done: Promise<void>;

  /** The writer owns nothing but the pipeline: the caller opens, syncs and closes `fh`. */
  constructor(fh: FileHandle, format: ArchiveFormat, signal?: AbortSignal) {
    const compress = format === "tar.zst" ? createZstdCompress() : createGzip({ level: 6 });
    const tap = new Transform({
      transform: (chunk: Buffer, _enc, cb) => { this.hash.update(chunk); this.bytes += chunk.length; cb(null, chunk); },
    });
    const sink = new Writable({
      write: (chunk: Buffer, _enc, cb) => { writeAll(fh, chunk).then(() => cb(), cb); },
    });
    // Through Readable.from: node's pipeline then sees a node stream, and a destroyed pack fails it.
    this.done = pipeline(Readable.from(this.pack, { objectMode: false }), compress, tap, sink, signal ? { signal } : {});
    // Failures surface from finish() or from the entry being written; never unhandled.
    this.done.catch(() => undefined);
  }

  dir(h: EntryHeader): Promise<void> {
    return this.put({ ...this.base(h, 0o755), name: h.name.replace(/\/?$/, "/"), type: "directory" });
  }

  symlink(h: EntryHeader, target: string): Promise<void> {
    return this.put({ ...this.base(h, 0o777), type: "symlink", linkname: target });
  }

  /** buffer adds a file whose bytes are in memory (manifest, runbook, ciphertext). */
  buffer(h: EntryHeader, data: Uint8Array): Promise<void> {
    return this.put({ ...this.base(h, 0o644), type: "file", size: data.length }, Buffer.from(data.buffer, data.byteOffset, data.length));
  }

  /**
   * file streams `size` bytes from `content` into one entry (a tar header states the size
   * first; tar-stream fails the entry if the content disagrees).
   */
  async file(h: EntryHeader, size: number, content: AsyncIterable<Uint8Array>): Promise<void> {
    const entry = this.pack.entry({ ...this.base(h, 0o644), type: "file", size });
    const finished = settled(entry);
    for await (const chunk of content) {
      if (!entry.write(chunk)) await Promise.race([once(entry, "drain"), finished]);
    }
    entry.end(undefined);
    await finished;
  }

  /** finish ends the archive and waits until every byte reached the file. */
  async finish(): Promise<TarResult> {
    this.pack.finalize();
    await this.done;
    return { bytes: this.bytes, sha256: this.hash.digest("hex") };
  }

  /** abort stops the pipeline; the caller removes the partial file. */
  async abort(err: Error): Promise<void> {
    this.pack.destroy(err);
    await this.done.catch(() => undefined);
  }

  private base(h: EntryHeader, mode: number) {
    const base = { name: h.name, mode: h.mode ?? mode, mtime: h.mtime ?? new Date(), uid: h.uid ?? 0, gid: h.gid ?? 0 };
    return h.mtimeNs ? { ...base, pax: { mtime: paxTime(h.mtimeNs) } } : base;
  }

  private put(header: tar.Header extends infer H ? Partial<H> & { name: string } : never, data?: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      const cb = (err?: Error | null) => (err ? reject(err) : resolve());
      if (data) this.pack.entry(header, data, cb);
      else this.pack.entry(header, cb);
    });
  }
}

/** settled resolves when an entry stream has flushed, and rejects when it (or the pack) fails. */
function settled(s: Sink): Promise<void> {
  return new Promise((resolve, reject) => {
    let finished = false;
    s.once("finish", () => { finished = true; resolve(); });
    s.once("error", reject);
    s.once("close", () => (finished ? resolve() : reject(new Error("the archive stream closed before the entry was written"))));
  });
}

/** once waits for one event of a streamx stream (node's events.once wants a node EventEmitter). */
function once(s: Sink, event: "drain"): Promise<void> {
  return new Promise((resolve) => s.once(event, () => resolve()));
}

/** paxTime renders nanoseconds since the epoch as PAX's decimal seconds, e.g. 1795324658.786000000. */
export function paxTime(ns: string): string {
  const n = BigInt(ns);
  const frac = (n % 1_000_000_000n).toString().padStart(9, "0");
  return `${n / 1_000_000_000n}.${frac}`;
}
