import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { CONTRACT_SECRET, assertNotifyError, contractMessage, notifierContract } from "../testing/notifierContract.ts";
import { closedPort, startSmtpSink, type SmtpSink } from "../testing/notifysinks.ts";
import { createNotifier } from "./registry.ts";
import { sendOne } from "./send.ts";
import type { EmailConfig, Notifier } from "./types.ts";

const USER = "lifeboat@example.org";

function email(port: number, over: Partial<EmailConfig> = {}): Notifier {
  return createNotifier({
    kind: "email", name: "ops-mail", timeoutMs: 5000, host: "127.0.0.1", port, security: "none",
    username: USER, password: { value: CONTRACT_SECRET }, from: "lifeboat@example.org", to: ["ops@example.org"], ...over,
  });
}

const send = (n: Notifier) => sendOne(n, contractMessage(), 5000, AbortSignal.timeout(10_000));
const failure = (n: Notifier) => send(n).then(() => assert.fail("expected a failure"), (e: unknown) => e);

notifierContract("email", async () => {
  const sink = await startSmtpSink({ auth: { user: USER, pass: CONTRACT_SECRET } });
  return {
    secret: CONTRACT_SECRET,
    async notifier(scenario) {
      sink.fail(scenario === "refuse" ? { code: 550, message: "5.7.1 relaying denied" } : scenario === "silent" ? "hang" : null);
      return email(scenario === "unreachable" ? await closedPort() : sink.port);
    },
    async received() {
      const m = sink.mails.at(-1)!;
      return { title: m.subject, body: m.text };
    },
    cleanup: () => sink.stop(),
  };
});

describe("email", () => {
  let plain: SmtpSink;
  let authed: SmtpSink;
  let dir: string;
  before(async () => {
    plain = await startSmtpSink();
    authed = await startSmtpSink({ auth: { user: USER, pass: CONTRACT_SECRET } });
    dir = await mkdtemp(join(tmpdir(), "lifeboat-mail-"));
  });
  after(async () => {
    await plain.stop();
    await authed.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("mails every recipient without a login: subject is the title, body the rendered text", async () => {
    const n = email(plain.port, { username: undefined, password: undefined, to: ["a@example.org", "b@example.org"] } as Partial<EmailConfig>);
    const r = await sendOne(n, contractMessage({ test: true }), 5000, AbortSignal.timeout(10_000));
    assert.match(r.detail, /^250 OK: queued as sink-\d+$/);
    const m = plain.mails.at(-1)!;
    assert.equal(m.from, "lifeboat@example.org");
    assert.deepEqual(m.to, ["a@example.org", "b@example.org"]);
    assert.equal(m.user, undefined);
    assert.equal(m.subject, `[TEST] ${contractMessage().title}`);
    assert.match(m.text, /^🚨 CRITICAL \[TEST\] wren: 3 backups/);
    assert.match(m.text, /agent: wren\r?\nhost: box-1/);
  });

  it("logs in with username and password when they are set", async () => {
    await send(email(authed.port));
    assert.equal(authed.mails.at(-1)!.user, USER);
  });

  it("reports a wrong password as a refused login, naming the password's source only", async () => {
    const n = email(authed.port, { password: { env: "LIFEBOAT_TEST_SMTP_PASS" } });
    process.env["LIFEBOAT_TEST_SMTP_PASS"] = "wrong-sekret-PASS-456";
    try {
      const err = assertNotifyError(await failure(n), n, "rejected", "wrong-sekret-PASS-456");
      assert.match(err.message, /refused the login of lifeboat@example\.org: .*535.*check username and password_env LIFEBOAT_TEST_SMTP_PASS/);
    } finally {
      delete process.env["LIFEBOAT_TEST_SMTP_PASS"];
    }
  });

  it("refuses a username without a password as config, before connecting", async () => {
    const n = email(await closedPort(), { password: undefined });
    assert.match(assertNotifyError(await failure(n), n, "config", CONTRACT_SECRET).message, /has no password/);
  });

  describe("TLS", () => {
    let cert: { key: string; cert: string; file: string };
    let starttls: SmtpSink;
    let implicit: SmtpSink;
    before(async () => {
      cert = await selfSignedCert(dir);
      starttls = await startSmtpSink({ tls: cert, auth: { user: USER, pass: CONTRACT_SECRET } });
      implicit = await startSmtpSink({ tls: cert, secure: true });
    });
    after(async () => {
      await starttls.stop();
      await implicit.stop();
    });

    it("upgrades with STARTTLS, trusting the configured ca, before logging in", async () => {
      await send(email(starttls.port, { security: "starttls", ca: cert.file }));
      assert.equal(starttls.mails.at(-1)!.secure, true);
      assert.equal(starttls.mails.at(-1)!.user, USER);
    });

    it("speaks TLS from the first byte with security tls", async () => {
      await send(email(implicit.port, { security: "tls", ca: cert.file, username: undefined, password: undefined } as Partial<EmailConfig>));
      assert.equal(implicit.mails.at(-1)!.secure, true);
    });

    it("refuses an untrusted certificate as unreachable and suggests ca", async () => {
      const n = email(starttls.port, { security: "starttls" });
      assert.match(assertNotifyError(await failure(n), n, "unreachable", CONTRACT_SECRET).message, /no trusted TLS connection.*set ca/);
    });

    it("never logs in over plain text when starttls is required and not offered", async () => {
      const n = email(authed.port, { security: "starttls" });
      const before = authed.mails.length;
      assert.match(assertNotifyError(await failure(n), n, "unreachable", CONTRACT_SECRET).message, /no TLS with .*check security/);
      assert.equal(authed.mails.length, before);
    });
  });
});

/** selfSignedCert makes a throwaway key and certificate for 127.0.0.1 with openssl. */
async function selfSignedCert(dir: string): Promise<{ key: string; cert: string; file: string }> {
  const keyFile = join(dir, "key.pem");
  const file = join(dir, "cert.pem");
  await promisify(execFile)("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
    "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", keyFile, "-out", file,
  ]);
  return { key: await readFile(keyFile, "utf8"), cert: await readFile(file, "utf8"), file };
}
