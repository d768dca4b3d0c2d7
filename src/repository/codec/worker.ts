/**
 * @module repository/codec/worker
 * A codec worker thread: compresses and seals new blobs, and opens, inflates and checks
 * stored ones, off the main thread. It holds the data and blob-id keys it was started with
 * and nothing else.
 */
import { parentPort, workerData } from "node:worker_threads";
import { createHmac, createSecretKey } from "node:crypto";
import { openBlob, sealBlob } from "../pack/format.ts";
import { decompress, maybeCompress } from "../compress.ts";
import type { CodecRequest, CodecReply, OpenEntry } from "./protocol.ts";
import { release } from "../../util/release.ts";

const { dataKey, idKey } = workerData as { dataKey: Uint8Array; idKey: Uint8Array };
const idKeyObject = createSecretKey(idKey);

function sealOne(id: string, data: Uint8Array, level: number): CodecReply {
  const compressed = maybeCompress(data, level);
  const sealed = sealBlob(dataKey, id, compressed ?? data);
  return { t: "sealed", job: 0, sealed, compressed: compressed !== null };
}

function openOne(e: OpenEntry, bytes: Uint8Array): Uint8Array | string {
  try {
    const opened = openBlob(dataKey, e.id, bytes.subarray(e.start, e.start + e.length));
    const plain = e.compressed ? decompress(opened, e.rawLength) : opened;
    if (createHmac("sha256", idKeyObject).update(plain).digest("hex") !== e.id) return "does not match its id";
    return plain;
  } catch (err) {
    return (err as Error).message;
  }
}

const held = new Map<number, Uint8Array>();

parentPort!.on("message", (req: CodecRequest) => {
  if (req.t === "hash") {
    const data = new Uint8Array(req.data);
    held.set(req.job, data);
    parentPort!.postMessage({ t: "hashed", job: req.job, id: createHmac("sha256", idKeyObject).update(data).digest("hex") } satisfies CodecReply);
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
  const results = req.entries.map((e) => openOne(e, new Uint8Array(req.data)));
  // Transfer only buffers that own their whole ArrayBuffer: a small Buffer is a slice of the
  // shared pool, and transferring the pool would detach every other small Buffer here.
  const transfer = results
    .filter((r): r is Uint8Array => typeof r !== "string" && r.byteOffset === 0 && r.byteLength === r.buffer.byteLength)
    .map((r) => r.buffer as ArrayBuffer)
    .filter((b, i, all) => all.indexOf(b) === i && b !== req.data);
  parentPort!.postMessage({ t: "opened", job: req.job, results } satisfies CodecReply, transfer);
  release(new Uint8Array(req.data));
});

function sealMany(req: CodecRequest & { t: "sealMany" }): [CodecReply, ArrayBuffer[]] {
  const data = new Uint8Array(req.data);
  const parts: Uint8Array[] = [];
  const compressed: boolean[] = [];
  let at = 0;
  req.ids.forEach((id, i) => {
    const n = req.lengths[i]!;
    const r = sealOne(id, data.subarray(at, at + n), req.levels[i]!) as CodecReply & { t: "sealed" };
    parts.push(r.sealed);
    compressed.push(r.compressed);
    at += n;
  });
  const sealed = Buffer.concat(parts);
  const reply: CodecReply = { t: "sealedMany", job: req.job, sealed, lengths: parts.map((p) => p.length), compressed };
  return [reply, [sealed.buffer as ArrayBuffer].filter(owned(sealed))];
}

/** owned: transfer only a buffer that is the whole of its ArrayBuffer (not a pool slice). */
function owned(u: Uint8Array): (b: ArrayBuffer) => boolean {
  return (b) => u.byteOffset === 0 && u.byteLength === b.byteLength;
}
