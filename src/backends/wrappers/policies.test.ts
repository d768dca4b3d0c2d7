import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { faultyBackend } from "../../testing/faultyBackend.ts";
import { hexName, listNames } from "../../testing/backendContract.ts";
import type { Backend, Handle } from "../backend.ts";
import { isPermanentError } from "../errors.ts";
import { createMemBackend } from "../mem/index.ts";
import { formatLogLine, ReadOnlyError, wrapBackend, withLimit, type LogLine } from "./index.ts";

async function mem(): Promise<Backend> {
  const be = createMemBackend();
  await be.create();
  return be;
}

/** counting wraps `be` so each save/load takes `ms` and the peak of concurrent calls is recorded. */
function counting(be: Backend, ms: number): { be: Backend; peak: () => number } {
  let now = 0;
  let peak = 0;
  const slow = async <T>(fn: () => Promise<T>): Promise<T> => {
    peak = Math.max(peak, ++now);
    try {
      await sleep(ms);
      return await fn();
    } finally {
      now--;
    }
  };
  return {
    be: { ...be, save: (h, b, o) => slow(() => be.save(h, b, o)), load: (h, r, o) => slow(() => be.load(h, r, o)) },
    peak: () => peak,
  };
}

describe("withLimit", () => {
  it("keeps at most n calls in flight and runs them all", async () => {
    const c = counting(await mem(), 5);
    const be = withLimit(c.be, 3);
    const hs: Handle[] = Array.from({ length: 20 }, () => ({ type: "pack", name: hexName() }));
    await Promise.all(hs.map((h) => be.save(h, Buffer.from("x"))));
    assert.equal(c.peak(), 3);
    assert.equal((await listNames(be, "pack")).length, 20);
  });

  it("does not hold a slot while the caller consumes a listing (no deadlock with loads inside)", async () => {
    const base = await mem();
    for (let i = 0; i < 3; i++) await base.save({ type: "lock", name: hexName() }, Buffer.from("l"));
    const be = withLimit(base, 1);
    let loaded = 0;
    for await (const fi of be.list("lock")) {
      await be.load({ type: "lock", name: fi.name });
      loaded++;
    }
    assert.equal(loaded, 3);
  });
});

describe("read-only", () => {
  it("refuses create, save and remove with a permanent error and writes nothing", async () => {
    const base = await mem();
    const h: Handle = { type: "snapshot", name: hexName() };
    await base.save(h, Buffer.from("s"));
    const be = wrapBackend(base, { readOnly: true });
    assert.equal(be.properties.readOnly, true);
    for (const call of [() => be.save({ type: "pack", name: hexName() }, Buffer.from("x")), () => be.remove(h), () => be.create()]) {
      const err = await call().then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof ReadOnlyError, String(err));
      assert.ok(isPermanentError(err) && be.isPermanent(err));
      assert.match(err.message, /read-only: refused to (save pack|remove snapshot|create config)/);
    }
    assert.deepEqual(await listNames(base, "pack"), []);
    assert.deepEqual(await listNames(be, "snapshot"), [h.name], "reads still work");
  });
});

describe("log", () => {
  it("records every attempt, including the ones retry repeats, with durations and errors", async () => {
    const f = faultyBackend(await mem());
    f.addFault("save").errorInstead(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }));
    const lines: LogLine[] = [];
    const be = wrapBackend(f, { retry: { baseDelayMs: 1 }, log: (l) => lines.push(l) });
    const h: Handle = { type: "index", name: "ab".repeat(32) };
    await be.save(h, Buffer.from("i"));
    assert.deepEqual(lines.map((l) => [l.op, l.error === undefined]), [["save", false], ["save", true]]);
    assert.match(formatLogLine(lines[0]!), /^backend: save index abababab… \d+ ms failed: socket hang up$/);
  });
});
