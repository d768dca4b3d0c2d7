import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isAbortError } from "../../errors/index.ts";
import { faultyBackend } from "../../testing/faultyBackend.ts";
import { hexName, listNames } from "../../testing/backendContract.ts";
import type { Backend, FileInfo, FileType } from "../backend.ts";
import { createMemBackend } from "../mem/index.ts";
import { wrapBackend, withRetry, type RetryInfo } from "./index.ts";

const transient = () => Object.assign(new Error("ECONNRESET: connection reset"), { code: "ECONNRESET" });
const enospc = () => Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" });

async function setup() {
  const mem = createMemBackend();
  await mem.create();
  return faultyBackend(mem);
}

describe("withRetry", () => {
  it("retries transient errors with growing delays, then succeeds", async () => {
    const f = await setup();
    f.addFault("save").errorInstead(transient()).repeat(2);
    const retries: RetryInfo[] = [];
    const be = withRetry(f, { baseDelayMs: 2, onRetry: (i) => retries.push(i) });
    const h = { type: "pack", name: hexName() } as const;
    await be.save(h, Buffer.from("x"));
    assert.equal(f.calls("save"), 3);
    assert.deepEqual(retries.map((r) => [r.op, r.attempt]), [["save", 1], ["save", 2]]);
    assert.ok(retries.every((r) => r.delayMs >= 1 && r.delayMs <= 4 * r.attempt));
    assert.equal((await be.stat(h)).size, 1);
  });

  it("does not retry permanent or not-found errors", async () => {
    const f = await setup();
    const err = enospc();
    f.addFault("save").errorInstead(err).repeat(Infinity);
    const be = withRetry(f, { baseDelayMs: 1 });
    await assert.rejects(be.save({ type: "pack", name: hexName() }, Buffer.from("x")), (e) => e === err);
    assert.equal(f.calls("save"), 1);
    await assert.rejects(be.load({ type: "pack", name: hexName() }), (e) => be.isNotFound(e));
    assert.equal(f.calls("load"), 1);
  });

  it("gives up after `attempts` with the last error", async () => {
    const f = await setup();
    f.addFault("stat").errorInstead(transient()).repeat(Infinity);
    await assert.rejects(withRetry(f, { attempts: 3, baseDelayMs: 1 }).stat({ type: "key", name: hexName() }), /ECONNRESET/);
    assert.equal(f.calls("stat"), 3);
  });

  it("stops sleeping as soon as the signal aborts", async () => {
    const f = await setup();
    f.addFault("load").errorInstead(transient()).repeat(Infinity);
    const ac = new AbortController();
    const be = withRetry(f, { baseDelayMs: 60_000, onRetry: () => ac.abort() });
    const started = Date.now();
    await assert.rejects(be.load({ type: "pack", name: hexName() }, undefined, { signal: ac.signal }), isAbortError);
    assert.ok(Date.now() - started < 5_000);
    assert.equal(f.calls("load"), 1);
  });

  it("resumes a failed list without repeating names", async () => {
    const mem = createMemBackend();
    await mem.create();
    const names = [hexName(), hexName(), hexName()];
    for (const name of names) await mem.save({ type: "index", name }, Buffer.from("i"));
    let failed = false;
    const flaky: Backend = {
      ...mem,
      async *list(type: FileType): AsyncGenerator<FileInfo> {
        let n = 0;
        for await (const fi of mem.list(type)) {
          if (n++ === 2 && !failed) {
            failed = true;
            throw transient();
          }
          yield fi;
        }
      },
    };
    const listed = [];
    for await (const fi of withRetry(flaky, { baseDelayMs: 1 }).list("index")) listed.push(fi.name);
    assert.ok(failed);
    assert.deepEqual(listed.sort(), [...names].sort());
  });
});

describe("wrapBackend", () => {
  it("retries faults from innerTestHook but not from testHook", async () => {
    const mem = createMemBackend();
    const inner = faultyBackend(mem);
    inner.addFault("create").errorInstead(transient());
    const be = wrapBackend(mem, {
      retry: { baseDelayMs: 1 },
      innerTestHook: () => inner,
      testHook: (b) => {
        const outer = faultyBackend(b);
        outer.addFault("list").errorInstead(transient());
        return outer;
      },
    });
    await be.create();
    assert.equal(inner.calls("create"), 2);
    await assert.rejects(listNames(be, "pack"), /ECONNRESET/);
    assert.deepEqual(await listNames(be, "pack"), []);
  });
});
