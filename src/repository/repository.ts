/**
 * @module repository/repository
 * A Repository is a Backend plus the master key: it stores and loads blobs, trees,
 * index objects and snapshots, and encodes the write order in its API (withUploader).
 */
import type { Backend, FileType } from "../backends/backend.ts";
import { createChunkerPolicy, type ChunkerPolicy } from "../chunker/index.ts";
import type { MasterKey } from "../crypto/keys.ts";
import { blobId } from "../crypto/keys.ts";
import { IntegrityError, LifeboatError } from "../errors/index.ts";
import { decodeContentList } from "../model/contentlist.ts";
import { decodeTree, type BlobType, type Tree } from "../model/index.ts";
import { ObjectCache, defaultCacheDir, type CachedType } from "./cache.ts";
import type { RepoConfig } from "./config.ts";
import { decompress } from "./compress.ts";
import { validateIndexFile, type IndexEntry, type IndexFile } from "./index/indexfile.ts";
import { MasterIndex, packsToIndexFile } from "./index/masterindex.ts";
import { acquireLock, type LockOptions } from "./lock.ts";

/** HeldLock is what lock() returns: release it in a finally; `lost` aborts if the lock vanishes. */
export interface HeldLock {
  readonly lost: AbortSignal;
  release(): Promise<void>;
}
import { decodeObject, encodeObject, sha256hex } from "./objects.ts";
import { openBlob, type LocatedBlob } from "./pack/format.ts";
import { Uploader, type BlobSaver } from "./uploader.ts";
import { CodecPool } from "./codec/pool.ts";
import { Semaphore } from "../util/semaphore.ts";
import { release } from "../util/release.ts";

/** DecodedRun is a run's plaintexts (or why each is damaged); release() frees them at once. */
export interface DecodedRun {
  plains: (Buffer | IntegrityError)[];
  release(): void;
}

// A run below this is decoded inline: the thread hop would cost more than it saves.
const POOL_MIN_RUN = 256 * 1024;

// Content list blobs of one tree loaded at once: each is a small ranged read, so a few in
// flight hide backend latency without a flood of requests for a 1,000-list file.
const CONTENT_LIST_CONCURRENCY = 8;

/**
 * Database copies (SQLite backup() output) change pages in place at fixed offsets: fixed
 * 8 KiB blocks stored 1.6 MB/hour for a 78 MB messages.db where FastCDC at 1 MiB stored
 * 24 MB/hour (docs/design.md, bench/sqlite-capture.ts).
 * Append-mostly text (dumps, JSONL transcripts, logs, markdown) changes at its end or in
 * small places: FastCDC at 64 KiB average re-stores about 64 KiB per change where the
 * default 1 MiB re-stored a whole megabyte (the bench PostgreSQL dump: 812 KiB stored an
 * hour before, 206 KiB after; docs/design.md §14).
 */
const TEXT_CHUNKS = { name: "fastcdc", params: { min: 16 * 1024, avg: 64 * 1024, max: 256 * 1024 } };
export const CHUNKER_CLASSES = {
  database: { name: "fixed", params: { size: 8192 } },
  text: TEXT_CHUNKS,
  // Database dumps cut like text (same chunker, so dumps taken before this class existed
  // still deduplicate); the class only changes their compression level.
  dump: TEXT_CHUNKS,
};

/**
 * zstd level per file class (default 3). Level 1 compressed 8 KiB SQLite blocks at 196 MB/s
 * against 156 MB/s, to a 1% larger size, and pg_dump text at 251 against 180 MB/s to the
 * same size; on markdown and JSONL it lost 3-4% of ratio for no speed (bench/agent, issue 4).
 */
const CLASS_LEVELS: Record<string, number> = { database: 1, dump: 1 };

/** compressionLevel is the zstd level for new blobs of a file of `fileClass`. */
export function compressionLevel(fileClass?: string): number | undefined {
  return fileClass === undefined ? undefined : CLASS_LEVELS[fileClass];
}

const TEXT_FILE = /\.(jsonl|ndjson|json|md|markdown|txt|log|csv|tsv|sql)$/i;

/** textClassOf gives files whose name says they are text the "text" class. */
export function textClassOf(path: string): string | undefined {
  return TEXT_FILE.test(path) ? "text" : undefined;
}

export interface RepositoryOptions {
  /** Folder for the local index/snapshot cache; null disables it. */
  cacheDir?: string | null;
  signal?: AbortSignal | undefined;
  keyName?: string;
}

export interface LoadIndexResult {
  /** Index objects that failed to load (damaged); their packs may be unindexed. */
  damaged: IntegrityError[];
}

export class Repository {
  readonly backend: Backend;
  readonly key: MasterKey;
  readonly config: RepoConfig;
  /** Name of the key file that opened this repository. */
  readonly keyName: string | undefined;
  readonly index = new MasterIndex();
  readonly secret: Uint8Array;
  private readonly cache: ObjectCache | null;
  private indexLoaded = false;
  private policy: ChunkerPolicy | undefined;
  private pool: CodecPool | undefined;

  constructor(be: Backend, key: MasterKey, secret: Uint8Array, config: RepoConfig, opts: RepositoryOptions) {
    this.backend = be;
    this.key = key;
    this.secret = secret;
    this.config = config;
    this.keyName = opts.keyName;
    const dir = opts.cacheDir === undefined ? defaultCacheDir() : opts.cacheDir;
    this.cache = dir === null ? null : new ObjectCache(dir, config.id);
  }

  chunkerPolicy(): ChunkerPolicy {
    this.policy ??= createChunkerPolicy({ key: this.key.chunker, fastcdc: this.config.chunker, classes: CHUNKER_CLASSES, classOf: textClassOf });
    return this.policy;
  }

  /**
   * lock takes a repository lock. A read-only repository cannot write a lock object: shared
   * (reading) work then runs unlocked, as restic's --no-lock, and exclusive work is refused.
   */
  async lock(opts: LockOptions): Promise<HeldLock> {
    if (!this.backend.properties.readOnly) return acquireLock(this.backend, this.key.data, opts);
    if (opts.exclusive) throw new LifeboatError("this command changes the repository, but it is opened read-only", { hint: "run it without --read-only" });
    return { lost: new AbortController().signal, release: async () => undefined };
  }

  /** loadObject loads and verifies an unpacked object, through the cache where it applies. */
  async loadObject<T>(type: FileType, name: string, signal?: AbortSignal): Promise<T> {
    const cached = type === "index" || type === "snapshot" ? await this.cache?.get(type, name) : null;
    const bytes = cached ?? (await this.backend.load({ type, name }, undefined, { signal }));
    const value = decodeObject<T>(this.key.data, type, bytes, name);
    if (!cached && this.cache && (type === "index" || type === "snapshot")) await this.cache.put(type, name, bytes);
    return value;
  }

  /** saveObject stores an unpacked object and returns its name (SHA-256 of its bytes). */
  async saveObject(type: FileType, value: unknown, signal?: AbortSignal): Promise<string> {
    const bytes = encodeObject(this.key.data, type, value);
    const name = sha256hex(bytes);
    await this.backend.save({ type, name }, bytes, { signal });
    if (this.cache && (type === "index" || type === "snapshot")) await this.cache.put(type as CachedType, name, bytes);
    return name;
  }

  async listNames(type: FileType, signal?: AbortSignal): Promise<string[]> {
    const names: string[] = [];
    for await (const fi of this.backend.list(type, { signal })) names.push(fi.name);
    return names;
  }

  /** loadIndex reads every index object once. With tolerateDamage, damaged ones are reported, not thrown. */
  async loadIndex(opts: { signal?: AbortSignal | undefined; tolerateDamage?: boolean } = {}): Promise<LoadIndexResult> {
    const damaged: IntegrityError[] = [];
    if (this.indexLoaded) return { damaged };
    const names = await this.listNames("index", opts.signal);
    for (const name of names) {
      try {
        this.index.addIndexFile(name, validateIndexFile(await this.loadObject<IndexFile>("index", name, opts.signal)));
      } catch (err) {
        const e = err instanceof IntegrityError ? err : new IntegrityError(`index ${name}`, (err as Error).message, err);
        if (!opts.tolerateDamage) throw e;
        damaged.push(e);
      }
    }
    await this.cache?.retain("index", new Set(names));
    this.indexLoaded = true;
    return { damaged };
  }

  /** writeIndex stores one index object for packs that are already durable. */
  async writeIndex(packs: [string, LocatedBlob[]][], supersedes?: string[], signal?: AbortSignal): Promise<string> {
    const id = await this.saveObject("index", packsToIndexFile(packs, supersedes), signal);
    this.index.indexIds.add(id);
    return id;
  }

  /**
   * withUploader runs `fn` with a BlobSaver. When fn resolves, remaining packs are uploaded
   * and indexed before withUploader resolves; only then may a snapshot reference the blobs.
   */
  async withUploader<T>(fn: (saver: BlobSaver) => Promise<T>, opts: { signal?: AbortSignal | undefined; ready?: Promise<void> | undefined } = {}): Promise<T> {
    const up = new Uploader({
      backend: this.backend, key: this.key, index: this.index, packSize: this.config.packSize, signal: opts.signal, codec: this.codec(), ready: opts.ready,
      writeIndex: async (packs) => { await this.writeIndex(packs); },
    });
    try {
      const result = await fn(up);
      await up.finish();
      return result;
    } catch (err) {
      await up.abandon();
      throw err;
    }
  }

  /** loadBlob returns a verified plaintext blob. */
  async loadBlob(id: string, signal?: AbortSignal): Promise<Buffer> {
    const e = this.index.get(id);
    if (!e) throw new IntegrityError(`blob ${id.slice(0, 8)}`, "not in the index");
    const sealed = await this.backend.load({ type: "pack", name: e.packId }, { offset: e.offset, length: e.length }, { signal });
    return this.decodeBlob(id, e, sealed);
  }

  /** decodeBlob decrypts, decompresses and checks a blob's bytes against its keyed id. */
  async decodeBlob(id: string, e: IndexEntry, sealed: Uint8Array): Promise<Buffer> {
    const where = `pack ${e.packId}`;
    let plain: Buffer;
    try {
      const opened = openBlob(this.key.data, id, sealed);
      plain = e.compressed ? decompress(opened, e.rawLength) : opened;
    } catch (cause) {
      throw new IntegrityError(where, `blob ${id.slice(0, 8)} is damaged`, cause);
    }
    if (blobId(this.key, plain) !== id) throw new IntegrityError(where, `blob ${id.slice(0, 8)} does not match its id`);
    return plain;
  }

  /**
   * loadTree returns a verified tree with every file's `content` filled in: content list
   * blobs are loaded and expanded (their ids stay in `contentLists` for reachability walks).
   * A missing, damaged or malformed list blob throws an IntegrityError naming the file.
   */
  async loadTree(id: string, signal?: AbortSignal): Promise<Tree> {
    const tree = decodeTree(await this.loadBlob(id, signal));
    const jobs = new Semaphore(CONTENT_LIST_CONCURRENCY);
    await Promise.all(tree.nodes.map(async (n) => {
      if (n.contentLists === undefined) return;
      const lists = await Promise.all(n.contentLists.map((listId) => jobs.run(() => this.loadContentList(listId, n.name, signal))));
      n.content = lists.flat();
    }));
    return tree;
  }

  /** loadContentList loads and verifies one content list blob of the file `path`. */
  async loadContentList(id: string, path: string, signal?: AbortSignal): Promise<string[]> {
    const object = `blob ${id.slice(0, 8)}`;
    let bytes: Buffer;
    try {
      bytes = await this.loadBlob(id, signal);
    } catch (err) {
      if (!(err instanceof IntegrityError)) throw err;
      const reason = err.message.startsWith(`${err.object}: `) ? err.message.slice(err.object.length + 2) : err.message;
      throw new IntegrityError(err.object, `content list of ${path}: ${reason}`, err);
    }
    try {
      return decodeContentList(bytes);
    } catch (cause) {
      throw new IntegrityError(object, `content list of ${path} is malformed`, cause);
    }
  }

  blobType(id: string): BlobType | undefined {
    return this.index.get(id)?.type;
  }

  /**
   * codec returns the worker pool for blob encoding and decoding, started on first use with
   * `size` workers (default: one per core but one, which stays with the reading thread).
   */
  codec(size?: number): CodecPool {
    this.pool ??= new CodecPool({ dataKey: this.key.data, idKey: this.key.id }, size);
    return this.pool;
  }

  /**
   * decodeRun verifies a run of adjacent blobs read with one ranged load (restore), on the
   * worker pool when the run is large enough to pay for the hop. Damaged blobs come back as
   * IntegrityErrors in place of their plaintext.
   */
  async decodeRun(blobs: { id: string; e: IndexEntry; start: number }[], run: Uint8Array): Promise<DecodedRun> {
    if (run.length < POOL_MIN_RUN) {
      const plains = await Promise.all(blobs.map((b) => this.decodeBlob(b.id, b.e, run.subarray(b.start, b.start + b.e.length)).catch((err: unknown) => err as IntegrityError)));
      return { plains, release: () => undefined };
    }
    const entries = blobs.map((b) => ({ id: b.id, start: b.start, length: b.e.length, rawLength: b.e.rawLength, compressed: b.e.compressed }));
    const { data, errors } = await this.codec().open(entries, run);
    const whole = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    let at = 0;
    const plains = blobs.map((b, i) => {
      const plain = whole.subarray(at, at + b.e.rawLength);
      at += b.e.rawLength;
      const err = errors[i];
      return typeof err === "string" ? new IntegrityError(`pack ${b.e.packId}`, `blob ${b.id.slice(0, 8)} is damaged: ${err}`) : plain;
    });
    return { plains, release: () => release(new Uint8Array(data.buffer)) };
  }

  async close(): Promise<void> {
    await this.pool?.close();
    this.pool = undefined;
    await this.backend.close();
  }
}
