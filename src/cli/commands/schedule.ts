/**
 * @module cli/commands/schedule
 * `lifeboat schedule show|install|remove`: the configured jobs with their next and last
 * runs, and putting them into cron (one line per job) or systemd (a user service running
 * the daemon, or a timer running `daemon --once`). `remove` takes away exactly what
 * `install` recorded for this config file.
 */
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { LifeboatError } from "../../errors/index.ts";
import { cliEntry, commandLine, globalArgs } from "../../schedule/args.ts";
import { fileCrontab, systemCrontab, type CrontabRunner } from "../../schedule/crontab.ts";
import { applyPlan, planCron, planSystemd, readInstalled, removeInstalled, type ApplyContext, type Plan, type PlanInput } from "../../schedule/install.ts";
import { nextRunOf } from "../../schedule/next.ts";
import { readScheduleState } from "../../schedule/state.ts";
import { systemSystemctl } from "../../schedule/systemd.ts";
import { renderTable } from "../../ui/index.ts";
import { helpText, type Cli } from "../context.ts";
import { jobGlobals, requireSchedule } from "./daemon.ts";
import type { Register } from "./index.ts";

/** Environment the installed jobs need to find the same state, cache and repository as now. */
const PASS_ENV = ["LIFEBOAT_STATE_DIR", "XDG_STATE_HOME", "XDG_CACHE_HOME", "LIFEBOAT_REPOSITORY", "LIFEBOAT_PASSWORD_FILE"];

interface InstallFlags { cron?: boolean; systemd?: boolean; timer?: boolean; dryRun?: boolean }

export const registerSchedule: Register = (program, cli) => {
  const schedule = program.command("schedule").description("show the schedule: jobs, next and last runs; install it into cron or systemd, or remove it")
    .addHelpText("after", helpText(["lifeboat schedule show", "lifeboat schedule install --systemd", "lifeboat schedule install --cron --dry-run", "lifeboat schedule remove"]));
  schedule.command("show", { isDefault: true })
    .description("the jobs with their next and last runs, and what is installed")
    .addHelpText("after", helpText(["lifeboat schedule show", "lifeboat schedule show --json | jq '.jobs[] | {name, next_run}'"]))
    .action(() => show(cli));
  schedule.command("install")
    .description("run the schedule from cron (a line per job) or systemd (a user service running the daemon)")
    .option("--cron", "one crontab line per job (no seconds field, the machine's time zone)")
    .option("--systemd", "a systemd user service running `lifeboat daemon` (the default when systemctl exists)")
    .option("--timer", "with --systemd: a timer starting `lifeboat daemon --once` every minute instead of a long-running service")
    .option("-n, --dry-run", "print what would be written, write nothing")
    .addHelpText("after", helpText(["lifeboat schedule install --systemd", "lifeboat schedule install --cron --dry-run"]))
    .action((o: InstallFlags) => install(cli, o));
  schedule.command("remove")
    .description("remove exactly what `schedule install` installed for this config")
    .option("-n, --dry-run", "print what would be removed, remove nothing")
    .addHelpText("after", helpText(["lifeboat schedule remove"]))
    .action((o: { dryRun?: boolean }) => remove(cli, o.dryRun === true));
};

async function show(cli: Cli): Promise<void> {
  const { config, settings } = await requireSchedule(cli);
  const state = await readScheduleState(cli.stateDir());
  const now = new Date();
  const jobs = settings.jobs.map((j) => ({ name: j.name, job: j.kind, cron: j.cron, command: commandLine(j), nextRun: nextRunOf(j, settings.timeZone, now)?.toISOString() ?? null, last: state.jobs[j.name]?.last ?? null }));
  const installed = (await readInstalled(cli.stateDir()))[config.path] ?? null;
  cli.emit({ message_type: "schedule", config: config.path, timeZone: settings.timeZone, catchUp: settings.catchUp, health: settings.health ?? null, jobs, installed });
  const last = (l: (typeof jobs)[number]["last"]) => (l ? `${l.ok ? "ok" : `failed (exit ${l.exitCode})`} ${l.start.replace("T", " ").slice(0, 16)}` : "never");
  cli.print(`schedule in ${config.path} (time zone ${settings.timeZone}, catch-up ${settings.catchUp ? "on" : "off"})`);
  cli.print(renderTable(["Job", "Cron", "Command", "Next run", "Last run"], jobs.map((j) => [j.name, j.cron, j.command, j.nextRun?.replace("T", " ").slice(0, 19) ?? "never", last(j.last)])));
  if (!installed) return cli.print("not installed (lifeboat schedule install --systemd | --cron)");
  cli.print(`installed (${installed.mode}) on ${installed.time}:`);
  for (const l of installed.crontab ?? []) cli.print(`  ${l}`);
  for (const f of installed.systemd?.files ?? []) cli.print(`  ${f}${existsSync(f) ? "" : " (missing)"}`);
}

async function install(cli: Cli, o: InstallFlags): Promise<void> {
  if (o.cron && o.systemd) throw new LifeboatError("give --cron or --systemd, not both");
  if (o.timer && o.cron) throw new LifeboatError("--timer goes with --systemd");
  const { config, settings } = await requireSchedule(cli);
  const mode = o.cron ? "cron" : o.systemd || o.timer || onPath("systemctl") ? "systemd" : "cron";
  const g = jobGlobals(cli, config);
  // Cron starts jobs whose times coincide together: they queue at the repository lock instead of failing.
  if (mode === "cron" && !g.lockWait) g.lockWait = "30m";
  const input: PlanInput = { config: config.path, settings, lifeboat: [...cliEntry(), ...globalArgs(g)], env: envToPass(mode), envOfProcess: process.env };
  const plan: Plan = mode === "cron" ? planCron(input) : planSystemd(input, o.timer === true);
  cli.emit({ message_type: "schedule_install", dryRun: o.dryRun === true, mode, crontab: plan.crontab ?? null, files: plan.files ?? [], enable: plan.enable ?? null });
  if (plan.crontab) cli.print(`${o.dryRun ? "would add to" : "adding to"} the crontab:\n${plan.crontab.join("\n")}`);
  for (const f of plan.files ?? []) cli.print(`${o.dryRun ? "would write" : "writing"} ${f.path}:\n${f.text}`);
  if (o.dryRun) return;
  await applyPlan(config.path, plan, context(cli));
  cli.print(mode === "cron" ? "installed; `crontab -l` shows it" : `installed and enabled ${plan.enable}; \`systemctl --user status ${plan.enable}\` shows it`);
}

async function remove(cli: Cli, dryRun: boolean): Promise<void> {
  const config = await cli.requireConfig();
  const rec = (await readInstalled(cli.stateDir()))[config.path];
  if (!rec) {
    cli.emit({ message_type: "schedule_remove", removed: null });
    return cli.print(`nothing installed for ${config.path}`);
  }
  const what = [...(rec.crontab ? [`the crontab block "${rec.crontab[0]}"`] : []), ...(rec.systemd?.files ?? [])];
  if (!dryRun) await removeInstalled(config.path, context(cli));
  cli.emit({ message_type: "schedule_remove", dryRun, removed: rec });
  cli.print(`${dryRun ? "would remove" : "removed"} ${what.join(", ")}`);
}

function context(cli: Cli): ApplyContext {
  return { stateDir: cli.stateDir(), crontab: crontabRunner(), systemctl: systemSystemctl, signal: cli.signal, warn: (l) => cli.warn(l) };
}

/** crontabRunner is the crontab program, or a plain file named by LIFEBOAT_CRONTAB_FILE (tests; cron daemons that read a file). */
function crontabRunner(): CrontabRunner {
  const file = process.env.LIFEBOAT_CRONTAB_FILE;
  return file ? fileCrontab(file) : systemCrontab;
}

function envToPass(mode: "cron" | "systemd"): Record<string, string> {
  const names = mode === "cron" ? [...PASS_ENV, "PATH"] : PASS_ENV; // cron's own PATH lacks pg_dump and friends
  return Object.fromEntries(names.flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : [])));
}

function onPath(program: string): boolean {
  return (process.env.PATH ?? "").split(delimiter).some((d) => d !== "" && existsSync(join(d, program)));
}
