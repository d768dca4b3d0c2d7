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

export interface SaveResult {
  id: string;
  /** True if the repository (or this session) already had the blob. */
  known: boolean;
  /** Bytes added to packs for this blob (0 if known). */
  stored: number;
}

/** BlobSaver is what the backup stage needs from the repository. */
export interface BlobSaver {
  saveBlob(type: BlobType, data: Uint8Array): Promise<SaveResult>;
}

export interface UploaderDeps {
  backend: Backend;
  key: MasterKey;
  index: MasterIndex;
  packSize: number;
  writeIndex(packs: [string, LocatedBlob[]][]): Promise<void>;
  signal?: AbortSignal | undefined;
}

// Index every few packs: bounds the work a crash loses without flooding index/.
const INDEX_EVERY_PACKS = 8;

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
    this.maxInFlight = Math.max(1, deps.backend.properties.connections);
  }

  async saveBlob(type: BlobType, data: Uint8Array): Promise<SaveResult> {
    this.throwIfFailed();
    const id = blobId(this.deps.key, data);
    if (this.deps.index.has(id) || this.pending.has(id)) return { id, known: true, stored: 0 };
    this.pending.add(id);
    const compressed = maybeCompress(data);
    const sealed = sealBlob(this.deps.key.data, id, compressed ?? data);
    const packer = this.packers[type];
    packer.add(sealed, { id, type, length: sealed.length, rawLength: data.length, compressed: compressed !== null });
    if (packer.bytes >= this.deps.packSize) await this.flushPacker(type);
    return { id, known: false, stored: sealed.length };
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
