/**
 * @module watch/trigger.test
 * The snapshot timing rules with real (short) timers: changes within `delay` merge, the
 * delay is not restarted by later changes, starts are `minInterval` apart, changes during a
 * run cause exactly one more run, failures are retried with the batch kept, stop cancels.
 */
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, it } from "node:test";
import { SnapshotTrigger, type ChangeBatch } from "./trigger.ts";

function recorder(runMs = 0, fail = 0) {
  const runs: { at: number; batch: ChangeBatch }[] = [];
  let failures = fail;
  const run = async (batch: ChangeBatch) => {
    runs.push({ at: Date.now(), batch });
    await sleep(runMs);
    if (failures-- > 0) throw new Error("repository down");
  };
  return { runs, run };
}

describe("SnapshotTrigger", () => {
  it("merges changes within the delay and does not restart it", async () => {
    const r = recorder();
    const t = new SnapshotTrigger({ delayMs: 300, minIntervalMs: 0, run: r.run });
    const t0 = Date.now();
    for (let i = 0; i < 4; i++) {
      t.change(`f${i}`);
      await sleep(40);
    }
    await sleep(500);
    assert.equal(r.runs.length, 1);
    assert.equal(r.runs[0]!.batch.count, 4);
    assert.deepEqual(r.runs[0]!.batch.paths, ["f0", "f1", "f2", "f3"]);
    const at = r.runs[0]!.at - t0;
    // Not restarted by the change at ~120 ms: due 300 ms after the first one.
    assert.ok(at >= 295 && at < 420, `ran ${at} ms after the first change`);
    await t.stop();
  });

  it("keeps starts at least minInterval apart", async () => {
    const r = recorder();
    const t = new SnapshotTrigger({ delayMs: 10, minIntervalMs: 300, run: r.run });
    t.change("a", true);
    await sleep(50);
    t.change("b");
    await sleep(400);
    assert.equal(r.runs.length, 2);
    const gap = r.runs[1]!.at - r.runs[0]!.at;
    assert.ok(gap >= 290, `second start ${gap} ms after the first`);
    await t.stop();
  });

  it("runs exactly once more for changes that arrive during a run", async () => {
    const r = recorder(200);
    const t = new SnapshotTrigger({ delayMs: 10, minIntervalMs: 0, run: r.run });
    t.change("a");
    await sleep(60);
    for (const p of ["b", "c", "d"]) t.change(p);
    await sleep(600);
    assert.equal(r.runs.length, 2);
    assert.deepEqual(r.runs[1]!.batch.paths, ["b", "c", "d"]);
    await t.stop();
  });

  it("retries a failed run with the same changes", async () => {
    const r = recorder(0, 1);
    const failed: number[] = [];
    const t = new SnapshotTrigger({ delayMs: 10, minIntervalMs: 50, minRetryMs: 100, run: r.run, onFailure: (_e, ms) => failed.push(ms) });
    t.change("a");
    await sleep(300);
    assert.equal(r.runs.length, 2);
    assert.deepEqual(r.runs[1]!.batch.paths, ["a"]);
    assert.equal(failed.length, 1);
    assert.ok(r.runs[1]!.at - r.runs[0]!.at >= 95);
    await t.stop();
  });

  it("stop cancels a pending snapshot and waits for a running one", async () => {
    const r = recorder(100);
    const t = new SnapshotTrigger({ delayMs: 10, minIntervalMs: 0, run: r.run });
    t.change("a");
    await sleep(30);
    t.change("b");
    const t0 = Date.now();
    await t.stop();
    assert.ok(Date.now() - t0 >= 50, "waited for the running snapshot");
    await sleep(100);
    assert.equal(r.runs.length, 1);
    t.change("c");
    await sleep(50);
    assert.equal(r.runs.length, 1);
  });
});
