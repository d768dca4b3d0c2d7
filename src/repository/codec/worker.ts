/**
 * @module repository/codec/worker
 * A codec worker thread: compresses and seals new blobs, and opens, inflates and checks
 * stored ones, off the main thread. It holds the data and blob-id keys it was started with
 * and nothing else.
 */
import { parentPort, workerData } from "node:worker_threads";
import { IdHasher } from "../../crypto/keys.ts";
import { openBlob, sealBlob, sealBlobInto } from "../pack/format.ts";
import { OVERHEAD } from "../../crypto/aead.ts";
import { decompressTo, maybeCompress, resetDecompressor } from "../compress.ts";
import type { CodecRequest, CodecReply, OpenEntry } from "./protocol.ts";
import { release } from "../../util/release.ts";

const { dataKey, idKey } = workerData as { dataKey: Uint8Array; idKey: Uint8Array };
const ids = new IdHasher(idKey);

function sealOne(id: string, data: Uint8Array, level: number): CodecReply {
  const compressed = maybeCompress(data, level);
  const sealed = sealBlob(dataKey, id, compressed ?? data);
  return { t: "sealed", job: 0, sealed, compressed: compressed !== null };
}

/** openInto opens one blob into `out` at `at`; returns null, or why the blob is damaged. */
function openInto(e: OpenEntry, bytes: Uint8Array, out: Buffer, at: number): string | null {
  try {
    const opened = openBlob(dataKey, e.id, bytes.subarray(e.start, e.start + e.length));
    // out has one byte past the last blob: room for decompressTo's length check.
    const plain = e.compressed ? decompressTo(opened, e.rawLength, out.subarray(at)) : out.subarray(at, at + opened.copy(out, at));
    if (plain.length !== e.rawLength) return `holds ${plain.length} bytes, expected ${e.rawLength}`;
    if (ids.id(plain) !== e.id) {
      resetDecompressor(); // whatever made it wrong must not reach the next frame
      return "does not match its id";
    }
    return null;
  } catch (err) {
    resetDecompressor();
    return (err as Error).message;
  }
}

/**
 * openMany decodes a run into one buffer, each blob at the sum of the raw lengths before
 * it: one transfer back instead of one per blob (19k per restore of the bench database,
 * and as many objects for the main thread's GC).
 */
function openMany(req: CodecRequest & { t: "open" }): [CodecReply, ArrayBuffer[]] {
  const bytes = new Uint8Array(req.data);
  const out = Buffer.allocUnsafeSlow(req.entries.reduce((n, e) => n + e.rawLength, 0) + 1);
  let at = 0;
  const errors = req.entries.map((e) => {
    const err = openInto(e, bytes, out, at);
    at += e.rawLength;
    return err;
  });
  release(bytes);
  return [{ t: "opened", job: req.job, data: out, errors }, [out.buffer as ArrayBuffer]];
}

const held = new Map<number, Uint8Array>();

parentPort!.on("message", (req: CodecRequest) => {
  if (req.t === "hash") {
    const data = new Uint8Array(req.data);
    held.set(req.job, data);
    parentPort!.postMessage({ t: "hashed", job: req.job, id: ids.id(data) } satisfies CodecReply);
    return;
  }
  if (req.t === "drop") {
    release(held.get(req.job));
    held.delete(req.job);
    return;
  }
  if (req.t === "seal" || req.t === "sealData") {
    const data = req.t === "seal" ? held.get(req.job)! : new Uint8Array(req.data);
    held.delete(req.job);
    const reply = { ...sealOne(req.id, data, req.level), job: req.job } as CodecReply & { t: "sealed" };
    release(data);
    parentPort!.postMessage(reply, [reply.sealed.buffer as ArrayBuffer].filter(owned(reply.sealed)));
    return;
  }
  if (req.t === "sealMany") {
    parentPort!.postMessage(...sealMany(req));
    return;
  }
  parentPort!.postMessage(...openMany(req));
});

function sealMany(req: CodecRequest & { t: "sealMany" }): [CodecReply, ArrayBuffer[]] {
  const data = new Uint8Array(req.data);
  // Sealed blobs go straight into one buffer: a blob never grows by more than the AEAD overhead.
  const out = Buffer.allocUnsafeSlow(req.lengths.reduce((n, len) => n + len + OVERHEAD, 0));
  const lengths: number[] = [];
  const compressed: boolean[] = [];
  let at = 0;
  let to = 0;
  req.ids.forEach((id, i) => {
    const plain = data.subarray(at, at + req.lengths[i]!);
    const packed = maybeCompress(plain, req.levels[i]!);
    const n = sealBlobInto(dataKey, id, packed ?? plain, out, to);
    lengths.push(n);
    compressed.push(packed !== null);
    at += plain.length;
    to += n;
  });
  release(data);
  const sealed = out.subarray(0, to);
  const reply: CodecReply = { t: "sealedMany", job: req.job, sealed, lengths, compressed };
  return [reply, [out.buffer as ArrayBuffer]];
}

/** owned: transfer only a buffer that is the whole of its ArrayBuffer (not a pool slice). */
function owned(u: Uint8Array): (b: ArrayBuffer) => boolean {
  return (b) => u.byteOffset === 0 && u.byteLength === b.byteLength;
}
