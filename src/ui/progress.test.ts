/**
 * @module ui/progress.test
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { CLEAR_LINE, createProgress, shortenPath, statusLine, type ProgressState } from "./progress.ts";

function fakeStream(isTTY = true, columns = 80): { writes: string[]; isTTY: boolean; columns: number; write(s: string): boolean } {
  return { writes: [], isTTY, columns, write(s: string) { this.writes.push(s); return true; } };
}

test("progress: on a TTY redraws one line and done() clears it", async () => {
  const stream = fakeStream();
  const p = createProgress({ stream, intervalMs: 5 });
  p.setTotal(10, 4 * 1024 * 1024);
  p.update({ files: 3, bytes: 1024 * 1024 });
  p.setCurrent("/srv/data/" + "x".repeat(200) + "/file.bin");
  // Wait for two redraws (bounded), so the test is not at the mercy of a loaded machine.
  for (let i = 0; i < 200 && stream.writes.length < 2; i++) await sleep(5);
  assert.ok(stream.writes.length > 0, "wrote something");
  for (const w of stream.writes) {
    assert.ok(w.startsWith(CLEAR_LINE));
    assert.ok(!w.includes("\n"), "single line");
    assert.ok([...w.slice(CLEAR_LINE.length)].length <= 79, "fits the terminal");
  }
  const last = stream.writes.at(-1) ?? "";
  assert.match(last, /3\/10 files/);
  assert.match(last, /1\.00 MiB\/4\.00 MiB/);
  assert.match(last, /MiB\/s/);
  assert.match(last, /…/);
  p.done();
  assert.equal(stream.writes.at(-1), CLEAR_LINE);
  const count = stream.writes.length;
  p.done();
  await sleep(20);
  assert.equal(stream.writes.length, count, "nothing after done()");
});

test("progress: writes nothing when disabled, not a TTY, or json", async () => {
  const off = fakeStream();
  const notTTY = fakeStream(false);
  const json = fakeStream();
  for (const p of [
    createProgress({ stream: off, enabled: false, intervalMs: 1 }),
    createProgress({ stream: notTTY, intervalMs: 1 }),
    createProgress({ stream: json, json: true, intervalMs: 1 }),
  ]) {
    p.setTotal(1, 1);
    p.update({ files: 1, bytes: 1 });
    p.setCurrent("/x");
    await sleep(10);
    p.done();
  }
  assert.deepEqual([off.writes, notTTY.writes, json.writes], [[], [], []]);
});

test("statusLine: rate, percentage and ETA", () => {
  const s: ProgressState = {
    start: 0, files: 5, bytes: 10 * 1024 * 1024, totalFiles: 20, totalBytes: 40 * 1024 * 1024, current: "/a/b",
  };
  assert.equal(statusLine(s, 5000, 200),
    "[5.0s] 25.0%  5/20 files  10.00 MiB/40.00 MiB  2.00 MiB/s  ETA 15s  /a/b");
  const noTotals: ProgressState = { ...s, totalFiles: undefined, totalBytes: undefined, current: "" };
  assert.equal(statusLine(noTotals, 63_000, 200), "[1m03s]  5 files  10.00 MiB  0.16 MiB/s");
  assert.equal([...statusLine(s, 5000, 20)].length, 19);
});

test("shortenPath keeps both ends", () => {
  assert.equal(shortenPath("/short", 10), "/short");
  assert.equal(shortenPath("/home/user/projects/lifeboat/src/file.ts", 20), "/home/u…/src/file.ts");
  assert.equal([...shortenPath("/home/user/projects/lifeboat/src/file.ts", 20)].length, 20);
});
