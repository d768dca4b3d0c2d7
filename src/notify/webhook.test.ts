import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startHttpSink, closedPort, reply, type HttpSink } from "../testing/notifysinks.ts";
import { CONTRACT_SECRET, assertNotifyError, contractMessage, notifierContract } from "../testing/notifierContract.ts";
import { TOOL_VERSION } from "../version.ts";
import { createNotifier } from "./registry.ts";
import { sendOne } from "./send.ts";
import type { AlertMessage, Notifier } from "./types.ts";

const AUTH = { authorization: `Bearer ${CONTRACT_SECRET}` };

function webhook(url: string, headers: Record<string, string> = AUTH): Notifier {
  return createNotifier({ kind: "webhook", name: "ops", timeoutMs: 5000, url, headers });
}

notifierContract("webhook", async () => {
  const sink = await startHttpSink();
  return {
    secret: CONTRACT_SECRET,
    async notifier(scenario) {
      sink.respond(scenario === "refuse" ? (_q, res) => reply(res, 500, { error: "boom" }) : scenario === "silent" ? () => undefined : null);
      return webhook(scenario === "unreachable" ? `http://127.0.0.1:${await closedPort()}/hook` : `${sink.url}/hook/${CONTRACT_SECRET}`);
    },
    async received() {
      const m = sink.requests.at(-1)!.json as AlertMessage;
      return { title: m.title, body: m.text };
    },
    cleanup: () => sink.stop(),
  };
});

describe("webhook", () => {
  let sink: HttpSink;
  before(async () => { sink = await startHttpSink(); });
  after(() => sink.stop());

  it("POSTs the AlertMessage as JSON with lifeboat's agent and the configured headers", async () => {
    const msg = contractMessage({ test: true });
    const r = await sendOne(webhook(`${sink.url}/in?x=1`, { ...AUTH, "x-extra": "1" }), msg, 5000, AbortSignal.timeout(10_000));
    assert.equal(r.detail, "HTTP 200");
    const req = sink.requests.at(-1)!;
    assert.equal(req.method, "POST");
    assert.equal(req.path, "/in?x=1");
    assert.equal(req.headers["content-type"], "application/json");
    assert.equal(req.headers["user-agent"], `lifeboat/${TOOL_VERSION}`);
    assert.equal(req.headers.authorization, AUTH.authorization);
    assert.equal(req.headers["x-extra"], "1");
    assert.deepEqual(req.json, msg);
  });

  it("lets a configured header replace lifeboat's, whatever its case", async () => {
    await sendOne(webhook(sink.url, { "Content-Type": "application/vnd.alert+json" }), contractMessage(), 5000, AbortSignal.timeout(10_000));
    assert.equal(sink.requests.at(-1)!.headers["content-type"], "application/vnd.alert+json");
  });

  it("counts any 2xx as delivered and reports its status", async () => {
    sink.respond((_q, res) => { res.writeHead(204); res.end(); });
    try {
      assert.equal((await sendOne(webhook(sink.url), contractMessage(), 5000, AbortSignal.timeout(10_000))).detail, "HTTP 204");
    } finally {
      sink.respond(null);
    }
  });

  it("does not follow a redirect, and says so", async () => {
    sink.respond((_q, res) => { res.writeHead(301, { location: `${sink.url}/elsewhere` }); res.end(); });
    try {
      const n = webhook(sink.url);
      const err = assertNotifyError(await sendOne(n, contractMessage(), 5000, AbortSignal.timeout(10_000)).catch((e: unknown) => e), n, "rejected", CONTRACT_SECRET);
      assert.match(err.message, /answered HTTP 301.*redirects/);
      assert.equal(sink.requests.filter((q) => q.path === "/elsewhere").length, 0);
    } finally {
      sink.respond(null);
    }
  });

  it("refuses a header value fetch would echo, without echoing it", async () => {
    const n = webhook(sink.url, { authorization: `Bearer ${CONTRACT_SECRET}\nX-Injected: 1` });
    const err = assertNotifyError(await n.send(contractMessage(), AbortSignal.timeout(5000)).catch((e: unknown) => e), n, "config", CONTRACT_SECRET);
    assert.match(err.message, /header authorization/);
  });

  it("refuses a URL with credentials or another scheme as config", async () => {
    const creds = webhook(`http://u:${CONTRACT_SECRET}@127.0.0.1:1/`, {});
    assertNotifyError(await creds.send(contractMessage(), AbortSignal.timeout(5000)).catch((e: unknown) => e), creds, "config", CONTRACT_SECRET);
    const ftp = webhook("ftp://127.0.0.1/", {});
    assertNotifyError(await ftp.send(contractMessage(), AbortSignal.timeout(5000)).catch((e: unknown) => e), ftp, "config", CONTRACT_SECRET);
  });
});
