/**
 * @module alerts/ledger.test
 * The ledger's decisions (new, changed, repeat, unsent, suppressed; all-clear or quiet) and
 * the Alerter that acts on them, against a real HTTP server standing in for a webhook and a
 * real state folder: one message per condition until it changes or the repeat interval
 * passes, an all-clear only when somebody was told, a retry when nobody could be told,
 * routes per event, and no credentials in what arrives.
 */
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NotifySettings } from "../config/notify.ts";
import type { AlertMessage, WebhookConfig } from "../notify/types.ts";
import { closedPort, startHttpSink, type HttpSink } from "../testing/notifysinks.ts";
import { Alerter, type Condition } from "./alerter.ts";
import { decideRaise, decideResolve, ledgerKey, openAlerts, type Ledger, type LedgerEntry } from "./ledger.ts";

const HOUR = 3_600_000;
const T0 = Date.parse("2026-11-20T10:00:00.000Z");

function entry(over: Partial<LedgerEntry> = {}): LedgerEntry {
  return { event: "backup_failed", agent: "wren", open: true, since: new Date(T0).toISOString(), lastSent: new Date(T0).toISOString(), fingerprint: "f", title: "t", ...over };
}

// ---- pure decisions -------------------------------------------------------------------

test("decideRaise: no entry or a closed one is new", () => {
  assert.equal(decideRaise(undefined, "f", T0, HOUR), "new");
  assert.equal(decideRaise(entry({ open: false }), "f", T0, HOUR), "new");
});

test("decideRaise: a different fingerprint is changed, even right after a send and even if unsent", () => {
  assert.equal(decideRaise(entry(), "g", T0 + 1, HOUR), "changed");
  assert.equal(decideRaise(entry({ lastSent: null }), "g", T0 + 1, HOUR), "changed");
});

test("decideRaise: same fingerprint never sent is unsent; sent is suppressed until repeatMs has passed", () => {
  assert.equal(decideRaise(entry({ lastSent: null }), "f", T0, HOUR), "unsent");
  assert.equal(decideRaise(entry(), "f", T0, HOUR), "suppressed");
  assert.equal(decideRaise(entry(), "f", T0 + HOUR - 1, HOUR), "suppressed");
  assert.equal(decideRaise(entry(), "f", T0 + HOUR, HOUR), "repeat");
  assert.equal(decideRaise(entry(), "f", T0 + 5 * HOUR, HOUR), "repeat");
});

test("decideResolve: all-clear only when the alert was open and sent; quiet when nobody heard; none otherwise", () => {
  assert.equal(decideResolve(entry()), "all-clear");
  assert.equal(decideResolve(entry({ lastSent: null })), "quiet");
  assert.equal(decideResolve(entry({ open: false })), "none");
  assert.equal(decideResolve(undefined), "none");
});

test("ledgerKey names an event per agent, or for the repository", () => {
  assert.equal(ledgerKey("backup_failed", "wren"), "backup_failed/wren");
  assert.equal(ledgerKey("check_failed"), "check_failed/*");
  assert.notEqual(ledgerKey("backup_failed", "wren"), ledgerKey("backup_stale", "wren"));
});

test("openAlerts lists open alerts oldest first, optionally of one agent", () => {
  const ledger: Ledger = {
    version: 1,
    alerts: {
      a: entry({ agent: "wren", since: "2026-11-20T12:00:00.000Z", title: "late" }),
      b: entry({ agent: "heron", since: "2026-11-20T09:00:00.000Z", title: "early" }),
      c: entry({ agent: "wren", since: "2026-11-20T10:00:00.000Z", title: "middle" }),
      d: entry({ agent: "wren", since: "2026-11-20T08:00:00.000Z", title: "closed", open: false }),
      e: { event: "check_failed", open: true, since: "2026-11-20T11:00:00.000Z", lastSent: null, fingerprint: "x", title: "repo" },
    },
  };
  assert.deepEqual(openAlerts(ledger).map((e) => e.title), ["early", "middle", "repo", "late"]);
  assert.deepEqual(openAlerts(ledger, "wren").map((e) => e.title), ["middle", "late"]);
  assert.deepEqual(openAlerts(ledger, "nobody"), []);
  assert.deepEqual(openAlerts({ version: 1, alerts: {} }), []);
});

// ---- the Alerter, with a real webhook receiver ----------------------------------------

let sink: HttpSink;
let dir: string;
let clock: number;

before(async () => { sink = await startHttpSink(); });
after(async () => { await sink.stop(); });
beforeEach(async () => {
  sink.requests.length = 0;
  sink.respond(null);
  clock = T0;
  dir = await mkdtemp(join(tmpdir(), "lifeboat-alerts-"));
});

function hook(name: string, path = `/${name}`, url = sink.url): WebhookConfig {
  return { kind: "webhook", name, url: `${url}${path}`, headers: {}, timeoutMs: 5000 };
}

function settings(over: Partial<NotifySettings> = {}): NotifySettings {
  return { notifiers: [hook("a")], routes: {}, repeatMs: HOUR, failures: 1, ...over };
}

function alerter(s: NotifySettings = settings()): Alerter {
  return new Alerter(s, dir, () => clock);
}

const sig = () => AbortSignal.timeout(10_000);
const failed: Condition = { event: "backup_failed", agent: "wren", severity: "critical", title: "wren: backup failed", text: "exit 1" };
const received = () => sink.requests.map((r) => r.json as AlertMessage);

async function cleanup(): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

test("raise sends once; a second raise within repeatMs is suppressed; after repeatMs it repeats", async () => {
  try {
    const first = await alerter().raise(failed, sig());
    assert.equal(first.decision, "new");
    assert.deepEqual(first.deliveries.map((d) => [d.notifier, d.kind, d.ok]), [["a", "webhook", true]]);
    assert.equal(sink.requests.length, 1);
    const msg = received()[0]!;
    assert.equal(sink.requests[0]!.path, "/a");
    assert.equal(msg.event, "backup_failed");
    assert.equal(msg.severity, "critical");
    assert.equal(msg.title, "wren: backup failed");
    assert.equal(msg.text, "exit 1");
    assert.equal(msg.agent, "wren");
    assert.equal(msg.time, new Date(T0).toISOString());

    // A new Alerter each time: what was sent is remembered in the state folder, not in memory.
    clock = T0 + HOUR - 1;
    const second = await alerter().raise(failed, sig());
    assert.equal(second.decision, "suppressed");
    assert.deepEqual(second.deliveries, []);
    assert.equal(sink.requests.length, 1);

    clock = T0 + HOUR;
    const third = await alerter().raise(failed, sig());
    assert.equal(third.decision, "repeat");
    assert.equal(sink.requests.length, 2);

    // The repeat restarted the interval; `since` still says when the condition began.
    clock = T0 + HOUR + 10;
    assert.equal((await alerter().raise(failed, sig())).decision, "suppressed");
    const e = (await alerter().ledger()).alerts[ledgerKey("backup_failed", "wren")]!;
    assert.equal(e.since, new Date(T0).toISOString());
    assert.equal(e.lastSent, new Date(T0 + HOUR).toISOString());
    assert.equal(e.open, true);
    assert.equal(sink.requests.length, 2);

    const onDisk = JSON.parse(await readFile(join(dir, "alerts.json"), "utf8")) as Ledger;
    assert.equal(onDisk.version, 1);
    assert.deepEqual(Object.keys(onDisk.alerts), ["backup_failed/wren"]);
  } finally { await cleanup(); }
});

test("a changed fingerprint is sent at once, within the repeat interval", async () => {
  try {
    const drift = (files: string): Condition => ({ event: "drift_found", agent: "wren", severity: "warning", title: "drift in wren", text: files, fingerprint: files });
    assert.equal((await alerter().raise(drift("SOUL.md"), sig())).decision, "new");
    clock += 60_000;
    assert.equal((await alerter().raise(drift("SOUL.md"), sig())).decision, "suppressed");
    clock += 60_000;
    const changed = await alerter().raise(drift("SOUL.md,AGENTS.md"), sig());
    assert.equal(changed.decision, "changed");
    assert.equal(changed.deliveries.length, 1);
    assert.deepEqual(received().map((m) => m.text), ["SOUL.md", "SOUL.md,AGENTS.md"]);
    clock += 60_000;
    assert.equal((await alerter().raise(drift("SOUL.md,AGENTS.md"), sig())).decision, "suppressed");
    assert.equal(sink.requests.length, 2);
  } finally { await cleanup(); }
});

test("without a fingerprint the title is what tells one alert from the next", async () => {
  try {
    await alerter().raise({ ...failed, text: "exit 1" }, sig());
    assert.equal((await alerter().raise({ ...failed, text: "exit 2" }, sig())).decision, "suppressed", "the text alone is not news");
    assert.equal((await alerter().raise({ ...failed, title: "wren: 2 backups in a row failed" }, sig())).decision, "changed");
    assert.equal(sink.requests.length, 2);
  } finally { await cleanup(); }
});

test("resolve after a sent alert sends an all-clear and clears the entry; the next raise is new", async () => {
  try {
    await alerter().raise(failed, sig());
    clock += 5 * 60_000;
    const res = await alerter().resolve({ event: "backup_failed", agent: "wren", title: "wren: backup ok again", text: "snapshot 1a2b3c4d" }, sig());
    assert.equal(res.decision, "all-clear");
    assert.deepEqual(res.deliveries.map((d) => d.ok), [true]);
    assert.equal(sink.requests.length, 2);
    const clear = received()[1]!;
    assert.equal(clear.severity, "resolved");
    assert.equal(clear.event, "backup_failed");
    assert.equal(clear.agent, "wren");
    assert.equal(clear.title, "wren: backup ok again");
    assert.deepEqual((await alerter().ledger()).alerts, {});

    // Nothing open any more: resolving again sends nothing.
    assert.deepEqual(await alerter().resolve({ event: "backup_failed", agent: "wren", title: "x", text: "" }, sig()), { decision: "none", deliveries: [] });
    assert.equal(sink.requests.length, 2);
    assert.equal((await alerter().raise(failed, sig())).decision, "new");
    assert.equal(sink.requests.length, 3);
  } finally { await cleanup(); }
});

test("resolve of an alert nobody heard about is quiet: nothing is sent, the entry is cleared", async () => {
  const down = settings({ notifiers: [hook("a", "/a", `http://127.0.0.1:${await closedPort()}`)] });
  try {
    const raised = await alerter(down).raise(failed, sig());
    assert.equal(raised.deliveries[0]?.ok, false);
    const res = await alerter(settings()).resolve({ event: "backup_failed", agent: "wren", title: "ok", text: "" }, sig());
    assert.equal(res.decision, "quiet");
    assert.deepEqual(res.deliveries, []);
    assert.equal(sink.requests.length, 0);
    assert.deepEqual((await alerter().ledger()).alerts, {});
  } finally { await cleanup(); }
});

test("when every notifier fails the alert stays unsent and the next raise retries at once", async () => {
  const port = await closedPort();
  const down = settings({ notifiers: [hook("a", "/a", `http://127.0.0.1:${port}`), hook("b", "/b", `http://127.0.0.1:${port}`)] });
  try {
    const first = await alerter(down).raise(failed, sig());
    assert.equal(first.decision, "new");
    assert.deepEqual(first.deliveries.map((d) => [d.notifier, d.ok]), [["a", false], ["b", false]]);
    assert.ok(first.deliveries.every((d) => typeof d.error === "string" && d.error.length > 0));
    const e = (await alerter().ledger()).alerts["backup_failed/wren"]!;
    assert.equal(e.lastSent, null);
    assert.equal(e.open, true);

    clock += 60_000; // well within repeatMs
    const retry = await alerter(down).raise(failed, sig());
    assert.equal(retry.decision, "unsent");
    assert.equal(retry.deliveries.length, 2, "a retry is attempted, not suppressed");

    // The receiver is back: the retry goes out, and from then on the interval applies.
    clock += 60_000;
    const back = await alerter(settings()).raise(failed, sig());
    assert.equal(back.decision, "unsent");
    assert.equal(sink.requests.length, 1);
    const sent = (await alerter().ledger()).alerts["backup_failed/wren"]!;
    assert.equal(sent.lastSent, new Date(clock).toISOString());
    assert.equal(sent.since, new Date(T0).toISOString(), "the condition is still the one first seen at T0");
    clock += 60_000;
    assert.equal((await alerter().raise(failed, sig())).decision, "suppressed");
  } finally { await cleanup(); }
});

test("one notifier failing is enough when another delivers: the alert counts as sent", async () => {
  const dead = hook("dead", "/dead", `http://127.0.0.1:${await closedPort()}`);
  try {
    const out = await alerter(settings({ notifiers: [dead, hook("a")] })).raise(failed, sig());
    assert.deepEqual(out.deliveries.map((d) => [d.notifier, d.ok]), [["dead", false], ["a", true]]);
    clock += 60_000;
    assert.equal((await alerter(settings({ notifiers: [dead, hook("a")] })).raise(failed, sig())).decision, "suppressed");
  } finally { await cleanup(); }
});

test("routes: an event routed to A only does not reach B; an unrouted event reaches both", async () => {
  const s = settings({ notifiers: [hook("a"), hook("b")], routes: { drift_found: ["a"], backup_failed: ["b"] } });
  try {
    const drift = await alerter(s).raise({ event: "drift_found", agent: "wren", severity: "warning", title: "drift", text: "SOUL.md" }, sig());
    assert.deepEqual(drift.deliveries.map((d) => d.notifier), ["a"]);
    assert.deepEqual(sink.requests.map((r) => r.path), ["/a"]);

    await alerter(s).raise(failed, sig());
    assert.deepEqual(sink.requests.map((r) => r.path), ["/a", "/b"]);

    await alerter(s).raise({ event: "check_failed", severity: "critical", title: "check failed", text: "pack damaged" }, sig());
    assert.deepEqual(sink.requests.slice(2).map((r) => r.path).sort(), ["/a", "/b"]);
    const repoAlert = (await alerter().ledger()).alerts["check_failed/*"];
    assert.ok(repoAlert);
    assert.equal(repoAlert.agent, undefined);

    // The all-clear of the drift alert follows the same route.
    const res = await alerter(s).resolve({ event: "drift_found", agent: "wren", title: "drift approved", text: "" }, sig());
    assert.deepEqual(res.deliveries.map((d) => d.notifier), ["a"]);
    assert.deepEqual(sink.requests.at(-1)!.path, "/a");
  } finally { await cleanup(); }
});

test("an event routed to no notifier sends nothing", async () => {
  const s = settings({ notifiers: [hook("a")], routes: { restore_done: [] } });
  try {
    const out = await alerter(s).announce({ event: "restore_done", agent: "wren", severity: "info", title: "restored", text: "" }, sig());
    assert.deepEqual(out, { decision: "announced", deliveries: [] });
    assert.equal(sink.requests.length, 0);
  } finally { await cleanup(); }
});

test("credentials in titles and texts are redacted in what arrives", async () => {
  try {
    const leaky: Condition = {
      event: "backup_failed", agent: "wren", severity: "critical",
      title: "wren: pg_dump postgres://u:pw@h/db failed",
      text: "pg_dump: connection to postgres://u:pw@h/db refused\nenv: PGPASSWORD=x PGHOST=h",
    };
    await alerter().raise(leaky, sig());
    const body = sink.requests[0]!.body.toString("utf8");
    assert.ok(!body.includes("u:pw@"), body);
    assert.ok(!body.includes("PGPASSWORD=x"), body);
    const msg = received()[0]!;
    assert.equal(msg.title, "wren: pg_dump postgres://u:***@h/db failed");
    assert.equal(msg.text, "pg_dump: connection to postgres://u:***@h/db refused\nenv: PGPASSWORD=*** PGHOST=h");
    clock += 5 * 60_000;
    await alerter().resolve({ event: "backup_failed", agent: "wren", title: "ok: postgres://u:pw@h/db", text: "PGPASSWORD=x" }, sig());
    const clear = sink.requests[1]!.body.toString("utf8");
    assert.ok(!clear.includes("u:pw@") && !clear.includes("PGPASSWORD=x"), clear);
  } finally { await cleanup(); }
});

test("announce sends without opening an alert; test marks the message", async () => {
  try {
    const out = await alerter().announce({ event: "restore_done", agent: "wren", severity: "info", title: "wren restored", text: "" }, sig(), { test: true });
    assert.equal(out.decision, "announced");
    assert.equal(sink.requests.length, 1);
    assert.equal(received()[0]!.test, true);
    assert.equal(received()[0]!.severity, "info");
    assert.deepEqual((await alerter().ledger()).alerts, {});
  } finally { await cleanup(); }
});

test("a damaged or foreign ledger file is treated as empty, not fatal", async () => {
  try {
    await writeFile(join(dir, "alerts.json"), "{ torn");
    assert.equal((await alerter().raise(failed, sig())).decision, "new");
    await writeFile(join(dir, "alerts.json"), JSON.stringify({ version: 2, whatever: true }));
    assert.equal((await alerter().raise(failed, sig())).decision, "new");
    assert.equal(sink.requests.length, 2);
  } finally { await cleanup(); }
});

test("the ledger in the state folder keeps no credential from a title, even when the title is the fingerprint", async () => {
  try {
    await alerter().raise({ ...failed, title: "wren: pg_dump postgres://u:pw@h/db failed (PGPASSWORD=x)" }, sig());
    const ledgerText = await readFile(join(dir, "alerts.json"), "utf8");
    assert.ok(!ledgerText.includes("u:pw@"), ledgerText);
    assert.ok(!ledgerText.includes("PGPASSWORD=x"), ledgerText);
    // The same condition is still recognised as the same alert.
    clock += 60_000;
    assert.equal((await alerter().raise({ ...failed, title: "wren: pg_dump postgres://u:pw@h/db failed (PGPASSWORD=x)" }, sig())).decision, "suppressed");
  } finally { await cleanup(); }
});
