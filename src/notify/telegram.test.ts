import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CONTRACT_SECRET, assertNotifyError, contractMessage, notifierContract } from "../testing/notifierContract.ts";
import { closedPort, reply, startHttpSink, type HttpSink } from "../testing/notifysinks.ts";
import { createNotifier } from "./registry.ts";
import { sendOne } from "./send.ts";
import { TELEGRAM_MAX_TEXT } from "./telegram.ts";
import type { Notifier, SecretRef } from "./types.ts";

function telegram(api: string, token: SecretRef = { value: CONTRACT_SECRET }, chatId = "-100123"): Notifier {
  return createNotifier({ kind: "telegram", name: "phone", timeoutMs: 5000, token, chatId, api });
}

const sent = (sink: HttpSink) => sink.requests.at(-1)!.json as { chat_id: string; text: string; disable_web_page_preview: boolean };
const failure = (n: Notifier, signal = AbortSignal.timeout(10_000)) => sendOne(n, contractMessage(), 5000, signal).then(() => assert.fail("expected a failure"), (e: unknown) => e);

notifierContract("telegram", async () => {
  const sink = await startHttpSink({ telegramToken: CONTRACT_SECRET });
  return {
    secret: CONTRACT_SECRET,
    async notifier(scenario) {
      const refuse = (_q: unknown, res: Parameters<typeof reply>[0]) => reply(res, 400, { ok: false, error_code: 400, description: "Bad Request: chat not found" });
      // "silent" answers the headers, then never ends the body: the worst kind of stuck.
      sink.respond(scenario === "refuse" ? refuse : scenario === "silent" ? (_q, res) => { res.writeHead(200); res.write("{"); } : null);
      return telegram(scenario === "unreachable" ? `http://127.0.0.1:${await closedPort()}` : sink.url);
    },
    async received() {
      const text = sent(sink).text;
      return { title: text.split("\n")[0]!, body: text };
    },
    cleanup: () => sink.stop(),
  };
});

describe("telegram", () => {
  let sink: HttpSink;
  let dir: string;
  before(async () => {
    sink = await startHttpSink({ telegramToken: "123456:AAH-good_token" });
    dir = await mkdtemp(join(tmpdir(), "lifeboat-tg-"));
  });
  after(async () => {
    await sink.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("calls sendMessage with the token in the path and chat_id, text, no preview in JSON", async () => {
    const file = join(dir, "token");
    await writeFile(file, "123456:AAH-good_token\n");
    const r = await sendOne(telegram(`${sink.url}/`, { file }, "@wren_alerts"), contractMessage(), 5000, AbortSignal.timeout(10_000));
    assert.match(r.detail, /^message \d+$/);
    const req = sink.requests.at(-1)!;
    assert.equal(req.path, "/bot123456:AAH-good_token/sendMessage");
    assert.equal(req.headers["content-type"], "application/json");
    assert.deepEqual(Object.keys(sent(sink)).sort(), ["chat_id", "disable_web_page_preview", "text"]);
    assert.equal(sent(sink).chat_id, "@wren_alerts");
    assert.equal(sent(sink).disable_web_page_preview, true);
    assert.match(sent(sink).text, /^🚨 CRITICAL wren: 3 backups/);
  });

  it("reports a wrong token as 401 Unauthorized, naming the token's source but not the token", async () => {
    const n = telegram(sink.url, { env: "LIFEBOAT_TEST_TG_TOKEN" });
    process.env["LIFEBOAT_TEST_TG_TOKEN"] = "123456:wrong-sekret-TOKEN-123";
    try {
      const err = assertNotifyError(await failure(n), n, "rejected", "123456:wrong-sekret-TOKEN-123");
      assert.equal(err.message, 'telegram "phone": Telegram answered 401 Unauthorized: check the bot token (token_env LIFEBOAT_TEST_TG_TOKEN)');
    } finally {
      delete process.env["LIFEBOAT_TEST_TG_TOKEN"];
    }
  });

  it("reports 429 with Telegram's retry_after, without waiting for it", async () => {
    sink.respond((_q, res) => reply(res, 429, { ok: false, error_code: 429, description: "Too Many Requests: retry after 35", parameters: { retry_after: 35 } }));
    try {
      const n = telegram(sink.url, { value: "123456:AAH-good_token" });
      const t0 = performance.now();
      const err = assertNotifyError(await failure(n), n, "rejected", "123456:AAH-good_token");
      assert.match(err.message, /429 Too Many Requests.*retry after 35 s/);
      assert.ok(performance.now() - t0 < 2000);
    } finally {
      sink.respond(null);
    }
  });

  it("treats ok:false in a 200 answer and a non-JSON answer as rejected", async () => {
    const n = telegram(sink.url, { value: "123456:AAH-good_token" });
    sink.respond((_q, res) => reply(res, 200, { ok: false, description: "odd" }));
    try {
      assert.match(assertNotifyError(await failure(n), n, "rejected", "AAH-good_token").message, /answered 200 odd/);
      sink.respond((_q, res) => { res.writeHead(502, { "content-type": "text/html" }); res.end("<html>bad gateway</html>"); });
      assert.match(assertNotifyError(await failure(n), n, "rejected", "AAH-good_token").message, /answered 502 Bad Gateway/);
    } finally {
      sink.respond(null);
    }
  });

  it("refuses a token that would change the URL, without showing it", async () => {
    const n = telegram(sink.url, { value: "123:abc/../../evil?sekret-TOKEN-123" });
    const err = assertNotifyError(await failure(n), n, "config", "sekret-TOKEN-123");
    assert.match(err.message, /token in lifeboat.yaml does not hold a bot token/);
    assert.equal(sink.requests.filter((q) => q.path.includes("evil")).length, 0);
  });

  it("cuts a long text to Telegram's limit without splitting a character", async () => {
    const text = "🦜".repeat(3000);
    await sendOne(telegram(sink.url, { value: "123456:AAH-good_token" }), contractMessage({ text }), 5000, AbortSignal.timeout(10_000));
    const got = sent(sink).text;
    assert.ok(got.length <= TELEGRAM_MAX_TEXT, `${got.length} code units`);
    assert.ok(!/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(got), "no lone high surrogate");
    assert.match(got, /… \(cut\)\n\nagent: wren\nhost: box-1/);
  });
});
