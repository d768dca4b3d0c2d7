/**
 * @module alerts/redact.test
 * What redact removes before text leaves the machine: passwords in URLs, Telegram bot
 * tokens (bare and in a Bot API path), KEY=value secrets and Authorization credentials.
 * Ordinary alert text comes through unchanged.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { redact } from "./redact.ts";

const BOT_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1";

test("a password in a URL is replaced; the user, host and path stay", () => {
  assert.equal(redact("pg_dump: connection to postgres://wren:hunter2@db.local:5432/memory failed"), "pg_dump: connection to postgres://wren:***@db.local:5432/memory failed");
  assert.equal(redact("postgresql://u:p%40ss@h/db"), "postgresql://u:***@h/db");
  assert.equal(redact("mysql://root:s3cr3t@db/x and https://bot:tok@example.com/hook"), "mysql://root:***@db/x and https://bot:***@example.com/hook");
  assert.equal(redact("SFTP://Ada:Pw@Host/x"), "SFTP://Ada:***@Host/x", "case does not matter");
});

test("a URL with a password but no user name is redacted too (redis://:password@host)", () => {
  assert.doesNotMatch(redact("redis://:s3cr3tpw@cache:6379/0 refused"), /s3cr3tpw/);
});

test("a URL without a password is left alone", () => {
  for (const s of ["https://user@host/x", "https://example.com:8443/path", "sftp:ada@backup:/srv/repo"]) assert.equal(redact(s), s);
});

test("a Telegram bot token is replaced, alone and inside a Bot API URL", () => {
  assert.equal(redact(`token ${BOT_TOKEN} was refused`), "token *** was refused");
  assert.doesNotMatch(redact(`POST https://api.telegram.org/bot${BOT_TOKEN}/sendMessage: 401`), /AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1/);
});

test("KEY=value and key: value secrets lose their value, whatever the key's case and quoting", () => {
  assert.equal(redact("PGPASSWORD=x pg_dump -h db"), "PGPASSWORD=*** pg_dump -h db");
  assert.equal(redact("env: DB_PASSWORD= s3cret next"), "env: DB_PASSWORD= *** next");
  assert.equal(redact("api_key: abc123"), "api_key: ***");
  assert.equal(redact("OPENAI_API_KEY=sk-live-abcdef"), "OPENAI_API_KEY=***");
  assert.equal(redact("AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG"), "AWS_SECRET_ACCESS_KEY=***");
  assert.equal(redact("GITHUB_TOKEN=ghp_abcdef more"), "GITHUB_TOKEN=*** more");
  assert.equal(redact(`PGPASSWORD="two words" pg_dump`), "PGPASSWORD=*** pg_dump");
  assert.equal(redact("PGPASSWORD='two words' pg_dump"), "PGPASSWORD=*** pg_dump");
  assert.equal(redact("password:hunter2"), "password:***");
});

test("Bearer and Basic credentials are replaced; the scheme stays", () => {
  assert.equal(redact("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abc.def"), "Authorization: Bearer ***");
  assert.equal(redact("Authorization: Basic YWRhOmh1bnRlcjI="), "Authorization: Basic ***");
});

test("several secrets on several lines are all removed", () => {
  const text = `backup of wren failed (exit 2)\npg_dump: postgres://wren:pw1@db/m\nPGPASSWORD=pw2\nBearer abcdefghijklmnop`;
  const out = redact(text);
  for (const secret of ["pw1", "pw2", "abcdefghijklmnop"]) assert.ok(!out.includes(secret), out);
  assert.equal(out.split("\n").length, 4);
  assert.ok(out.startsWith("backup of wren failed (exit 2)\n"));
});

test("ordinary alert text is untouched", () => {
  const texts = [
    "wren: 3 backups in a row failed",
    "drift in wren: SOUL.md changed since the approved baseline (2026-11-20, by ana: new tone)",
    "the newest good snapshot of wren is 5h 2m old (limit 4h)",
    "memory/2026-11-20.md shrank by 45% (12 KiB → 6.6 KiB)",
    "restore of wren done: 1234 files, snapshot 1a2b3c4d at 2026-11-20T10:00:00Z",
    "check failed: pack 0011aabb is damaged; run lifeboat check --read-data",
    "password file ~/.config/lifeboat/password is missing",
    "",
  ];
  for (const s of texts) assert.equal(redact(s), s);
});
