/**
 * @module schedule/install.test
 * `schedule install|remove` on a fake crontab (a temp file behind the CrontabRunner) and a
 * temp XDG_CONFIG_HOME: the block carries markers and one valid five-field line per job;
 * the user's own lines around it survive install, reinstall and remove byte for byte;
 * remove takes exactly the recorded block or unit files. Cron refuses what it cannot
 * express (seconds, another time zone). Unit files parse, and pass `systemd-analyze verify`
 * where that program exists.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LifeboatError } from "../errors/index.ts";
import { fileCrontab, shQuote, spliceBlock } from "./crontab.ts";
import { applyPlan, planCron, planSystemd, readInstalled, removeInstalled, type ApplyContext, type PlanInput } from "./install.ts";
import { machineTimeZone } from "./next.ts";
import type { ScheduleSettings } from "./schema.ts";
import { execQuote, parseUnit, verifyUnits } from "./systemd.ts";

const CONFIG = "/home/ada/my agents/lifeboat.yaml";
const settings = (over: Partial<ScheduleSettings> = {}): ScheduleSettings => ({
  timeZone: machineTimeZone(), timeZoneGiven: false, catchUp: true, graceMs: 120_000,
  jobs: [
    { name: "hourly", kind: "backup", cron: "0 * * * *", prune: true, catchUp: true },
    { name: "drift", kind: "drift", cron: "*/15 * * * *", prune: true, catchUp: true },
  ],
  ...over,
});

async function world() {
  const dir = await mkdtemp(join(tmpdir(), "lifeboat-install-"));
  const tab = join(dir, "crontab");
  const calls: string[] = [];
  const ctx: ApplyContext = {
    stateDir: join(dir, "state"), crontab: fileCrontab(tab), signal: new AbortController().signal, warn: () => undefined,
    systemctl: async (args) => { calls.push(args.join(" ")); return null; },
  };
  const input = (s: ScheduleSettings): PlanInput => ({ config: CONFIG, settings: s, lifeboat: [process.execPath, "/opt/lifeboat/dist/cli/main.js", "--config", CONFIG], env: { LIFEBOAT_STATE_DIR: "/var/50% state" }, envOfProcess: { XDG_CONFIG_HOME: join(dir, "xdg") } });
  return { dir, tab, ctx, calls, input, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A crontab line: five time fields and a command (what `crontab` itself accepts). */
const CRON_LINE = /^(\S+ ){5}\S.*$/;

test("cron install writes a marked block, keeps the user's lines, and remove deletes exactly it", async () => {
  const w = await world();
  try {
    const mine = "MAILTO=ada@example.org\n# my own jobs\n0 9 * * 1 /usr/local/bin/report --weekly\n";
    await writeFile(w.tab, mine);
    const plan = planCron(w.input(settings()));
    await applyPlan(CONFIG, plan, w.ctx);
    const text = await readFile(w.tab, "utf8");
    assert.ok(text.startsWith(mine), "the user's lines come first, unchanged");
    const block = text.slice(mine.length).trimEnd().split("\n");
    assert.equal(block[0], `# lifeboat:begin ${CONFIG}`);
    assert.equal(block.at(-1), "# lifeboat:end");
    const jobs = block.filter((l) => !l.startsWith("#"));
    assert.equal(jobs.length, 2);
    for (const l of jobs) assert.match(l, CRON_LINE);
    assert.ok(jobs[0]!.startsWith("0 * * * * LIFEBOAT_STATE_DIR='/var/50\\% state' "), jobs[0]);
    assert.ok(jobs[0]!.endsWith(`--config '${CONFIG}' --quiet daemon --job hourly`), jobs[0]);
    assert.ok(jobs[1]!.startsWith("*/15 * * * * "));

    // Reinstalling replaces the block instead of adding a second one; lines after it stay.
    await writeFile(w.tab, (await readFile(w.tab, "utf8")) + "30 1 * * * /usr/bin/true\n");
    await applyPlan(CONFIG, planCron(w.input(settings({ jobs: settings().jobs.slice(0, 1) }))), w.ctx);
    const again = await readFile(w.tab, "utf8");
    assert.equal(again.split("# lifeboat:begin").length, 2, "one block");
    assert.ok(again.includes("30 1 * * * /usr/bin/true\n"));
    assert.equal((await readInstalled(w.ctx.stateDir))[CONFIG]?.mode, "cron");

    const removed = await removeInstalled(CONFIG, w.ctx);
    assert.equal(removed?.crontab?.length, 4);
    assert.equal(await readFile(w.tab, "utf8"), mine + "30 1 * * * /usr/bin/true\n", "exactly the user's lines are left");
    assert.deepEqual(await readInstalled(w.ctx.stateDir), {});
    assert.equal(await removeInstalled(CONFIG, w.ctx), null, "removing twice is a no-op");
  } finally {
    await w.cleanup();
  }
});

test("spliceBlock leaves other configs' blocks alone", () => {
  const other = ["# lifeboat:begin /etc/other.yaml", "0 * * * * x", "# lifeboat:end"];
  const start = other.join("\n") + "\n";
  const added = spliceBlock(start, CONFIG, [`# lifeboat:begin ${CONFIG}`, "5 * * * * y", "# lifeboat:end"]).text;
  assert.equal(spliceBlock(added, CONFIG, null).text, start);
  assert.deepEqual(spliceBlock(start, CONFIG, null), { text: start, removed: [] });
  assert.equal(shQuote("it's"), `'it'\\''s'`);
});

test("cron refuses seconds and a time zone other than the machine's", async () => {
  const w = await world();
  try {
    assert.throws(() => planCron(w.input(settings({ jobs: [{ name: "fast", kind: "backup", cron: "*/2 * * * * *", prune: true, catchUp: true }] }))), (e: Error) => e instanceof LifeboatError && /seconds/.test(e.message));
    const zone = machineTimeZone() === "Pacific/Chatham" ? "Europe/Berlin" : "Pacific/Chatham";
    assert.throws(() => planCron(w.input(settings({ timeZone: zone, timeZoneGiven: true }))), /time zone/);
  } finally {
    await w.cleanup();
  }
});

test("systemd install writes a service (or a service and a timer), enables it, and remove takes them away", async () => {
  const w = await world();
  try {
    const plan = planSystemd(w.input(settings()), false);
    assert.equal(plan.files!.length, 1);
    assert.ok(plan.files![0]!.path.startsWith(join(w.dir, "xdg", "systemd", "user", "lifeboat-")));
    const unit = parseUnit(plan.files![0]!.text);
    assert.deepEqual(unit.Service?.Type, ["simple"]);
    assert.deepEqual(unit.Service?.ExecStart, [`${process.execPath} /opt/lifeboat/dist/cli/main.js --config "${CONFIG}" daemon`]);
    assert.deepEqual(unit.Service?.Environment, ['"LIFEBOAT_STATE_DIR=/var/50%% state"']);
    assert.deepEqual(unit.Service?.KillMode, ["mixed"]);
    assert.deepEqual(unit.Install?.WantedBy, ["default.target"]);
    await applyPlan(CONFIG, plan, w.ctx);
    assert.ok(existsSync(plan.files![0]!.path));
    assert.deepEqual(w.calls, ["daemon-reload", `enable --now ${plan.enable}`]);

    const timed = planSystemd(w.input(settings()), true);
    await applyPlan(CONFIG, timed, w.ctx);
    assert.equal(timed.files!.length, 2);
    assert.ok(!existsSync(join(w.dir, "xdg", "nothing")));
    assert.deepEqual(parseUnit(timed.files![0]!.text).Service?.Type, ["oneshot"]);
    assert.ok(parseUnit(timed.files![0]!.text).Service?.ExecStart?.[0]?.endsWith(" daemon --once"));
    assert.deepEqual(parseUnit(timed.files![1]!.text).Timer?.OnCalendar, ["*-*-* *:*:00"]);
    await removeInstalled(CONFIG, w.ctx);
    for (const f of timed.files!) assert.ok(!existsSync(f.path), `${f.path} removed`);
    assert.ok(w.calls.includes(`disable --now ${timed.enable}`));
  } finally {
    await w.cleanup();
  }
});

test("execQuote escapes what systemd would expand", () => {
  assert.equal(execQuote(["/bin/echo", "a b", "100%", "$HOME", 'say "hi"']), '/bin/echo "a b" "100%%" "$$HOME" "say \\"hi\\""');
});

function hasSystemdAnalyze(): boolean {
  try { execFileSync("systemd-analyze", ["--version"], { stdio: "ignore" }); return true; } catch { return false; }
}

test("the unit files pass systemd-analyze verify", { skip: hasSystemdAnalyze() ? false : "systemd-analyze is not installed (the units are still parsed above)" }, async () => {
  const w = await world();
  try {
    // verify checks that ExecStart's program exists: use this node and this checkout's CLI.
    const input = { ...w.input(settings()), lifeboat: [process.execPath, new URL("../cli/main.ts", import.meta.url).pathname, "--config", CONFIG] };
    const plan = planSystemd(input, true);
    const service = planSystemd(input, false).files![0]!;
    const paths: string[] = [];
    for (const f of [...plan.files!, { ...service, path: join(w.dir, "lifeboat-daemon.service") }]) {
      const p = join(w.dir, f.path.split("/").at(-1)!);
      await writeFile(p, f.text);
      paths.push(p);
    }
    assert.equal(await verifyUnits(paths, new AbortController().signal), "", "systemd-analyze verify found nothing to complain about");
  } finally {
    await w.cleanup();
  }
});
