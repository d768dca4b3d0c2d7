/**
 * @module ui/format.test
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { formatBytes, formatDuration, parseDurationArg } from "./format.ts";

test("formatBytes", () => {
  const cases: [number, string][] = [
    [0, "0 B"], [1023, "1023 B"], [1024, "1.00 KiB"], [1536, "1.50 KiB"], [1.5 * 1024 ** 2, "1.50 MiB"],
    [1024 ** 2 - 1, "1.00 MiB"], [3 * 1024 ** 3, "3.00 GiB"], [5e12, "4.55 TiB"], [-2048, "-2.00 KiB"],
  ];
  for (const [n, want] of cases) assert.equal(formatBytes(n), want, String(n));
});

test("formatDuration", () => {
  const cases: [number, string][] = [
    [0, "0ms"], [850, "850ms"], [999.9, "999ms"], [1000, "1.0s"], [4250, "4.2s"], [10_000, "10s"],
    [42_000, "42s"], [63_000, "1m03s"], [600_000, "10m00s"], [7_509_000, "2h05m09s"], [-1500, "-1.5s"],
  ];
  for (const [ms, want] of cases) assert.equal(formatDuration(ms), want, String(ms));
});

test("parseDurationArg: valid", () => {
  const cases: [string, number][] = [
    ["30s", 30_000], ["5m", 300_000], ["1h", 3_600_000], ["2h30m", 9_000_000], ["500ms", 500],
    ["1.5h", 5_400_000], ["1d", 86_400_000], ["1m30s", 90_000], [" 0s ", 0], ["1s500ms", 1500],
  ];
  for (const [s, want] of cases) assert.equal(parseDurationArg(s), want, s);
});

test("parseDurationArg: invalid input gives one clear line", () => {
  for (const s of ["", "5", "5x", "m", "-5s", "1h 30m", "five minutes", "1.s"]) {
    assert.throws(
      () => parseDurationArg(s),
      (err: Error) => err.message.startsWith(`invalid duration "${s}"`) && !err.message.includes("\n"),
      s,
    );
  }
});
