/**
 * @module test/e2e/alerts.test
 * Human alerts end to end, through the real CLI, with every notifier kind pointed at a real
 * local far side (webhook, Telegram Bot API and ntfy on one HTTP sink; an SMTP server; a
 * command appending its stdin to a file):
 * - three failed backups in a row (the repository moved away, exit 10) are ONE backup_failed
 *   alert; `status` shows the failures in a row and the last failure; the next good backup
 *   sends one all-clear; with `notify.failures: 2` the first failure stays quiet;
 * - freshness: `status --notify` raises backup_stale (warning, then critical), stays quiet
 *   while nothing changes, and sends the all-clear once a backup is fresh again;
 * - `notify test` reaches each notifier with a message marked as a test, names a dead one
 *   FAILED (exit 1) while the others still get theirs, and refuses an unknown --notifier;
 * - a route naming an unknown notifier is a one-line config error with file:line:column;
 * - a restore announces restore_done (info), through the routed notifiers only when routed.
 */
import assert from "node:assert/strict";
import { readFile, rename } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { workspace } from "../../src/testing/fixtures/index.ts";
import { closedPort } from "../../src/testing/notifysinks.ts";
import { createAgentWorld, type AgentWorld, type AgentYaml } from "./agent-helpers.ts";
import {
  assertNothing, assertSameAlert, counts, expectCode, recorder, startNotifyRig, stateDirOf, writeLifeboatYaml,
  type NotifyRig, type Recorder,
} from "./alert-helpers.ts";
import { assertCleanFailure, assertNoStackTrace, jsonLines } from "./helpers.ts";

const AGENT = "owl";

interface AgentStatusJson {
  agent: string;
  freshness: { state: string; age_ms: number | null; newest: { id: string; time: string } | null; limits: { interval_ms: number; warn_ms: number; critical_ms: number } } | null;
  failures_in_row: number;
  last_failure: { time: string; error: string } | null;
  open_alerts: { event: string; since: string; title: string }[];
}
interface StatusJson {
  message_type: "status";
  repository: { location: string; error?: string; snapshots: number };
  agents: AgentStatusJson[];
}

function statusDoc(stdout: string): StatusJson {
  const doc = jsonLines(stdout).find((v) => (v as { message_type?: string }).message_type === "status");
  assert.ok(doc, `no status document in: ${stdout.slice(0, 500)}`);
  return doc as StatusJson;
}

const agentOf = (s: StatusJson, name = AGENT) => {
  const a = s.agents.find((x) => x.agent === name);
  assert.ok(a, `agent ${name} in status`);
  return a;
};

/** A world with a workspace agent, the notifier rig and lifeboat.yaml. */
async function setup(agent: Partial<AgentYaml> = {}, notify: Record<string, unknown> = {}) {
  const w = await createAgentWorld();
  const rig = await startNotifyRig(w.dir);
  const root = join(w.home, "owl");
  await workspace(root);
  const agents: AgentYaml[] = [{ name: AGENT, preset: "workspace", root, ...agent }];
  await writeLifeboatYaml(w, { notify: { notifiers: rig.notifiers(), ...notify }, agents });
  return { w, rig, root, r: recorder(w), agents };
}

describe("backup_failed: three failures in a row are one alert, and recovery is one all-clear", { timeout: 300_000 }, () => {
  let w: AgentWorld;
  let rig: NotifyRig;
  let r: Recorder;

  before(async () => {
    ({ w, rig, r } = await setup());
  });
  after(async () => {
    await rig?.stop();
    await w?.cleanup();
  });

  it("a good backup alerts nobody", async () => {
    const m = await rig.mark();
    expectCode(await r.run(["backup"]), 0, "backup");
    assertNothing(await rig.since(m), "a good backup");
  });

  it("the repository moved away: three failures (exit 10), exactly one backup_failed alert; status shows 3 in a row", async () => {
    await rename(w.repo, `${w.repo}.away`);
    const m = await rig.mark();
    for (let i = 1; i <= 3; i++) {
      const res = await r.run(["backup"]);
      assertCleanFailure(res, 10, /no repository at /);
      if (i === 1) {
        assertSameAlert(await rig.since(m), rig, {
          event: "backup_failed", severity: "critical", agent: AGENT, title: /^backup of owl failed$/, text: ["no repository at", "lifeboat status"],
        });
      }
    }
    const all = await rig.since(m);
    assert.deepEqual(counts(all), { ops: 1, phone: 1, pager: 1, mail: 1, script: 1 }, "one alert per notifier across the three failures");
    assert.deepEqual(all.webhook[0]!.details, { failures_in_row: 1 });

    const st = await r.run(["--json", "status"]);
    // The repository is missing, so status exits with its code, but still shows the local half.
    assert.equal(st.code, 10, st.stderr);
    const a = agentOf(statusDoc(st.stdout));
    assert.equal(a.failures_in_row, 3);
    assert.ok(a.last_failure, "last_failure is set");
    assert.match(a.last_failure.error, /no repository at/);
    assert.ok(!Number.isNaN(Date.parse(a.last_failure.time)));
    assert.deepEqual(a.open_alerts.map((x) => x.event), ["backup_failed"]);

    const text = await r.run(["status"]);
    assert.equal(text.code, 10);
    assert.match(text.stdout, /^owl\s.*\s3\s/m, `the agent row shows 3 failures:\n${text.stdout}`);
    assert.match(text.stdout, /^owl: last failure \d{4}-\d{2}-\d{2} \d{2}:\d{2}: no repository at /m);

    const runs = (await readFile(join(stateDirOf(w), "runs.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { job: string; ok: boolean; exitCode: number; agent?: string });
    const backups = runs.filter((x) => x.job === "backup");
    assert.deepEqual(backups.slice(-3).map((x) => [x.ok, x.exitCode, x.agent]), [[false, 10, AGENT], [false, 10, AGENT], [false, 10, AGENT]]);
  });

  it("the repository back: the next backup succeeds and sends one all-clear; status shows 0 failures", async () => {
    await rename(`${w.repo}.away`, w.repo);
    const m = await rig.mark();
    expectCode(await r.run(["backup"]), 0, "backup after the repository came back");
    assertSameAlert(await rig.since(m), rig, { event: "backup_failed", severity: "resolved", agent: AGENT, title: /^backup of owl: working again$/ });
    const st = await r.run(["--json", "status"]);
    expectCode(st, 0, "status");
    const a = agentOf(statusDoc(st.stdout));
    assert.equal(a.failures_in_row, 0);
    assert.deepEqual(a.open_alerts, []);
    const m2 = await rig.mark();
    expectCode(await r.run(["backup"]), 0, "another good backup");
    assertNothing(await rig.since(m2), "a good backup after the all-clear");
  });
});

describe("backup_failed with notify.failures: 2", { timeout: 300_000 }, () => {
  let w: AgentWorld;
  let rig: NotifyRig;
  let r: Recorder;
  let root: string;

  before(async () => {
    ({ w, rig, r, root } = await setup({}, { failures: 2 }));
    expectCode(await r.run(["backup"]), 0, "first backup");
  });
  after(async () => {
    await rig?.stop();
    await w?.cleanup();
  });

  it("the agent's folder gone: the first failure sends nothing, the second sends one alert, the third nothing", async () => {
    await rename(root, `${root}.away`);
    const m = await rig.mark();
    const first = await r.run(["backup"]);
    assert.equal(first.code, 1, first.stderr);
    assertNoStackTrace(first.stderr);
    assert.match(first.stderr, /does not exist/);
    assertNothing(await rig.since(m), "one failure with failures: 2");

    const m2 = await rig.mark();
    expectCode(await r.run(["backup"]), 1, "second failure");
    const msg = assertSameAlert(await rig.since(m2), rig, {
      event: "backup_failed", severity: "critical", agent: AGENT, title: /^backup of owl failed \(2 times in a row\)$/, text: ["does not exist"],
    });
    assert.deepEqual(msg.details, { failures_in_row: 2 });

    const m3 = await rig.mark();
    expectCode(await r.run(["backup"]), 1, "third failure");
    assertNothing(await rig.since(m3), "a third failure of the same kind");
    const st = await r.run(["--json", "status"]);
    expectCode(st, 0, "status");
    assert.equal(agentOf(statusDoc(st.stdout)).failures_in_row, 3);
  });

  it("the folder back: one all-clear", async () => {
    await rename(`${root}.away`, root);
    const m = await rig.mark();
    expectCode(await r.run(["backup"]), 0, "backup");
    assertSameAlert(await rig.since(m), rig, { event: "backup_failed", severity: "resolved", agent: AGENT });
  });
});

describe("backup_stale: status --notify is the freshness watchdog", { timeout: 300_000 }, () => {
  let w: AgentWorld;
  let rig: NotifyRig;
  let r: Recorder;
  // interval 1s; warn after 3s, critical after 6s (wide windows, so a slow machine does not flake).
  const limits = { interval: "1s", warn: "3s", critical: "6s" };
  /** What `status --notify --json` printed when it raised the warning and when it sent the all-clear. */
  let printed: { raised: AgentStatusJson; cleared: AgentStatusJson } | undefined;

  before(async () => {
    ({ w, rig, r } = await setup({ freshness: limits }));
  });
  after(async () => {
    await rig?.stop();
    await w?.cleanup();
  });

  const status = async (...flags: string[]) => {
    const res = await r.run(["--json", "status", ...flags]);
    expectCode(res, 0, `status ${flags.join(" ")}`);
    return agentOf(statusDoc(res.stdout));
  };
  /** waitAge sleeps until the newest snapshot is `ms` old. */
  const waitAge = async (newest: string, ms: number) => {
    const left = Date.parse(newest) + ms - Date.now();
    if (left > 0) await sleep(left);
  };

  it("fresh, then warn, then critical: one alert per change of state, none while it stays; all-clear after a backup", async () => {
    expectCode(await r.run(["backup"]), 0, "backup");
    const m = await rig.mark();
    const fresh = await status("--notify");
    assert.equal(fresh.freshness?.state, "ok");
    assert.deepEqual(fresh.freshness?.limits, { interval_ms: 1000, warn_ms: 3000, critical_ms: 6000, items: {} });
    assertNothing(await rig.since(m), "a fresh agent");
    const newest = fresh.freshness!.newest!.time;

    await waitAge(newest, 3500);
    const m2 = await rig.mark();
    const warn = await status("--notify");
    assert.equal(warn.freshness?.state, "warn");
    assertSameAlert(await rig.since(m2), rig, {
      event: "backup_stale", severity: "warning", agent: AGENT, title: /^owl: newest backup is .* old \(warn\)$/, text: ["lifeboat backup --agent owl"],
    });

    await waitAge(newest, 6500);
    const m3 = await rig.mark();
    const crit = await status("--notify");
    assert.equal(crit.freshness?.state, "critical");
    assertSameAlert(await rig.since(m3), rig, { event: "backup_stale", severity: "critical", agent: AGENT, title: /\(critical\)$/ });

    const m4 = await rig.mark();
    const still = await status("--notify");
    assert.equal(still.freshness?.state, "critical");
    const plain = await status();
    assert.equal(plain.freshness?.state, "critical");
    assert.deepEqual(plain.open_alerts.map((x) => x.event), ["backup_stale"], "status lists the open alert");
    assertNothing(await rig.since(m4), "the same staleness again, and status without --notify");

    const m5 = await rig.mark();
    expectCode(await r.run(["backup"]), 0, "backup");
    const again = await status("--notify");
    assert.equal(again.freshness?.state, "ok");
    assertSameAlert(await rig.since(m5), rig, { event: "backup_stale", severity: "resolved", agent: AGENT, title: /^owl: backups are fresh again$/ });

    const text = await r.run(["status"]);
    expectCode(text, 0, "status (text)");
    assert.match(text.stdout, /^Agent\s+Last backup\s+Freshness/m);
    assert.match(text.stdout, /^owl\s+[0-9a-f]{8} \S+ ago\s+ok\s/m, `agent row:\n${text.stdout}`);
    assert.match(text.stdout, /^owl\s.*\s-\s*$/m, "no alert open in the agent row");
    printed = { raised: warn, cleared: again };
  });

  it("what status --notify prints agrees with what it just sent: the alert it raised is open, the one it cleared is not", () => {
    assert.ok(printed, "the watchdog test ran");
    assert.deepEqual(printed.raised.open_alerts.map((x) => x.event), ["backup_stale"], "status --notify lists the backup_stale alert it just raised");
    assert.deepEqual(printed.cleared.open_alerts, [], "status --notify does not list the alert it just cleared");
  });
});

describe("notify test, routes and restore_done", { timeout: 300_000 }, () => {
  let w: AgentWorld;
  let rig: NotifyRig;
  let r: Recorder;
  let root: string;
  let agents: AgentYaml[];

  before(async () => {
    ({ w, rig, r, root, agents } = await setup());
  });
  after(async () => {
    await rig?.stop();
    await w?.cleanup();
  });

  it("notify test: every notifier answers ok and each far side got one message marked as a test", async () => {
    const m = await rig.mark();
    const res = await r.run(["notify", "test"]);
    expectCode(res, 0, "notify test");
    const lines = res.stdout.trim().split("\n");
    assert.equal(lines.length, 5, res.stdout);
    assert.match(res.stdout, /^ok\s+ops \(webhook\): HTTP 200$/m);
    assert.match(res.stdout, /^ok\s+phone \(telegram\): message \d+$/m);
    assert.match(res.stdout, /^ok\s+pager \(ntfy\): HTTP 200 id \S+$/m);
    assert.match(res.stdout, /^ok\s+mail \(email\): 250 /m);
    assert.match(res.stdout, /^ok\s+script \(command\): exit 0$/m);
    const a = await rig.since(m);
    assert.deepEqual(counts(a), { ops: 1, phone: 1, pager: 1, mail: 1, script: 1 });
    assert.equal(a.webhook[0]!.test, true);
    assert.deepEqual(a.command[0], a.webhook[0], "command stdin = webhook body");
    assert.equal(a.telegram[0]!.chatId, rig.chatId);
    assert.match(a.telegram[0]!.text, /^ℹ️ INFO \[TEST\] /);
    assert.match(a.telegram[0]!.text, /nothing is wrong/);
    assert.match(a.ntfy[0]!.title, /^\[TEST\] /);
    assert.ok(a.ntfy[0]!.tags.includes("test"), `ntfy tags ${a.ntfy[0]!.tags.join(",")}`);
    assert.match(a.mail[0]!.subject, /^\[TEST\] /);

    const json = await r.run(["--json", "notify", "test", "--notifier", "phone"]);
    expectCode(json, 0, "notify test --notifier phone --json");
    const doc = jsonLines(json.stdout)[0] as { message_type: string; results: { notifier: string; ok: boolean }[] };
    assert.equal(doc.message_type, "notify_test");
    assert.deepEqual(doc.results.map((x) => [x.notifier, x.ok]), [["phone", true]]);
    const only = await rig.since(m);
    assert.deepEqual(counts(only), { ops: 1, phone: 2, pager: 1, mail: 1, script: 1 }, "--notifier phone reached Telegram only");
  });

  it("notify test with a notifier on a closed port: that one FAILED (exit 1), the others still ok; --notifier nope is a one-line error", async () => {
    const port = await closedPort();
    const secretPath = "/hooks/T000-secret-path-B000";
    const file = join(w.dir, "dead.yaml");
    await writeLifeboatYaml(w, { notify: { notifiers: [...rig.notifiers(), { name: "dead", kind: "webhook", url: `http://127.0.0.1:${port}${secretPath}`, timeout: "5s" }] }, agents }, file);
    const m = await rig.mark();
    const res = await r.run(["notify", "test"], { configFile: file });
    assert.equal(res.code, 1, `${res.stdout}\n${res.stderr}`);
    assertNoStackTrace(res.stderr);
    const lines = res.stdout.trim().split("\n");
    assert.equal(lines.length, 6, res.stdout);
    const failed = lines.filter((l) => l.startsWith("FAILED"));
    assert.equal(failed.length, 1, res.stdout);
    assert.match(failed[0]!, new RegExp(`^FAILED\\s+webhook "dead": cannot reach http://127\\.0\\.0\\.1:${port}`));
    assert.ok(!res.stdout.includes(secretPath) && !res.stderr.includes(secretPath), "a webhook path is a secret: not shown");
    assert.equal(lines.filter((l) => l.startsWith("ok ")).length, 5, res.stdout);
    assert.deepEqual(counts(await rig.since(m)), { ops: 1, phone: 1, pager: 1, mail: 1, script: 1 }, "the live notifiers still got theirs");

    const nope = await r.run(["notify", "test", "--notifier", "nope"]);
    assertCleanFailure(nope, 1, /no notifier nope in /, /configured: ops, phone, pager, mail, script/);
  });

  it("a route naming an unknown notifier is a one-line config error with file:line:column, exit 1", async () => {
    const file = join(w.dir, "badroute.yaml");
    await writeLifeboatYaml(w, { notify: { notifiers: rig.notifiers(), routes: { drift_found: ["ops", "pagr"] } }, agents }, file);
    const text = await readFile(file, "utf8");
    const line = text.split("\n").findIndex((l) => l.includes("pagr")) + 1;
    assert.ok(line > 0);
    for (const args of [["status"], ["notify", "test"], ["backup"], ["drift"]]) {
      const res = await r.run(args, { configFile: file });
      assertCleanFailure(res, 1, new RegExp(`badroute\\.yaml:${line}:\\d+: notify\\.routes\\.drift_found\\[1\\]: no notifier named "pagr" \\(configured: ops, phone, pager, mail, script\\)`));
    }
  });

  it("a restore announces restore_done (info) at every notifier; a dry run announces nothing", async () => {
    expectCode(await r.run(["backup"]), 0, "backup");
    const target = join(w.dir, "restored");
    const m = await rig.mark();
    expectCode(await r.run(["restore", "latest", "--agent", AGENT, "--target", target, "--dry-run"]), 0, "restore --dry-run");
    assertNothing(await rig.since(m), "a dry run");

    const res = await r.run(["restore", "latest", "--agent", AGENT, "--target", target]);
    expectCode(res, 0, "restore");
    const snaps = await w.snapshots();
    const latest = snaps.filter((s) => s.agent === AGENT).at(-1)!;
    const msg = assertSameAlert(await rig.since(m), rig, {
      event: "restore_done", severity: "info", agent: AGENT, title: new RegExp(`^owl was restored from snapshot ${latest.short_id} `), text: ["lifeboat drift"],
    });
    assert.equal((msg.details as { snapshot?: string }).snapshot, latest.id);
    assert.equal(await readFile(join(target, "SOUL.md"), "utf8"), await readFile(join(root, "SOUL.md"), "utf8"));
  });

  it("with routes, restore_done reaches only the routed notifiers", async () => {
    const file = join(w.dir, "routed.yaml");
    await writeLifeboatYaml(w, { notify: { notifiers: rig.notifiers(), routes: { restore_done: ["ops", "script"] } }, agents }, file);
    const target = join(w.dir, "restored-2");
    const m = await rig.mark();
    expectCode(await r.run(["restore", "latest", "--agent", AGENT, "--target", target], { configFile: file }), 0, "restore");
    const a = await rig.since(m);
    assert.deepEqual(counts(a), { ops: 1, phone: 0, pager: 0, mail: 0, script: 1 });
    assert.equal(a.webhook[0]!.event, "restore_done");
    assert.deepEqual(a.command[0], a.webhook[0]);
  });
});
