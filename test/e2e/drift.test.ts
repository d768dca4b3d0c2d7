/**
 * @module test/e2e/drift.test
 * Identity drift end to end, through the real CLI, on an OpenClaw agent (workspace with
 * SOUL.md, MEMORY.md, memory/YYYY-MM-DD.md; a .env holding a distinctive API key) with five
 * notifiers pointed at real local servers: a webhook, the Telegram Bot API and ntfy (one
 * HTTP sink), an SMTP server, and a command appending its stdin to a file.
 *
 * What it proves (the "Must show"):
 * - the first backup approves the first baseline; drift is clean (exit 0);
 * - an edit of SOUL.md outside lifeboat is drift (exit 4) with a unified diff, and ONE alert
 *   reaches every notifier in that one check; the same drift again sends nothing (repeat 6h);
 * - `drift accept` records approval 2 with who and why, drift is clean and an all-clear arrives;
 * - a changed .env is `secret-changed` with its content hidden, and the key (old and new,
 *   and their hashes) appears nowhere: CLI output, any request or mail a far side got, the
 *   command's stdin, any file in the state dir;
 * - known failure patterns: memory truncated, daily logs deleted, a stale BOOTSTRAP.md;
 * - a damaged or removed approval record is tampering (exit 16): accept refuses without
 *   --force, accept --force recovers; a deleted newest approval (rollback) is caught through
 *   the state dir's memory;
 * - accept without --reason is a one-line error, exit 1.
 * A second suite checks drift after an ordinary scheduled backup (the newest snapshot is then
 * not the approved one) and the loss of the whole workspace folder.
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { appendFile, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { hostname, userInfo } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { openclawFiles } from "../../src/testing/fixtures/index.ts";
import { createAgentWorld, type AgentWorld } from "./agent-helpers.ts";
import {
  assertNothing, assertOneEach, assertSameAlert, expectCode, readTreeText, recorder, startNotifyRig, stateDirOf, writeLifeboatYaml,
  type NotifyRig, type Recorder,
} from "./alert-helpers.ts";
import { assertCleanFailure, assertNoStackTrace, flipByte, jsonLines, type CliResult } from "./helpers.ts";

const AGENT = "wren";
const sha = (s: string | Buffer) => createHash("sha256").update(s).digest("hex");

interface Violation { rule: string; severity: string; message: string }
interface FileJson { path: string; item: string; class: string; status: string; violations: Violation[]; diff?: string; diff_hidden?: string; before?: unknown; after?: unknown }
interface PatternJson { pattern: string; severity: string; message: string; paths: string[] }
interface DriftJson {
  message_type: "drift";
  agent: string;
  state: "clean" | "drift" | "tampered" | "no-baseline";
  report: { files: FileJson[]; patterns: PatternJson[]; counts: Record<string, number>; drift: boolean; notes: string[] } | null;
  approval: { id: string; seq: number; time: string; by: string; reason: string; snapshot: string } | null;
  tampered: { id: string; problem: string; seq?: number }[];
  latest: { id: string; time: string } | null;
}

function driftDoc(stdout: string): DriftJson {
  const doc = jsonLines(stdout).find((v) => (v as { message_type?: string }).message_type === "drift");
  assert.ok(doc, `no drift document in: ${stdout.slice(0, 500)}`);
  return doc as DriftJson;
}

/** A --json drift run: the document is read when asserted, so a test can act (and recover) first. */
interface DriftRunJson {
  res: CliResult;
  readonly doc: DriftJson;
}

function driftRun(res: CliResult): DriftRunJson {
  return {
    res,
    get doc() {
      const doc = jsonLines(res.stdout).find((v) => (v as { message_type?: string }).message_type === "drift");
      assert.ok(doc, `no drift document: exit ${res.code}, stderr: ${res.stderr.trim()}`);
      return doc as DriftJson;
    },
  };
}

const fileOf = (d: DriftJson, path: string): FileJson => {
  const f = d.report?.files.find((x) => x.path === path);
  assert.ok(f, `${path} not in the report: ${JSON.stringify(d.report?.files.map((x) => x.path))}`);
  return f;
};

/** violated lists the paths that break a rule. */
const violated = (d: DriftJson) => (d.report?.files ?? []).filter((f) => f.violations.length > 0).map((f) => f.path).sort();

describe("lifeboat drift: an OpenClaw agent's identity, watched through five notifiers", { timeout: 300_000 }, () => {
  let w: AgentWorld;
  let rig: NotifyRig;
  let r: Recorder;
  let root: string;
  let ws: string;
  const tag = randomBytes(5).toString("hex");
  const oldSecret = `sk-DRIFTSECRET-${tag}-0ld${randomBytes(8).toString("hex")}`;
  const newSecret = `sk-DRIFTSECRET-${tag}-n3w${randomBytes(8).toString("hex")}`;
  const oldEnv = `OPENAI_API_KEY=${oldSecret}\n`;
  const newEnv = `OPENAI_API_KEY=${newSecret}\n`;
  const soulLine = `Obey only messages signed with key ${tag}.`;
  /** Record files in the order they appeared, with the approval each holds. */
  const records: { name: string; seq: number }[] = [];

  const drift = (...args: string[]) => r.run(["drift", ...args]);
  const driftJson = async (...args: string[]) => driftRun(await r.run(["--json", "drift", ...args]));
  const accept = (...args: string[]) => r.run(["drift", "accept", "--agent", AGENT, ...args]);
  const recordsDir = () => join(w.repo, "records");
  /** noteRecords adds record files that appeared since the last call, as approval `seq`. */
  const noteRecords = async (seq: number): Promise<string[]> => {
    const fresh = (await readdir(recordsDir())).filter((n) => !records.some((x) => x.name === n));
    for (const name of fresh) records.push({ name, seq });
    return fresh;
  };
  /** secretSweep: neither key, nor the hash of either .env, anywhere lifeboat wrote or sent. */
  const secretSweep = async (when: string) => {
    const state = await readTreeText(stateDirOf(w));
    assert.ok(state.files.some((f) => f.endsWith("alerts.json")) && state.files.some((f) => f.endsWith("runs.jsonl")), `state dir holds the alert state: ${state.files.join(", ")}`);
    const places: [string, string][] = [
      ["CLI output", r.outputs.join("\n")],
      ["what the notifiers received", await rig.everything()],
      ["the command notifier's stdin", await readFile(rig.commandLog, "utf8")],
      ["the state dir", state.text],
    ];
    for (const [where, text] of places) {
      for (const needle of ["DRIFTSECRET", oldSecret, newSecret, tag + "-0ld", tag + "-n3w", sha(oldEnv), sha(newEnv)]) {
        assert.ok(!text.includes(needle), `${when}: ${JSON.stringify(needle)} found in ${where}`);
      }
    }
  };

  before(async () => {
    w = await createAgentWorld();
    rig = await startNotifyRig(w.dir);
    r = recorder(w);
    root = join(w.home, ".openclaw");
    await openclawFiles(root, { home: w.home });
    ws = join(root, "workspace");
    await writeFile(join(root, ".env"), oldEnv, { mode: 0o600 });
    await writeLifeboatYaml(w, { notify: { notifiers: rig.notifiers() }, agents: [{ name: AGENT, preset: "openclaw", root }] });
  });
  after(async () => {
    await rig?.stop();
    await w?.cleanup();
  });

  it("1. the first backup approves the first baseline; drift is clean (exit 0) and nobody is alerted", async () => {
    const m = await rig.mark();
    const b = await r.run(["backup"]);
    expectCode(b, 0, "backup");
    assert.match(b.stdout, /approved as wren's drift baseline \(first backup\)/);
    assert.deepEqual(await noteRecords(1), [records[0]!.name], "one approval record written");

    const text = await drift();
    expectCode(text, 0, "drift");
    assert.match(text.stdout, /^wren: clean against approval 1 \(.*by lifeboat: first backup/m);
    const { res, doc } = await driftJson();
    expectCode(res, 0, "drift --json");
    assert.equal(doc.state, "clean");
    assert.equal(doc.approval?.seq, 1);
    assert.equal(doc.approval?.by, "lifeboat");
    assert.equal(doc.approval?.snapshot, doc.latest?.id, "the first snapshot is the baseline");
    assert.equal(doc.report?.drift, false);
    assert.equal(doc.report?.counts.violations, 0);
    assertNothing(await rig.since(m), "first backup and clean checks");
  });

  it("2. SOUL.md edited outside lifeboat: exit 4, a unified diff, ONE alert at every notifier in that check", async () => {
    await appendFile(join(ws, "SOUL.md"), `${soulLine}\n`);
    const m = await rig.mark();
    const text = await drift();
    expectCode(text, 4, "drift after the SOUL.md edit");
    assertNoStackTrace(text.stderr);
    assert.match(text.stdout, /^wren: DRIFT against approval 1 /m);
    assert.match(text.stdout, /changed\s+workspace\/SOUL\.md \(identity\)\s+\[identity-unapproved\]/);
    assert.match(text.stdout, /^\s+--- workspace\/SOUL\.md\tapproved baseline/m);
    assert.match(text.stdout, /^\s+\+\+\+ workspace\/SOUL\.md\tlive$/m);
    assert.match(text.stdout, /^\s+@@ -\d+,\d+ \+\d+,\d+ @@$/m);
    assert.ok(text.stdout.split("\n").some((l) => l.trim() === `+${soulLine}`), `diff line +${soulLine} in:\n${text.stdout}`);

    const msg = assertSameAlert(await rig.since(m), rig, {
      event: "drift_found", severity: "critical", agent: AGENT, title: /^wren: 1 unapproved change/,
      text: ["workspace/SOUL.md changed since the approved baseline", `+${soulLine}`],
    });
    assert.deepEqual(msg.details, { state: "drift", approval: 1, violations: 1 });

    const m2 = await rig.mark();
    const { res, doc } = await driftJson();
    expectCode(res, 4, "drift --json");
    assert.equal(doc.state, "drift");
    assert.deepEqual(violated(doc), ["workspace/SOUL.md"]);
    const soul = fileOf(doc, "workspace/SOUL.md");
    assert.equal(soul.class, "identity");
    assert.equal(soul.status, "changed");
    assert.deepEqual(soul.violations.map((v) => [v.rule, v.severity]), [["identity-unapproved", "critical"]]);
    assert.ok(soul.diff?.split("\n").includes(`+${soulLine}`), `JSON diff: ${soul.diff}`);
    assertNothing(await rig.since(m2), "the --json run of the same drift");
  });

  it("3. the same drift checked again sends nothing new (repeat defaults to 6h); status shows it open", async () => {
    const m = await rig.mark();
    const again = await drift();
    expectCode(again, 4, "drift again");
    assertNothing(await rig.since(m), "a second check of the same drift");
    const st = await r.run(["--json", "status"]);
    expectCode(st, 0, "status");
    const s = jsonLines(st.stdout)[0] as { agents: { agent: string; drift: { state: string; violations: number; paths: string[]; approval: number }; open_alerts: { event: string }[] }[] };
    const a = s.agents.find((x) => x.agent === AGENT)!;
    assert.equal(a.drift.state, "drift");
    assert.deepEqual(a.drift.paths, ["workspace/SOUL.md"]);
    assert.equal(a.drift.approval, 1);
    assert.deepEqual(a.open_alerts.map((x) => x.event), ["drift_found"]);
  });

  it("4. drift accept with a reason approves SOUL.md: clean, an all-clear, approval 2 with by and reason", async () => {
    const reason = "stricter signing rule, agreed with ana";
    const m = await rig.mark();
    const res = await accept("--reason", reason, "workspace/SOUL.md");
    expectCode(res, 0, "drift accept");
    assert.match(res.stdout, /^approval 2 recorded for wren \(snapshot [0-9a-f]{8}, workspace\/SOUL\.md\) by /m);
    assert.match(res.stdout, /^wren: clean against approval 2 /m);
    assert.equal((await noteRecords(2)).length, 1, "one new approval record");
    assertSameAlert(await rig.since(m), rig, { event: "drift_found", severity: "resolved", agent: AGENT, title: /^wren: no drift any more$/ });

    const m2 = await rig.mark();
    const text = await drift();
    expectCode(text, 0, "drift after accept");
    const { res: jr, doc } = await driftJson();
    expectCode(jr, 0, "drift --json after accept");
    assert.equal(doc.state, "clean");
    assert.equal(doc.approval?.seq, 2);
    assert.equal(doc.approval?.by, `${userInfo().username}@${hostname()}`);
    assert.equal(doc.approval?.reason, reason);
    assert.equal(doc.approval?.snapshot, doc.latest?.id, "accept took the snapshot it approved");
    assertNothing(await rig.since(m2), "clean checks after the all-clear");
  });

  it("5. a changed .env is secret-changed with its content hidden, and the key is nowhere lifeboat wrote or sent", async () => {
    await writeFile(join(root, ".env"), newEnv, { mode: 0o600 });
    const m = await rig.mark();
    const text = await drift();
    expectCode(text, 4, "drift after the .env change");
    assert.match(text.stdout, /changed\s+\.env \(secret\)\s+\[secret-changed\]/);
    assert.match(text.stdout, /\(secret: content not shown\)/);
    assertSameAlert(await rig.since(m), rig, {
      event: "drift_found", severity: "warning", agent: AGENT, title: /^wren: 1 unapproved change/,
      text: [".env changed since the approved baseline", "never shown"],
    });

    const { res, doc } = await driftJson();
    expectCode(res, 4, "drift --json");
    assert.deepEqual(violated(doc), [".env"]);
    const env = fileOf(doc, ".env");
    assert.equal(env.class, "secret");
    assert.equal(env.diff_hidden, "secret");
    assert.deepEqual(env.violations.map((v) => v.rule), ["secret-changed"]);
    assert.equal(env.diff, undefined);
    assert.equal(env.before, undefined, "no hash or size of a secret");
    assert.equal(env.after, undefined, "no hash or size of a secret");
    const all = await driftJson("--all");
    expectCode(all.res, 4, "drift --all --json");
    for (const f of all.doc.report!.files.filter((x) => x.class === "secret")) {
      assert.equal(f.before, undefined, `${f.path}: no hash of a secret with --all`);
      assert.equal(f.after, undefined, `${f.path}: no hash of a secret with --all`);
    }
    await secretSweep("after the .env drift");

    const m2 = await rig.mark();
    const ok = await accept("--reason", "rotated the OpenAI key", "--by", "ana@ops", ".env");
    expectCode(ok, 0, "drift accept .env");
    assert.equal((await noteRecords(3)).length, 1);
    assertSameAlert(await rig.since(m2), rig, { event: "drift_found", severity: "resolved", agent: AGENT });
    const { doc: after } = await driftJson();
    assert.equal(after.state, "clean");
    assert.equal(after.approval?.seq, 3);
    assert.equal(after.approval?.by, "ana@ops");
    await secretSweep("after accepting the new key");
  });

  it("6a. MEMORY.md truncated to one line: memory-shrunk and the memory-truncated pattern, one alert, all-clear once it is back", async () => {
    const path = join(ws, "MEMORY.md");
    const original = await readFile(path);
    await writeFile(path, "# MEMORY.md\n");
    const m = await rig.mark();
    const j = await driftJson();
    const text = await drift();
    await writeFile(path, original);
    const back = await drift();

    expectCode(j.res, 4, "drift --json after the truncation");
    const mem = fileOf(j.doc, "workspace/MEMORY.md");
    assert.equal(mem.class, "memory");
    assert.deepEqual(mem.violations.map((v) => [v.rule, v.severity]), [["memory-shrunk", "critical"]]);
    const p = j.doc.report!.patterns.find((x) => x.pattern === "memory-truncated");
    assert.ok(p, `patterns: ${JSON.stringify(j.doc.report!.patterns)}`);
    assert.deepEqual(p.paths, ["workspace/MEMORY.md"]);
    expectCode(text, 4, "drift after the truncation");
    assert.match(text.stdout, /pattern\s+memory-truncated \(critical\)/);
    const all = await rig.since(m);
    // The first check alerted, the second (same drift) did not, the third (clean again) gave the all-clear.
    assert.deepEqual(all.webhook.map((x) => `${x.event}/${x.severity}`), ["drift_found/critical", "drift_found/resolved"]);
    assert.match(all.webhook[0]!.text, /known failure "memory-truncated"/);
    assert.equal(all.telegram.length + all.ntfy.length + all.mail.length + all.command.length, 8, "each notifier got the alert and the all-clear");
    expectCode(back, 0, "drift once MEMORY.md is back");
  });

  it("6b. a deleted daily log: continuity-removed and the daily-logs-deleted pattern; accepting the deletion clears it", async () => {
    const day = (await readdir(join(ws, "memory"))).filter((n) => /^\d{4}-\d{2}-\d{2}\.md$/.test(n)).sort()[0]!;
    const rel = `workspace/memory/${day}`;
    await rm(join(ws, "memory", day));
    const m = await rig.mark();
    const j = await driftJson();
    const ok = await accept("--reason", "that log held a pasted password", rel);
    await noteRecords(4);
    const clean = await drift();

    expectCode(j.res, 4, "drift --json after deleting a daily log");
    const f = fileOf(j.doc, rel);
    assert.equal(f.status, "removed");
    assert.deepEqual(f.violations.map((v) => v.rule), ["continuity-removed"]);
    const p = j.doc.report!.patterns.find((x) => x.pattern === "daily-logs-deleted");
    assert.ok(p, `patterns: ${JSON.stringify(j.doc.report!.patterns)}`);
    assert.deepEqual(p.paths, [rel]);
    assert.equal(p.severity, "critical");
    const alerts = await rig.since(m);
    assert.deepEqual(alerts.webhook.map((x) => `${x.event}/${x.severity}`), ["drift_found/critical", "drift_found/resolved"]);
    assert.match(alerts.webhook[0]!.text, /known failure "daily-logs-deleted"/);
    expectCode(ok, 0, "accept the deletion");
    assert.match(ok.stdout, /^approval 4 recorded/m);
    expectCode(clean, 0, "drift after accepting the deletion");
  });

  it("6c. BOOTSTRAP.md appearing beside a filled MEMORY.md is the stale-bootstrap pattern", async () => {
    const boot = join(ws, "BOOTSTRAP.md");
    await writeFile(boot, "# BOOTSTRAP.md - Hello, World\n\nYou just woke up. Time to figure out who you are.\n");
    const m = await rig.mark();
    const j = await driftJson();
    await rm(boot);
    const clean = await drift();

    expectCode(j.res, 4, "drift --json with BOOTSTRAP.md");
    const p = j.doc.report!.patterns.find((x) => x.pattern === "stale-bootstrap");
    assert.ok(p, `patterns: ${JSON.stringify(j.doc.report!.patterns)}`);
    assert.equal(p.severity, "critical");
    assert.deepEqual(p.paths, ["workspace/BOOTSTRAP.md", "workspace/MEMORY.md"]);
    const f = fileOf(j.doc, "workspace/BOOTSTRAP.md");
    assert.equal(f.status, "added");
    assert.deepEqual(f.violations.map((v) => v.rule), ["identity-unapproved"]);
    const alerts = await rig.since(m);
    assert.deepEqual(alerts.webhook.map((x) => `${x.event}/${x.severity}`), ["drift_found/critical", "drift_found/resolved"]);
    assert.match(alerts.webhook[0]!.text, /known failure "stale-bootstrap"/);
    expectCode(clean, 0, "drift once BOOTSTRAP.md is gone");
  });

  it("7a. a byte flipped in an approval record: exit 16, a tampered alert; accept refuses without --force; --force recovers", async () => {
    const victim = records.find((x) => x.seq === 2)!;
    await flipByte(join(recordsDir(), victim.name), 120);
    const m = await rig.mark();
    const text = await drift();
    const j = await driftJson();
    const refused = await accept("--reason", "looks fine to me");
    const forced = await accept("--force", "--reason", "reviewed after the tampering alert");
    await noteRecords(5);
    const clean = await driftJson();

    expectCode(text, 16, "drift with a damaged record");
    assert.match(text.stdout, /^wren: BASELINE TAMPERED/m);
    assert.match(text.stdout, /^\s+TAMPERED\s+record /m);
    expectCode(j.res, 16, "drift --json with a damaged record");
    assert.equal(j.doc.state, "tampered");
    assert.ok(j.doc.tampered.some((t) => t.id === victim.name), `the damaged record is named: ${JSON.stringify(j.doc.tampered)}`);
    const alerts = await rig.since(m);
    const first = alerts.webhook[0];
    assert.ok(first, "a tampered alert arrived");
    assert.equal(first.event, "drift_found");
    assert.equal(first.severity, "critical");
    assert.match(first.title, /^wren: the approved baseline was tampered with$/);
    assert.match(first.text, /^TAMPERED: /m);
    assert.equal((first.details as { state?: string }).state, "tampered");
    assert.equal(alerts.telegram.filter((x) => x.text.includes("tampered with")).length, 1, "telegram got the tampered alert once");

    assertCleanFailure(refused, 16, /wren's approval chain was tampered with/, /--force/);
    expectCode(forced, 0, "drift accept --force");
    assert.match(forced.stdout, /^approval 5 recorded for wren .*all files/m);
    const left = await readdir(recordsDir());
    assert.ok(!left.includes(victim.name), "--force removed the damaged record");
    expectCode(clean.res, 0, "drift after accept --force");
    assert.equal(clean.doc.state, "clean");
    assert.deepEqual(clean.doc.tampered, []);
    assert.equal(clean.doc.approval?.seq, 5);
    assert.equal(alerts.webhook.at(-1)?.severity, "resolved", "the forced approval sent the all-clear");
  });

  it("7b. a byte flipped in the NEWEST approval record is tampering too (exit 16)", async () => {
    const newest = records.find((x) => x.seq === 5)!;
    await flipByte(join(recordsDir(), newest.name), 120);
    const m = await rig.mark();
    const j = await driftJson();
    const forced = await accept("--force", "--reason", "second review");
    await noteRecords(6);
    const clean = await drift();

    expectCode(j.res, 16, "drift --json with the newest record damaged");
    assert.equal(j.doc.state, "tampered");
    assert.ok(j.doc.tampered.some((t) => t.id === newest.name), JSON.stringify(j.doc.tampered));
    const alerts = await rig.since(m);
    assert.match(alerts.webhook[0]?.title ?? "", /tampered with/);
    expectCode(forced, 0, "accept --force");
    expectCode(clean, 0, "drift after the second --force");
  });

  it("7c. the newest approval record deleted (a rollback) is caught through the state dir's memory: exit 16", async () => {
    const ok = await accept("--reason", "checkpoint before the rollback test");
    expectCode(ok, 0, "drift accept");
    const fresh = await noteRecords(7);
    assert.equal(fresh.length, 1);
    const seen = JSON.parse(await readFile(join(stateDirOf(w), "approvals-seen.json"), "utf8")) as Record<string, number>;
    assert.deepEqual(Object.values(seen), [7], "the state dir remembers approval 7");
    await rm(join(recordsDir(), fresh[0]!));
    const m = await rig.mark();
    const j = await driftJson();
    const forced = await accept("--force", "--reason", "restored after the rollback");
    const clean = await drift();

    expectCode(j.res, 16, "drift after the newest approval was deleted");
    assert.equal(j.doc.state, "tampered");
    assert.ok(j.doc.tampered.some((t) => /approval number 7 was seen on this machine but is gone/.test(t.problem)), JSON.stringify(j.doc.tampered));
    const alerts = await rig.since(m);
    assert.match(alerts.webhook[0]?.title ?? "", /tampered with/);
    expectCode(forced, 0, "accept --force after the rollback");
    expectCode(clean, 0, "drift after recovering from the rollback");
  });

  it("8. drift accept without --reason (or a blank one) is a one-line error, exit 1, and records nothing", async () => {
    const before = (await readdir(recordsDir())).sort();
    const m = await rig.mark();
    assertCleanFailure(await accept(), 1, /--reason is required/);
    assertCleanFailure(await accept("--reason", "   ", "workspace/SOUL.md"), 1, /--reason is required/);
    assert.deepEqual((await readdir(recordsDir())).sort(), before, "no approval record written");
    assertNothing(await rig.since(m), "a refused accept");
  });

  it("the API key, the bot token and the webhook credential never appear in output or state", async () => {
    await secretSweep("at the end");
    const state = (await readTreeText(stateDirOf(w))).text;
    const out = r.outputs.join("\n");
    for (const [what, s] of [["bot token", rig.tgToken], ["webhook header", rig.webhookAuth.slice("Bearer ".length)]] as const) {
      assert.ok(!out.includes(s), `${what} in CLI output`);
      assert.ok(!state.includes(s), `${what} in the state dir`);
    }
  });
});

describe("lifeboat drift between approvals: scheduled backups and a vanished workspace", { timeout: 300_000 }, () => {
  let w: AgentWorld;
  let rig: NotifyRig;
  let r: Recorder;
  let root: string;
  let ws: string;

  before(async () => {
    w = await createAgentWorld();
    rig = await startNotifyRig(w.dir);
    r = recorder(w);
    root = join(w.home, ".openclaw");
    await openclawFiles(root, { home: w.home });
    ws = join(root, "workspace");
    await writeLifeboatYaml(w, { notify: { notifiers: rig.notifiers() }, agents: [{ name: AGENT, preset: "openclaw", root }] });
    expectCode(await r.run(["backup"]), 0, "first backup");
  });
  after(async () => {
    await rig?.stop();
    await w?.cleanup();
  });

  it("memory that grew and was backed up is clean; a later truncation is measured against that newest snapshot", async () => {
    const path = join(ws, "MEMORY.md");
    await appendFile(path, `\n## Learned today\n${"- the user prefers tea in the afternoon, not coffee.\n".repeat(40)}`);
    const grown = await readFile(path);
    const b = await r.run(["backup"]);
    expectCode(b, 0, "scheduled backup");
    assert.doesNotMatch(b.stdout, /approved as/, "only the first backup is approved automatically");
    const m = await rig.mark();
    const grew = await r.run(["--json", "drift"]);
    // Cut back to the size of the approved baseline: no shrink against the baseline, 50%+ against the newest snapshot.
    await writeFile(path, grown.subarray(0, Math.floor(grown.length / 3)));
    const cut = await r.run(["--json", "drift"]);
    const cutAlerts = await rig.since(m);
    await writeFile(path, grown);
    const sync = await r.run(["drift", "accept", "--agent", AGENT, "--reason", "resync"]);

    expectCode(grew, 0, "drift after memory grew and was backed up (newest snapshot is not the approved one)");
    const g = driftDoc(grew.stdout);
    assert.equal(g.state, "clean");
    assert.notEqual(g.latest?.id, g.approval?.snapshot);
    expectCode(cut, 4, "drift after MEMORY.md lost two thirds since the newest snapshot");
    const c = driftDoc(cut.stdout);
    const mem = fileOf(c, "workspace/MEMORY.md");
    assert.deepEqual(mem.violations.map((v) => v.rule), ["memory-shrunk"]);
    assert.match(mem.violations[0]!.message, /since the snapshot of /);
    assert.equal(assertOneEach(cutAlerts, "the truncation").severity, "critical");
    expectCode(sync, 0, "accept to resync");
  });

  it("the whole workspace folder gone (SOUL.md, MEMORY.md, daily logs) is drift, not a note", async () => {
    expectCode(await r.run(["drift"]), 0, "clean before");
    const away = join(w.dir, "workspace.away");
    await rename(ws, away);
    const res = await r.run(["--json", "drift"]);
    const b = await r.run(["backup"]);
    await rename(away, ws);

    expectCode(res, 4, "drift with the workspace deleted");
    const d = driftDoc(res.stdout);
    assert.equal(d.state, "drift");
    assert.ok(violated(d).includes("workspace/SOUL.md"), `SOUL.md's loss is a violation: ${JSON.stringify(violated(d))} notes ${JSON.stringify(d.report?.notes)}`);
    assert.ok(violated(d).includes("workspace/MEMORY.md"));
    // The backup may fail or warn, but must not report success in silence while the agent's identity is missing.
    assert.ok(b.code !== 0 || /workspace/i.test(b.stderr), `a backup without the agent's workspace passed silently (exit ${b.code}):\n${b.stdout}\n${b.stderr}`);
  });
});
