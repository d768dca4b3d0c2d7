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
import { maybeCompress } from "./compress.ts";
import type { MasterIndex } from "./index/masterindex.ts";
import type { LocatedBlob } from "./pack/format.ts";
import { sealBlob } from "./pack/format.ts";
import { Packer, type FinishedPack } from "./pack/packer.ts";
import type { CodecPool } from "./codec/pool.ts";
import { release } from "../util/release.ts";

export interface SaveResult {
  id: string;
  /** True if the repository (or this session) already had the blob. */
  known: boolean;
  /** Bytes added to packs for this blob (0 if known). */
  stored: number;
}

/** BlobSaver is what the backup stage needs from the repository. */
export interface BlobSaver {
  /**
   * saveBlob stores `data` unless the repository has it. With `transfer`, the saver may take
   * the buffer (it is detached, moved to a worker thread): pass it only for a buffer the
   * caller will not touch again, such as a chunk fresh from the chunker.
   */
  saveBlob(type: BlobType, data: Uint8Array, opts?: { transfer?: boolean }): Promise<SaveResult>;
}

export interface UploaderDeps {
  backend: Backend;
  key: MasterKey;
  index: MasterIndex;
  packSize: number;
  writeIndex(packs: [string, LocatedBlob[]][]): Promise<void>;
  /** Worker threads for compression and sealing; without it everything runs inline. */
  codec?: CodecPool | undefined;
  signal?: AbortSignal | undefined;
}

// Posting a blob to a worker costs ~50 µs: below this it is cheaper to do it here.
const POOL_MIN_BYTES = 64 * 1024;

// Index every few packs: bounds the work a crash loses without flooding index/.
const INDEX_EVERY_PACKS = 8;

// Each pack in flight holds up to 16 MiB of memory; two keep a disk or a connection busy
// while the next pack fills (the peak-RSS budget of docs/design.md §14 counts on two).
const MAX_PACKS_IN_FLIGHT = 2;

export class Uploader implements BlobSaver {
  private readonly packers: Record<BlobType, Packer> = { data: new Packer(), tree: new Packer() };
  private readonly pending = new Set<string>();
  private readonly uploads = new Set<Promise<void>>();
  private unindexed: [string, LocatedBlob[]][] = [];
  private indexWrite: Promise<void> = Promise.resolve();
  private failure: unknown = null;
  private readonly maxInFlight: number;
  private readonly deps: UploaderDeps;

  constructor(deps: UploaderDeps) {
    this.deps = deps;
    this.maxInFlight = Math.max(1, Math.min(MAX_PACKS_IN_FLIGHT, deps.backend.properties.connections));
  }

  async saveBlob(type: BlobType, data: Uint8Array, opts: { transfer?: boolean } = {}): Promise<SaveResult> {
    this.throwIfFailed();
    const rawLength = data.length;
    const useCodec = this.deps.codec && rawLength >= POOL_MIN_BYTES;
    const held = useCodec ? await this.deps.codec!.hash(opts.transfer ? data : new Uint8Array(data)) : null;
    const id = held?.id ?? blobId(this.deps.key, data);
    if (this.deps.index.has(id) || this.pending.has(id)) {
      held?.drop();
      return { id, known: true, stored: 0 };
    }
    this.pending.add(id);
    const { sealed, compressed } = held ? await held.seal()
      : this.deps.codec ? await this.deps.codec.sealSmall(id, data) : encodeInline(this.deps.key.data, id, data);
    this.throwIfFailed();
    const packer = this.packers[type];
    const stored = sealed.length; // read now: flushing the pack releases the blob's buffer
    packer.add(sealed, { id, type, length: stored, rawLength, compressed });
    if (packer.bytes >= this.deps.packSize) await this.flushPacker(type);
    return { id, known: false, stored };
  }

  /** finish uploads what is left and writes the index for every pack of this session. */
  async finish(): Promise<void> {
    await this.flushPacker("data");
    await this.flushPacker("tree");
    await this.drain();
    this.queueIndexWrite();
    await this.indexWrite;
    this.throwIfFailed();
  }

  /** abandon waits for in-flight uploads and indexes what is durable, so it can be reused. */
  async abandon(): Promise<void> {
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
      release(pack.bytes);
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

function encodeInline(dataKey: Uint8Array, id: string, data: Uint8Array): { sealed: Uint8Array; compressed: boolean } {
  const compressed = maybeCompress(data);
  return { sealed: sealBlob(dataKey, id, compressed ?? data), compressed: compressed !== null };
}
