/**
 * @module testing/notifierContract
 * The behaviour every notifier kind must show, as one node:test suite run against a real
 * far side (see notifysinks): a message arrives intact, a refusal is "rejected", a closed
 * port is "unreachable", silence is "timeout" on time, an abort stops the send, and no
 * error shows the notifier's secret.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { isAbortError } from "../errors/index.ts";
import { NotifyError, type NotifyProblem } from "../notify/errors.ts";
import { sendOne } from "../notify/send.ts";
import type { AlertMessage, Notifier } from "../notify/types.ts";

/** Scenario is how the far side behaves for the notifier a test asks for. */
export type Scenario = "accept" | "refuse" | "unreachable" | "silent";

/** NotifierContractEnv is one far side and notifiers pointed at it. */
export interface NotifierContractEnv {
  /** The secret the notifiers are configured with (token, password, header); use a distinctive one. */
  secret: string;
  /** notifier returns a notifier whose far side now behaves as `scenario`. */
  notifier(scenario: Scenario): Promise<Notifier>;
  /** received returns the title and body of the last delivery as its reader sees them. */
  received(): Promise<{ title: string; body: string }>;
  cleanup(): Promise<void>;
}

/** CONTRACT_SECRET is a secret distinctive enough that finding it in a message is no accident. */
export const CONTRACT_SECRET = "sekret-TOKEN-123";

/** contractMessage is an alert with non-ASCII and emoji in its title and several lines of text. */
export function contractMessage(over: Partial<AlertMessage> = {}): AlertMessage {
  return {
    event: "backup_failed",
    severity: "critical",
    title: "wren: 3 backups in a row failed — Grüße 🚨 日本",
    text: "The last backup failed at 03:00.\nError: disk full (ENOSPC) — ça arrive 🦜\nNext try in 1 h.",
    agent: "wren",
    host: "box-1",
    time: "2025-06-01T03:00:00.000Z",
    details: { failures: 3 },
    ...over,
  };
}

/** assertNotifyError checks the problem, the one-line `kind "name": …` form, and that no secret shows. */
export function assertNotifyError(err: unknown, n: Notifier, problem: NotifyProblem, secret: string): NotifyError {
  assert.ok(err instanceof NotifyError, `expected a NotifyError, got ${String(err)}`);
  assert.equal(err.problem, problem, err.message);
  assert.equal(err.notifier, n.name);
  assert.equal(err.kind, n.kind);
  assert.ok(err.message.startsWith(`${n.kind} "${n.name}": `), err.message);
  assert.ok(!/[\r\n]/.test(err.message), `not one line: ${err.message}`);
  assert.ok(err.cause !== undefined, "a NotifyError carries its cause");
  assert.ok(!err.message.includes(secret), `secret in message: ${err.message}`);
  for (let e: unknown = err.cause, i = 0; e !== undefined && i < 8; e = e instanceof Error ? e.cause : undefined, i++) {
    assert.ok(!String(e).includes(secret), `secret in cause: ${String(e)}`);
  }
  return err;
}

const fail = (p: Promise<unknown>) => p.then(() => assert.fail("expected the send to fail"), (e: unknown) => e);

/** notifierContract registers the contract suite for one notifier kind. */
export function notifierContract(name: string, setup: () => Promise<NotifierContractEnv>): void {
  describe(`notifier contract: ${name}`, () => {
    let env: NotifierContractEnv;
    before(async () => { env = await setup(); });
    after(async () => { await env.cleanup(); });
    const msg = contractMessage();

    it("delivers the title and text intact, non-ASCII and emoji included", async () => {
      const n = await env.notifier("accept");
      const r = await sendOne(n, msg, 5000, AbortSignal.timeout(10_000));
      assert.ok(r.detail.length > 0, "a delivery says what the far side answered");
      const got = await env.received();
      assert.ok(got.title.includes(msg.title), `title: ${got.title}`);
      assert.ok(got.body.includes(msg.text), `body: ${got.body}`);
    });

    it("reports a refusal as rejected, without the secret", async () => {
      const n = await env.notifier("refuse");
      assertNotifyError(await fail(sendOne(n, msg, 5000, AbortSignal.timeout(10_000))), n, "rejected", env.secret);
    });

    it("reports a far side that is not there (closed port, missing program) as unreachable, without the secret", async () => {
      const n = await env.notifier("unreachable");
      assertNotifyError(await fail(sendOne(n, msg, 5000, AbortSignal.timeout(10_000))), n, "unreachable", env.secret);
    });

    it("gives up on a silent far side after timeoutMs with a timeout", async () => {
      const n = await env.notifier("silent");
      const t0 = performance.now();
      const err = await fail(sendOne(n, msg, 300, AbortSignal.timeout(10_000)));
      const ms = performance.now() - t0;
      assertNotifyError(err, n, "timeout", env.secret);
      assert.ok(ms >= 280 && ms < 2000, `gave up after ${Math.round(ms)} ms`);
    });

    it("stops when the caller aborts, before or during the send", async () => {
      const n = await env.notifier("silent");
      assert.ok(isAbortError(await fail(n.send(msg, AbortSignal.abort()))), "an aborted signal fails at once");
      const ctl = new AbortController();
      setTimeout(() => ctl.abort(), 100);
      const t0 = performance.now();
      const err = await fail(sendOne(n, msg, 10_000, ctl.signal));
      assert.ok(isAbortError(err), `expected an abort, got ${String(err)}`);
      assert.ok(performance.now() - t0 < 2000, "the abort stopped the send");
    });
  });
}
