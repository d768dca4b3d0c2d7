/**
 * @module forget/policy.test
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { formatKeepDuration, isEmptyPolicy, parseDuration, validatePolicy } from "./policy.ts";

test("parseDuration: restic's y/m/d/h units, m = months", () => {
  assert.deepEqual(parseDuration("2d"), { years: 0, months: 0, days: 2, hours: 0 });
  assert.deepEqual(parseDuration("1y5m7d2h"), { years: 1, months: 5, days: 7, hours: 2 });
  assert.deepEqual(parseDuration(" 36h "), { years: 0, months: 0, days: 0, hours: 36 });
  assert.deepEqual(parseDuration("30m"), { years: 0, months: 30, days: 0, hours: 0 });
  assert.deepEqual(parseDuration("2h1d"), { years: 0, months: 0, days: 1, hours: 2 });
});

test("parseDuration: rejects malformed input with a one-line message", () => {
  for (const [input, msg] of [
    ["", /empty/], ["5", /no unit after 5/], ["5s", /unknown unit "s"/], ["5M", /unknown unit "M"/],
    ["d", /expected a number/], ["-1d", /expected a number/], ["1d2d", /given twice/], ["1.5d", /unit/],
  ] as const) {
    assert.throws(() => parseDuration(input), (err: Error) => msg.test(err.message) && !err.message.includes("\n"), input);
  }
});

test("formatKeepDuration: restic's canonical form", () => {
  assert.equal(formatKeepDuration(parseDuration("2h1y")), "1y2h");
  assert.equal(formatKeepDuration(parseDuration("0y3d")), "3d");
});

test("isEmptyPolicy", () => {
  assert.equal(isEmptyPolicy({}), true);
  assert.equal(isEmptyPolicy({ last: 0, tags: [], within: "0d" }), true);
  assert.equal(isEmptyPolicy({ last: 1 }), false);
  assert.equal(isEmptyPolicy({ yearly: -1 }), false);
  assert.equal(isEmptyPolicy({ within: "1h" }), false);
  assert.equal(isEmptyPolicy({ tags: ["x"] }), false);
  assert.equal(isEmptyPolicy({ within: "junk" }), false);
});

test("validatePolicy", () => {
  validatePolicy({ last: 1, hourly: -1, within: "1d", tags: ["a,b"] });
  assert.throws(() => validatePolicy({ weekly: Number.NaN }), /keep-weekly/);
  assert.throws(() => validatePolicy({ tags: ["a,"] }), /empty tag/);
});
