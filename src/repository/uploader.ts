/**
 * @module repository/uploader
 * The only way blobs enter the repository. `withUploader` (repository.ts) creates one,
 * lets the caller save blobs, then flushes packs and writes the index before returning:
 * that scope is what makes "packs, then index, then snapshot" hard to get wrong.
 * Index objects are also written every few packs, so a killed backup leaves packs the
 * next one can reuse.
 */
import type { Backend } from "../backends/backend.ts";
import { blobId, type MasterKey } from "../crypto/keys.ts";
import type { BlobType } from "../model/index.ts";
import { maybeCompress, ZSTD_LEVEL } from "./compress.ts";
import type { MasterIndex } from "./index/masterindex.ts";
import type { LocatedBlob, PackedBlob } from "./pack/format.ts";
import { sealBlob } from "./pack/format.ts";
import { PackBuffers, Packer, type FinishedPack } from "./pack/packer.ts";
import type { CodecPool, SealedBlob } from "./codec/pool.ts";
import { release } from "../util/release.ts";

export interface SaveResult {
  id: string;
  /** True if the repository (or this session) already had the blob. */
  known: boolean;
}

/** UploadStats counts what a session added; final once withUploader has returned. */
export interface UploadStats {
  blobsNew: number;
  /** Sealed bytes added to packs. */
  bytesStored: number;
}

/** BlobSaver is what the backup stage needs from the repository. */
export interface BlobSaver {
  /**
   * saveBlob stores `data` unless the repository has it. With `transfer`, the saver may take
   * the buffer (it is detached, moved to a worker thread): pass it only for a buffer the
   * caller will not touch again, such as a chunk fresh from the chunker. Without it, `data`
   * is copied or fully read before saveBlob returns its promise, so the caller may reuse the
   * buffer at once. `level` is the zstd level for a new blob (default 3).
   */
  saveBlob(type: BlobType, data: Uint8Array, opts?: SaveBlobOptions): Promise<SaveResult>;
  /**
   * lookup answers at once, without a promise, whether the repository has `data`: its id and
   * whether it is known, or null when it cannot tell yet (the index is still loading, or the
   * blob is large enough to be hashed on a worker). A caller passes an unknown blob's id on
   * to saveBlob. Most blocks of an hourly backup are known: without a promise and an async
   * call for each of the SQLite copy's 19k, that backup took 3.50 s instead of 3.77 (issue 4).
   */
  lookup?(data: Uint8Array): { id: string; known: boolean } | null;
  /** What this session added so far (all of it once withUploader has returned). */
  readonly stats: UploadStats;
}

export interface SaveBlobOptions {
  transfer?: boolean;
  level?: number;
  /** The blob's id as this saver's lookup() returned it for `data`: not computed again. */
  id?: string | undefined;
}

export interface UploaderDeps {
  backend: Backend;
  key: MasterKey;
  index: MasterIndex;
  packSize: number;
  writeIndex(packs: [string, LocatedBlob[]][]): Promise<void>;
  /** Worker threads for compression and sealing; without it everything runs inline. */
  codec?: CodecPool | undefined;
  /**
   * Resolves when the lock is held and `index` is loaded (backup/session.ts): blobs wait
   * for it before they are looked up, and finish() before anything is written.
   */
  ready?: Promise<void> | undefined;
  signal?: AbortSignal | undefined;
}

// Blobs below this are hashed here. Each post to a worker costs ~40 µs, and a known blob
// costs three (hash, reply, drop): the hourly backup's 1,650 dump chunks of ~64 KiB spent
// 200 ms in postMessage to find 99% already stored, where hashing them here takes ~70 ms.
// Larger blobs (FastCDC's 1 MiB default) are hashed on a worker, off the reading thread.
const HASH_HERE_BELOW = 512 * 1024;

// A new blob at least this large that the caller hands over goes to a worker on its own;
// smaller ones are copied into batches (codec/pool.ts sealSmall).
const SEAL_ALONE_FROM = 64 * 1024;

// Index every few packs: bounds the work a crash loses without flooding index/.
const INDEX_EVERY_PACKS = 8;

// Each pack in flight holds up to 16 MiB of memory; two keep a connection busy while the
// next pack fills. A backend may ask for fewer (`packUploads`: the local one, one).
const MAX_PACKS_IN_FLIGHT = 2;

// Raw bytes of new blobs accepted but not yet in a pack (being compressed and sealed): a
// caller past this waits. saveBlob returns once a blob's id is known, not once it is
// sealed, so a file does not wait for its blobs' turn on a busy worker: in the initial
// backup of the bench agent, files waited on seals queued behind the database's, and both
// threads sat ~30% idle (bench/agent, issue 4).
const MAX_SEALING_BYTES = 16 * 1024 * 1024;

export class Uploader implements BlobSaver {
  readonly stats: UploadStats = { blobsNew: 0, bytesStored: 0 };
  private readonly packers: Record<BlobType, Packer>;
  private readonly pending = new Set<string>();
  private readonly uploads = new Set<Promise<void>>();
  private readonly sealing = new Set<Promise<void>>();
  private sealingBytes = 0;
  private roomWaiters: (() => void)[] = [];
  // Sealed blobs join packs one at a time, in this chain: a full pack waiting for an upload
  // slot holds back the next additions, and through sealingBytes, the callers.
  private packing: Promise<void> = Promise.resolve();
  private unindexed: [string, LocatedBlob[]][] = [];
  private indexWrite: Promise<void> = Promise.resolve();
  private failure: unknown = null;
  private readonly maxInFlight: number;
  private readonly deps: UploaderDeps;
  private ready: Promise<void> | null;

  constructor(deps: UploaderDeps) {
    this.deps = deps;
    this.maxInFlight = Math.max(1, Math.min(deps.backend.properties.packUploads ?? MAX_PACKS_IN_FLIGHT, deps.backend.properties.connections));
    this.packers = { data: new Packer(deps.packSize, new PackBuffers(this.maxInFlight + 1)), tree: new Packer(deps.packSize, null) };
    this.ready = deps.ready ?? null;
    this.ready?.then(() => { this.ready = null; }, () => undefined);
  }

  async saveBlob(type: BlobType, data: Uint8Array, opts: SaveBlobOptions = {}): Promise<SaveResult> {
    // Until ready, the blob waits as a copy: the caller may reuse `data` once this returns.
    if (this.ready) return this.saveWhenReady(type, opts.transfer ? data : new Uint8Array(data), { ...opts, transfer: true });
    this.throwIfFailed();
    const rawLength = data.length;
    const codec = this.deps.codec;
    const held = codec && rawLength >= HASH_HERE_BELOW ? await codec.hash(opts.transfer ? data : new Uint8Array(data)) : null;
    const id = held?.id ?? opts.id ?? blobId(this.deps.key, data);
    if (this.isKnown(id)) {
      held?.drop();
      // A buffer handed over is ours: freed now rather than at the next GC (most chunks of
      // an hourly backup are known).
      if (opts.transfer) release(data);
      return { id, known: true };
    }
    this.pending.add(id);
    this.stats.blobsNew++;
    const level = opts.level ?? ZSTD_LEVEL;
    // Every branch takes or copies `data` before returning its promise.
    const sealed = held ? held.seal(level)
      : !codec ? Promise.resolve(encodeInline(this.deps.key.data, id, data, level))
      : opts.transfer && rawLength >= SEAL_ALONE_FROM ? codec.seal(id, data, level)
      : codec.sealSmall(id, data, level);
    // Copied into a batch (or sealed inline): a buffer handed over is freed now (one moved to
    // a worker is detached, and release leaves it). The initial backup's thousands of small
    // text chunks were otherwise tens of MB of dead external memory (peak RSS, issue 4).
    if (opts.transfer) release(data);
    this.sealingBytes += rawLength;
    const done: Promise<void> = sealed
      .then((s) => this.enqueuePack(type, { id, type, length: s.sealed.length, rawLength, compressed: s.compressed }, s))
      .catch((err: unknown) => { this.failure ??= new Error(`seal blob ${id.slice(0, 8)}`, { cause: err }); })
      .finally(() => {
        this.sealingBytes -= rawLength;
        this.sealing.delete(done);
        this.wake();
      });
    this.sealing.add(done);
    while (this.sealingBytes > MAX_SEALING_BYTES && this.failure === null) await new Promise<void>((r) => this.roomWaiters.push(r));
    return { id, known: false };
  }

  lookup(data: Uint8Array): { id: string; known: boolean } | null {
    if (this.ready || (this.deps.codec && data.length >= HASH_HERE_BELOW)) return null;
    this.throwIfFailed();
    const id = blobId(this.deps.key, data);
    return { id, known: this.isKnown(id) };
  }

  /** isKnown: stored already, or being saved by this session (so not stored twice). */
  private isKnown(id: string): boolean {
    return this.deps.index.has(id) || this.pending.has(id);
  }

  private async saveWhenReady(type: BlobType, data: Uint8Array, opts: SaveBlobOptions): Promise<SaveResult> {
    await this.ready;
    return this.saveBlob(type, data, opts);
  }

  private wake(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const w of waiters) w();
  }

  /** enqueuePack adds a sealed blob to its packer, in order with the others; resolves once added. */
  private enqueuePack(type: BlobType, blob: PackedBlob, s: SealedBlob): Promise<void> {
    const added = this.packing.then(async () => {
      this.throwIfFailed();
      const packer = this.packers[type];
      packer.add(s.sealed, blob);
      // Copied into the pack: free it now (sealed buffers are external memory V8 frees late).
      if (s.done) s.done();
      else release(s.sealed);
      this.stats.bytesStored += blob.length;
      if (packer.bytes >= this.deps.packSize) await this.flushPacker(type);
    });
    this.packing = added.catch(() => undefined);
    return added;
  }

  /** settle waits until every accepted blob is in a pack (or has failed). */
  private async settle(): Promise<void> {
    while (this.sealing.size > 0) await Promise.all(this.sealing);
    await this.packing;
  }

  /** finish uploads what is left and writes the index for every pack of this session. */
  async finish(): Promise<void> {
    await this.ready;
    await this.settle();
    this.throwIfFailed();
    await this.flushPacker("data");
    await this.flushPacker("tree");
    await this.drain();
    this.queueIndexWrite();
    await this.indexWrite;
    this.throwIfFailed();
  }

  /** abandon waits for in-flight work and indexes what is durable, so it can be reused. */
  async abandon(): Promise<void> {
    await this.settle().catch(() => undefined);
    await this.drain().catch(() => undefined);
    this.queueIndexWrite();
    await this.indexWrite.catch(() => undefined);
  }

  private async flushPacker(type: BlobType): Promise<void> {
    const pack = this.packers[type].finish(this.deps.key.data);
    if (!pack) return;
    while (this.uploads.size >= this.maxInFlight) await Promise.race(this.uploads);
    this.throwIfFailed();
    const p = this.upload(pack).finally(() => this.uploads.delete(p));
    this.uploads.add(p);
  }

  private async upload(pack: FinishedPack): Promise<void> {
    try {
      await this.deps.backend.save({ type: "pack", name: pack.id }, pack.bytes, { signal: this.deps.signal });
    } catch (err) {
      this.failure ??= new Error(`save pack ${pack.id.slice(0, 8)}`, { cause: err });
      return;
    } finally {
      pack.recycle();
    }
    this.deps.index.addPack(pack.id, pack.blobs);
    for (const b of pack.blobs) this.pending.delete(b.id);
    this.unindexed.push([pack.id, pack.blobs]);
    if (this.unindexed.length >= INDEX_EVERY_PACKS) this.queueIndexWrite();
  }

  private queueIndexWrite(): void {
    if (this.unindexed.length === 0) return;
    const batch = this.unindexed;
    this.unindexed = [];
    this.indexWrite = this.indexWrite.then(() => this.deps.writeIndex(batch)).catch((err: unknown) => {
      this.failure ??= new Error("save index", { cause: err });
    });
  }

  private async drain(): Promise<void> {
    while (this.uploads.size > 0) await Promise.race(this.uploads);
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }
}

function encodeInline(dataKey: Uint8Array, id: string, data: Uint8Array, level: number): { sealed: Uint8Array; compressed: boolean } {
  const compressed = maybeCompress(data, level);
  return { sealed: sealBlob(dataKey, id, compressed ?? data), compressed: compressed !== null };
}
