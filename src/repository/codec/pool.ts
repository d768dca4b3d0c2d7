/**
 * @module repository/codec/pool
 * A small pool of worker threads doing the CPU-heavy blob work (zstd, AES-GCM, HMAC) so a
 * backup or restore uses every core; the main thread keeps reading, chunking and writing.
 * Blobs below a threshold are cheaper to do inline than to post, and stay on the caller.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { CodecReply, CodecRequest, OpenEntry } from "./protocol.ts";
import { release as releaseBuffer } from "../../util/release.ts";

type Pending = { resolve(r: CodecReply): void; reject(e: unknown): void };

/** HeldBlob is a blob a worker has hashed and keeps until seal() or drop(). */
export interface HeldBlob {
  id: string;
  seal(level: number): Promise<{ sealed: Uint8Array; compressed: boolean }>;
  drop(): void;
}

interface Batch {
  ids: string[];
  levels: number[];
  lengths: number[];
  /** Blobs back to back, in the pool's gather buffer; flushBatch copies them out and transfers the copy. */
  buf: Buffer;
  bytes: number;
  waiters: { resolve(r: SealedBlob): void; reject(e: unknown): void }[];
}

export interface SealedBlob {
  sealed: Uint8Array;
  compressed: boolean;
  /**
   * done, when present, says the caller has copied `sealed` (a slice of a buffer shared by a
   * batch): the batch's memory is freed once all its blobs are done, not at the next GC.
   */
  done?: () => void;
}

/**
 * Small blobs are sent in batches of up to this many bytes: one post per 8 KiB database
 * block cost more than sealing it, so the main thread sealed them itself and spent 1.9 s of
 * a 10.4 s initial backup in zstd (bench agent, issue 4).
 */
const BATCH_BYTES = 1024 * 1024;

interface Slot {
  worker: Worker;
  busy: number;
}

const WORKER_URL = new URL(import.meta.url.endsWith(".ts") ? "./worker.ts" : "./worker.js", import.meta.url);

export class CodecPool {
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, Pending>();
  private next = 1;
  private failed: unknown = null;
  private batch: Batch | undefined;
  private gather = Buffer.allocUnsafeSlow(BATCH_BYTES);

  // One core stays with the main thread (reading, chunking, packing). Two workers on two cores
  // were no faster than one (4.5 s vs 4.8 s for 307 MB) and cost 90 MB more peak RSS.
  constructor(keys: { dataKey: Uint8Array; idKey: Uint8Array }, size = Math.max(1, Math.min(3, availableParallelism() - 1))) {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(WORKER_URL, { workerData: keys });
      worker.on("message", (r: CodecReply) => this.settle(r));
      worker.on("error", (err) => this.fail(err));
      worker.on("exit", (code) => { if (code !== 0) this.fail(new Error(`codec worker exited with code ${code}`)); });
      // Referenced only while a job is in flight (see post). After the listeners: adding a
      // "message" listener re-references the worker's port.
      worker.unref();
      this.slots.push({ worker, busy: 0 });
    }
  }

  /**
   * hash sends a blob to a worker (`data` is transferred away) and returns its keyed id with
   * a handle: call seal() if the repository lacks the blob, drop() if it has it.
   */
  async hash(data: Uint8Array): Promise<HeldBlob> {
    const slot = this.pick();
    const r = await this.post(slot, (job) => ({ t: "hash", job, data: transferable(data) }));
    if (r.t !== "hashed") throw new Error("codec: unexpected reply");
    const job = r.job;
    return {
      id: r.id,
      seal: async (level) => {
        const s = await this.post(slot, () => ({ t: "seal", job, id: r.id, level }), job);
        if (s.t !== "sealed") throw new Error("codec: unexpected reply");
        return { sealed: s.sealed, compressed: s.compressed };
      },
      drop: () => slot.worker.postMessage({ t: "drop", job } satisfies CodecRequest),
    };
  }

  /** seal compresses and seals a blob the repository lacks on a worker; `data` is transferred away. */
  async seal(id: string, data: Uint8Array, level: number): Promise<SealedBlob> {
    const r = await this.post(this.pick(), (job) => ({ t: "sealData", job, id, level, data: transferable(data) }));
    if (r.t !== "sealed") throw new Error("codec: unexpected reply");
    return { sealed: r.sealed, compressed: r.compressed };
  }

  /**
   * sealSmall compresses and seals a small blob the repository lacks, on a worker, together
   * with the others queued in the same turn of the event loop. `data` is copied.
   */
  sealSmall(id: string, data: Uint8Array, level: number): Promise<SealedBlob> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.batch !== undefined && this.batch.bytes + data.length > this.batch.buf.length) this.flushBatch(this.batch);
    if (this.batch === undefined) {
      // Blobs gather in one reused buffer, copied out at the flush at their exact size: one
      // allocation per batch, not one per blob (per-blob buffers kept V8 in back-to-back full
      // GCs), nor a 1 MiB one for the ~150 KiB a turn of the event loop gathers on average
      // (1 GB of allocations in the bench agent's initial backup, issue 4).
      if (this.gather.length < data.length) this.gather = Buffer.allocUnsafeSlow(data.length);
      const b: Batch = { ids: [], levels: [], lengths: [], buf: this.gather, bytes: 0, waiters: [] };
      this.batch = b;
      setImmediate(() => this.flushBatch(b));
    }
    const b = this.batch;
    b.ids.push(id);
    b.levels.push(level);
    b.lengths.push(data.length);
    b.buf.set(data, b.bytes);
    b.bytes += data.length;
    const p = new Promise<SealedBlob>((resolve, reject) => b.waiters.push({ resolve, reject }));
    if (b.bytes >= BATCH_BYTES) this.flushBatch(b);
    return p;
  }

  private flushBatch(b: Batch): void {
    if (this.batch === b) this.batch = undefined;
    if (b.ids.length === 0 || b.waiters.length === 0) return;
    const waiters = b.waiters.splice(0);
    const exact = Buffer.allocUnsafeSlow(b.bytes);
    b.buf.copy(exact, 0, 0, b.bytes);
    const data = exact.buffer as ArrayBuffer;
    this.post(this.pick(), (job) => ({ t: "sealMany", job, ids: b.ids, lengths: b.lengths, levels: b.levels, data })).then((r) => {
      if (r.t !== "sealedMany") throw new Error("codec: unexpected reply");
      let at = 0;
      let open = r.lengths.length;
      const done = () => { if (--open === 0) releaseBuffer(new Uint8Array(r.sealed.buffer)); };
      r.lengths.forEach((n, i) => {
        waiters[i]!.resolve({ sealed: r.sealed.subarray(at, at + n), compressed: r.compressed[i]!, done });
        at += n;
      });
    }).catch((err: unknown) => { for (const w of waiters) w.reject(err); });
  }

  /**
   * open authenticates, inflates and checks the blobs of one contiguous run: `data` holds
   * the plaintexts back to back (blob i at the sum of the raw lengths before it), `errors`
   * null or why each blob is damaged.
   */
  async open(entries: OpenEntry[], run: Uint8Array): Promise<{ data: Uint8Array; errors: (string | null)[] }> {
    const r = await this.post(this.pick(), (job) => ({ t: "open", job, entries, data: transferable(run) }));
    if (r.t !== "opened") throw new Error("codec: unexpected reply");
    return { data: r.data, errors: r.errors };
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private pick(): Slot {
    return this.slots.reduce((a, b) => (b.busy < a.busy ? b : a));
  }

  /** post sends one request to `slot`; `reuse` is the job of a blob the worker holds. */
  private post(slot: Slot, make: (job: number) => CodecRequest, reuse?: number): Promise<CodecReply> {
    if (this.failed) return Promise.reject(this.failed);
    const job = reuse ?? this.next++;
    const req = make(job);
    return new Promise<CodecReply>((resolve, reject) => {
      this.pending.set(job, {
        resolve: (r) => { release(slot); resolve(r); },
        reject: (e) => { release(slot); reject(e); },
      });
      if (slot.busy++ === 0) slot.worker.ref();
      slot.worker.postMessage(req, "data" in req ? [req.data] : []);
    });
  }

  private settle(r: CodecReply): void {
    const p = this.pending.get(r.job);
    this.pending.delete(r.job);
    p?.resolve(r);
  }

  private fail(err: unknown): void {
    this.failed ??= new Error("codec worker failed", { cause: err });
    for (const p of this.pending.values()) p.reject(this.failed);
    this.pending.clear();
  }
}

function release(slot: Slot): void {
  if (--slot.busy === 0) slot.worker.unref();
}

/** transferable returns an ArrayBuffer holding exactly `u`, copying only if `u` is a view. */
function transferable(u: Uint8Array): ArrayBuffer {
  if (u.byteOffset === 0 && u.byteLength === u.buffer.byteLength && u.buffer instanceof ArrayBuffer) return u.buffer;
  // A copy, never u.slice(): on a Buffer that is a view, and its .buffer may be the shared pool.
  return new Uint8Array(u).buffer as ArrayBuffer;
}
