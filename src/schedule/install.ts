/**
 * @module schedule/install
 * `lifeboat schedule install|show|remove`. What gets written:
 * - cron: one crontab line per job, `lifeboat daemon --job NAME` at the job's cron time
 *   (cron does the scheduling; the job keeps its rotation, heartbeat and outcome record), in a
 *   marked block per config file.
 * - systemd: a user service running `lifeboat daemon`, or with `timer` a oneshot service
 *   and a timer starting `lifeboat daemon --once` every minute.
 * What was installed is recorded in the state folder (schedule-installed.json), and
 * `remove` takes away exactly that: the marked block, the recorded unit files.
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { readJson, writeJson } from "../alerts/statedir.ts";
import { LifeboatError } from "../errors/index.ts";
import { beginMark, cronCommand, END_MARK, spliceBlock, type CrontabRunner } from "./crontab.ts";
import { hasSeconds, machineTimeZone } from "./next.ts";
import type { ScheduleSettings } from "./schema.ts";
import { serviceUnit, timerUnit, unitBase, userUnitDir, type Systemctl } from "./systemd.ts";

/** Installed records one config's installation. */
export interface Installed {
  mode: "cron" | "systemd";
  config: string;
  time: string;
  /** cron: the block as written, markers included. */
  crontab?: string[];
  /** systemd: the files written and the unit enabled. */
  systemd?: { files: string[]; enable: string };
}

/** Plan is what install would write. */
export interface Plan {
  mode: "cron" | "systemd";
  crontab?: string[];
  files?: { path: string; text: string }[];
  enable?: string;
}

export interface PlanInput {
  config: string;
  settings: ScheduleSettings;
  /** The CLI as argv ([node, main, ...global options]) every line or unit starts. */
  lifeboat: string[];
  /** Environment the jobs need (LIFEBOAT_STATE_DIR, ...), written into the line or unit. */
  env: Record<string, string>;
  envOfProcess?: NodeJS.ProcessEnv;
}

const RECORD = "schedule-installed.json";

/** planCron is the crontab block. @throws LifeboatError for what crontab cannot express */
export function planCron(p: PlanInput): Plan {
  const secs = p.settings.jobs.filter((j) => hasSeconds(j.cron)).map((j) => j.name);
  if (secs.length > 0) throw new LifeboatError(`crontab has no seconds field: job(s) ${secs.join(", ")} use 6-field cron expressions`, { hint: "use 5 fields, or `lifeboat schedule install --systemd`" });
  if (p.settings.timeZoneGiven && p.settings.timeZone !== machineTimeZone()) {
    throw new LifeboatError(`cron runs jobs in the machine's time zone (${machineTimeZone()}), not ${p.settings.timeZone}`, { hint: "use `lifeboat schedule install --systemd` (the daemon honours time_zone), or remove schedule.time_zone" });
  }
  const lines = p.settings.jobs.map((j) => `${j.cron} ${cronCommand(p.env, [...p.lifeboat, "--quiet", "daemon", "--job", j.name])}`);
  return { mode: "cron", crontab: [beginMark(p.config), "# written by `lifeboat schedule install`; `lifeboat schedule remove` deletes this block", ...lines, END_MARK] };
}

/** planSystemd is the unit files. */
export function planSystemd(p: PlanInput, timer: boolean): Plan {
  const base = unitBase(p.config);
  const dir = userUnitDir(p.envOfProcess);
  const argv = [...p.lifeboat, "daemon", ...(timer ? ["--once"] : [])];
  const files = [{ path: join(dir, `${base}.service`), text: serviceUnit({ config: p.config, argv, env: p.env, oneshot: timer, graceMs: p.settings.graceMs }) }];
  if (timer) files.push({ path: join(dir, `${base}.timer`), text: timerUnit(p.config, `${base}.service`) });
  return { mode: "systemd", files, enable: `${base}.${timer ? "timer" : "service"}` };
}

export interface ApplyContext {
  stateDir: string;
  crontab: CrontabRunner;
  systemctl: Systemctl;
  signal: AbortSignal;
  warn: (line: string) => void;
}

/** applyPlan writes the plan (replacing this config's earlier installation) and records it. */
export async function applyPlan(config: string, plan: Plan, c: ApplyContext): Promise<Installed> {
  await removeInstalled(config, c);
  const rec: Installed = { mode: plan.mode, config, time: new Date().toISOString() };
  if (plan.crontab) {
    const cur = await c.crontab.read(c.signal);
    await c.crontab.write(spliceBlock(cur, config, plan.crontab).text, c.signal);
    rec.crontab = plan.crontab;
  }
  if (plan.files && plan.enable) {
    for (const f of plan.files) {
      await mkdir(join(f.path, ".."), { recursive: true });
      await writeFile(f.path, f.text, { mode: 0o644, signal: c.signal });
    }
    rec.systemd = { files: plan.files.map((f) => f.path), enable: plan.enable };
    await systemctl(c, ["daemon-reload"]);
    await systemctl(c, ["enable", "--now", plan.enable]);
  }
  await record(c.stateDir, config, rec);
  return rec;
}

/** removeInstalled undoes this config's recorded installation; null when nothing was installed. */
export async function removeInstalled(config: string, c: ApplyContext): Promise<Installed | null> {
  const rec = (await readInstalled(c.stateDir))[config];
  if (!rec) return null;
  if (rec.crontab) {
    const { text, removed } = spliceBlock(await c.crontab.read(c.signal), config, null);
    if (removed.length === 0) c.warn(`warning: the lifeboat block for ${config} is no longer in the crontab; nothing removed there`);
    else await c.crontab.write(text, c.signal);
  }
  if (rec.systemd) {
    await systemctl(c, ["disable", "--now", rec.systemd.enable]);
    for (const f of rec.systemd.files) await rm(f, { force: true });
    await systemctl(c, ["daemon-reload"]);
  }
  await record(c.stateDir, config, null);
  return rec;
}

async function systemctl(c: ApplyContext, args: string[]): Promise<void> {
  const err = await c.systemctl(args, c.signal);
  if (err) c.warn(`warning: systemctl --user ${args.join(" ")}: ${err} (run it by hand once a user session is available)`);
}

/** readInstalled returns every recorded installation, by config path. */
export function readInstalled(stateDir: string): Promise<Record<string, Installed>> {
  return readJson<Record<string, Installed>>(join(stateDir, RECORD), {});
}

async function record(stateDir: string, config: string, rec: Installed | null): Promise<void> {
  const all = await readInstalled(stateDir);
  if (rec) all[config] = rec;
  else delete all[config];
  await writeJson(join(stateDir, RECORD), all);
}
