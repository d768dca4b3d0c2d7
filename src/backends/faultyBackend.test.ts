import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isAbortError } from "../errors/index.ts";
import { assertBytes, hexName } from "../testing/backendContract.ts";
import { faultyBackend, flipBit } from "../testing/faultyBackend.ts";
import { createMemBackend } from "./mem/index.ts";

async function setup() {
  const mem = createMemBackend();
  await mem.create();
  return faultyBackend(mem);
}

describe("faultyBackend", () => {
  it("passes calls through when no fault is set", async () => {
    const f = await setup();
    const h = { type: "key", name: hexName() } as const;
    await f.save(h, Buffer.from("abc"));
    assertBytes(await f.load(h), Buffer.from("abc"));
    assert.equal(f.calls("save"), 1);
  });

  it("fails the matching calls after skipping, `repeat` times", async () => {
    const f = await setup();
    const boom = new Error("boom");
    f.addFault("save").errorInstead(boom).onlyFor((h) => h.type === "pack").after(1).repeat(2);
    const pack = () => f.save({ type: "pack", name: hexName() }, Buffer.from("p"));
    await f.save({ type: "index", name: hexName() }, Buffer.from("i"));
    await pack();
    await assert.rejects(pack(), (e) => e === boom);
    await assert.rejects(pack(), (e) => e === boom);
    await pack();
    assert.equal(f.calls("save"), 5);
  });

  it("corrupts loads and saves by one bit", async () => {
    const f = await setup();
    const h = { type: "pack", name: hexName() } as const;
    const body = Buffer.from("hello world");
    await f.save(h, body);
    f.addFault("load").corrupt();
    const bad = await f.load(h);
    assertBytes(bad, flipBit(body));
    assert.equal(bad.reduce((n, b, i) => n + (b === body[i] ? 0 : 1), 0), 1);
    assertBytes(await f.load(h), body, "the fault fires once");
    f.addFault("save").corrupt();
    await f.save(h, body);
    assertBytes(await f.load(h), flipBit(body));
    assertBytes(body, Buffer.from("hello world"), "the caller's buffer is untouched");
  });

  it("delays calls, abortably", async () => {
    const f = await setup();
    f.addFault("stat").sleepFor(30);
    const started = Date.now();
    await assert.rejects(f.stat({ type: "key", name: hexName() }), (e) => f.isNotFound(e));
    assert.ok(Date.now() - started >= 25);
    f.addFault("stat").sleepFor(60_000);
    await assert.rejects(f.stat({ type: "key", name: hexName() }, { signal: AbortSignal.timeout(10) }), isAbortError);
  });
});
