import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CONTRACT_SECRET, assertNotifyError, contractMessage, notifierContract } from "../testing/notifierContract.ts";
import { decodeWords } from "../testing/mimetext.ts";
import { closedPort, reply, startHttpSink, type HttpSink } from "../testing/notifysinks.ts";
import { NTFY_MAX_BODY, encodeWord } from "./ntfy.ts";
import { createNotifier } from "./registry.ts";
import { sendOne } from "./send.ts";
import type { Notifier, NtfyConfig } from "./types.ts";

function ntfy(server: string, over: Partial<NtfyConfig> = { token: { value: CONTRACT_SECRET } }): Notifier {
  return createNotifier({ kind: "ntfy", name: "pager", timeoutMs: 5000, server, topic: "lifeboat-alerts", ...over });
}

const header = (sink: HttpSink, name: string) => String(sink.requests.at(-1)!.headers[name]);

notifierContract("ntfy", async () => {
  const sink = await startHttpSink();
  return {
    secret: CONTRACT_SECRET,
    async notifier(scenario) {
      sink.respond(scenario === "refuse" ? (_q, res) => reply(res, 500, { code: 50001, error: "internal" }) : scenario === "silent" ? () => undefined : null);
      return ntfy(scenario === "unreachable" ? `http://127.0.0.1:${await closedPort()}` : sink.url);
    },
    async received() {
      const req = sink.requests.at(-1)!;
      return { title: decodeWords(String(req.headers.title)), body: req.body.toString("utf8") };
    },
    cleanup: () => sink.stop(),
  };
});

describe("ntfy", () => {
  let sink: HttpSink;
  before(async () => { sink = await startHttpSink(); });
  after(() => sink.stop());

  it("publishes to /<topic> with Title, Priority, Tags and the bearer token", async () => {
    const r = await sendOne(ntfy(`${sink.url}/`), contractMessage(), 5000, AbortSignal.timeout(10_000));
    assert.match(r.detail, /^HTTP 200 id m\d+$/);
    const req = sink.requests.at(-1)!;
    assert.equal(req.method, "POST");
    assert.equal(req.path, "/lifeboat-alerts");
    assert.equal(header(sink, "priority"), "5");
    assert.equal(header(sink, "tags"), "rotating_light,backup_failed");
    assert.equal(header(sink, "authorization"), `Bearer ${CONTRACT_SECRET}`);
    assert.match(header(sink, "title"), /^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=$/);
    assert.equal(decodeWords(header(sink, "title")), contractMessage().title);
    const body = req.body.toString("utf8");
    assert.ok(!body.includes("🚨 CRITICAL"), "the title travels in its header, not again in the body");
    assert.match(body, /agent: wren\nhost: box-1/);
  });

  it("maps severity to priority and tags, marks tests, and sends no Authorization without a token", async () => {
    const cases = [["warning", "4", "warning"], ["info", "3", "information_source"], ["resolved", "3", "white_check_mark"]] as const;
    for (const [severity, priority, tag] of cases) {
      await sendOne(ntfy(sink.url, {}), contractMessage({ severity, title: "plain ascii", test: true }), 5000, AbortSignal.timeout(10_000));
      assert.equal(header(sink, "priority"), priority, severity);
      assert.equal(header(sink, "tags"), `${tag},backup_failed,test`, severity);
      assert.equal(header(sink, "title"), "[TEST] plain ascii");
      assert.equal(sink.requests.at(-1)!.headers.authorization, undefined);
    }
  });

  it("encodes only titles that need it", () => {
    assert.equal(encodeWord("wren: ok"), "wren: ok");
    assert.equal(decodeWords(encodeWord("x =?UTF-8?B?QQ==?= y")), "x =?UTF-8?B?QQ==?= y");
    assert.equal(decodeWords(encodeWord("Grüße 🦜")), "Grüße 🦜");
  });

  it("keeps the body within ntfy's 4096 bytes, so it stays a message and not an attachment", async () => {
    await sendOne(ntfy(sink.url), contractMessage({ text: "ä".repeat(5000) }), 5000, AbortSignal.timeout(10_000));
    const body = sink.requests.at(-1)!.body;
    assert.ok(body.byteLength <= NTFY_MAX_BODY, `${body.byteLength} bytes`);
    assert.ok(!body.toString("utf8").includes("\uFFFD"), "no character cut in half");
    assert.match(body.toString("utf8"), /\(cut\)/);
  });

  it("says a 403 needs a token when none is set, and names the token's source when one is", async () => {
    sink.respond((_q, res) => reply(res, 403, { code: 40301, error: "forbidden" }));
    try {
      const bare = ntfy(sink.url, {});
      const fail = (n: Notifier) => sendOne(n, contractMessage(), 5000, AbortSignal.timeout(10_000)).catch((e: unknown) => e);
      assert.match(assertNotifyError(await fail(bare), bare, "rejected", CONTRACT_SECRET).message, /HTTP 403 Forbidden: the topic needs a token/);
      const withToken = ntfy(sink.url, { token: { env: "LIFEBOAT_TEST_NTFY" } });
      process.env["LIFEBOAT_TEST_NTFY"] = CONTRACT_SECRET;
      assert.match(assertNotifyError(await fail(withToken), withToken, "rejected", CONTRACT_SECRET).message, /check the token \(token_env LIFEBOAT_TEST_NTFY\)/);
    } finally {
      delete process.env["LIFEBOAT_TEST_NTFY"];
      sink.respond(null);
    }
  });

  it("refuses a topic that is not one as config", async () => {
    const n = ntfy(sink.url, { topic: "a/b" });
    assertNotifyError(await n.send(contractMessage(), AbortSignal.timeout(5000)).catch((e: unknown) => e), n, "config", CONTRACT_SECRET);
  });
});
