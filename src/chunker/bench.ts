/**
 * @module chunker/bench
 * Micro-benchmark, not a test: FastCDC throughput with default sizes over 256 MiB of
 * random data fed in 64 KiB pieces (a typical file read size), best of 5 runs.
 * Run: node_modules/.bin/node src/chunker/bench.ts [MiB]
 */
import { randomBytes } from "node:crypto";
import { createFastCdc } from "./fastcdc.ts";

const MIB = 1024 * 1024;
const PIECE = 64 * 1024;
const RUNS = 5;

async function* pieces(data: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let o = 0; o < data.length; o += PIECE) yield data.subarray(o, o + PIECE);
}

async function main(): Promise<void> {
  const mib = Number(process.argv[2] ?? 256);
  const data = new Uint8Array(mib * MIB);
  // randomBytes is capped at 2^31-1 bytes per call; fill 64 MiB at a time.
  for (let o = 0; o < data.length; o += 64 * MIB) data.set(randomBytes(Math.min(64 * MIB, data.length - o)), o);
  const chunker = createFastCdc({ key: randomBytes(32) });
  let best = 0;
  for (let run = 0; run < RUNS; run++) {
    const t0 = performance.now();
    let chunks = 0;
    let bytes = 0;
    for await (const c of chunker.chunks(pieces(data))) {
      chunks++;
      bytes += c.length;
    }
    const seconds = (performance.now() - t0) / 1000;
    const mbps = bytes / 1e6 / seconds;
    best = Math.max(best, mbps);
    console.log(`run ${run + 1}: ${chunks} chunks, mean ${(bytes / chunks / MIB).toFixed(2)} MiB, ${mbps.toFixed(0)} MB/s`);
  }
  console.log(`fastcdc best of ${RUNS}: ${best.toFixed(0)} MB/s over ${mib} MiB`);
}

await main();
