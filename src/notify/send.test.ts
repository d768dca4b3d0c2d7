import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isAbortError } from "../errors/index.ts";
import { contractMessage } from "../testing/notifierContract.ts";
import { NotifyError, redact } from "./errors.ts";
import { createNotifier } from "./registry.ts";
import { sendAll, sendOne } from "./send.ts";
import type { Notifier } from "./types.ts";

/** fake is a notifier whose send does what `fn` says; it honours the signal like a real one. */
function fake(name: string, fn: (signal: AbortSignal) => Promise<string>, timeoutMs = 1000): Notifier {
  return { name, kind: "webhook", timeoutMs, send: async (_m, signal) => ({ detail: await fn(signal) }) };
}

const never = (signal: AbortSignal) => new Promise<string>((_r, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }));

describe("sendOne", () => {
  it("turns its own timeout into a NotifyError timeout, and leaves the caller's abort as is", async () => {
    const n = fake("slow", never);
    const err = await sendOne(n, contractMessage(), 50, AbortSignal.timeout(5000)).catch((e: unknown) => e);
    assert.ok(err instanceof NotifyError);
    assert.equal(err.problem, "timeout");
    assert.equal(err.message, 'webhook "slow": no answer within 50 ms: the far side is down or slow; raise timeout if it is only slow');
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 20);
    assert.ok(isAbortError(await sendOne(n, contractMessage(), 5000, ctl.signal).catch((e: unknown) => e)));
  });

  it("gives up on a notifier that ignores its signal", async () => {
    const deaf: Notifier = { name: "deaf", kind: "command", timeoutMs: 50, send: () => new Promise(() => undefined) };
    const err = await sendOne(deaf, contractMessage(), 50, AbortSignal.timeout(5000)).catch((e: unknown) => e);
    assert.ok(err instanceof NotifyError && err.problem === "timeout", String(err));
    assert.match(err.message, /did not finish within 50 ms and was killed/);
  });

  it("keeps a notifier's own error when it fails before the timeout", async () => {
    const refused = new NotifyError({ name: "r", kind: "webhook" }, "rejected", "no", { cause: new Error("x") });
    const err = await sendOne(fake("r", async () => { throw refused; }), contractMessage(), 1000, AbortSignal.timeout(5000)).catch((e: unknown) => e);
    assert.equal(err, refused);
  });
});

describe("sendAll", () => {
  it("sends concurrently and reports each notifier in order, never throwing for one failure", async () => {
    const t0 = performance.now();
    const reports = await sendAll([
      fake("a", async () => { await new Promise((r) => setTimeout(r, 150)); return "HTTP 200"; }),
      fake("b", async () => { throw new NotifyError({ name: "b", kind: "webhook" }, "rejected", "https://x answered HTTP 500", { cause: new Error("500") }); }),
      fake("c", never, 150),
      fake("d", async () => { throw new TypeError("bug with sekret-TOKEN-123"); }),
    ], contractMessage(), AbortSignal.timeout(5000));
    assert.ok(performance.now() - t0 < 1000, "one slow notifier does not wait for the others");
    assert.deepEqual(reports, [
      { notifier: "a", kind: "webhook", ok: true, detail: "HTTP 200" },
      { notifier: "b", kind: "webhook", ok: false, error: 'webhook "b": https://x answered HTTP 500', problem: "rejected" },
      { notifier: "c", kind: "webhook", ok: false, error: 'webhook "c": no answer within 150 ms: the far side is down or slow; raise timeout if it is only slow', problem: "timeout" },
      { notifier: "d", kind: "webhook", ok: false, error: 'webhook "d": unexpected TypeError (a bug in lifeboat: please report it)' },
    ]);
  });

  it("rejects when the caller aborts", async () => {
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 20);
    assert.ok(isAbortError(await sendAll([fake("a", never)], contractMessage(), ctl.signal).catch((e: unknown) => e)));
  });
});

describe("createNotifier", () => {
  it("builds every kind without I/O and without reading secrets", () => {
    const base = { name: "n", timeoutMs: 1000 };
    const missing = { env: "LIFEBOAT_TEST_NEVER_SET" };
    const ns = [
      createNotifier({ ...base, kind: "webhook", url: "https://example.invalid/h", headers: {} }),
      createNotifier({ ...base, kind: "telegram", token: missing, chatId: "1", api: "https://api.telegram.org" }),
      createNotifier({ ...base, kind: "ntfy", server: "https://ntfy.sh", topic: "t", token: missing }),
      createNotifier({ ...base, kind: "email", host: "h", port: 587, security: "starttls", from: "a@b", to: ["c@d"], username: "u", password: missing }),
      createNotifier({ ...base, kind: "command", command: "true" }),
    ];
    assert.deepEqual(ns.map((n) => [n.kind, n.name, n.timeoutMs]), ["webhook", "telegram", "ntfy", "email", "command"].map((k) => [k, "n", 1000]));
  });
});

describe("NotifyError", () => {
  it("redacts listed secrets and Telegram tokens in URLs, from the message and the cause", () => {
    const cause = new Error("GET https://api.telegram.org/bot123:AAH-x_y/sendMessage failed", { cause: new Error("pw hunter22") });
    const err = new NotifyError({ name: "p", kind: "telegram" }, "unreachable", "x\nsaw hunter22", { cause, secrets: ["hunter22", undefined] });
    assert.equal(err.message, 'telegram "p": x saw ***');
    assert.ok(err.cause instanceof Error);
    assert.equal(err.cause.message, "Error: GET https://api.telegram.org/bot***/sendMessage failed\nError: pw ***");
    const clean = new Error("nothing secret");
    assert.equal(new NotifyError({ name: "p", kind: "telegram" }, "rejected", "m", { cause: clean, secrets: ["hunter22"] }).cause, clean);
    assert.equal(redact("a abc b", ["abc"]), "a abc b", "values too short to be secrets are left alone");
  });
});
