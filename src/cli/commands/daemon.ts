/**
 * @module cli/commands/daemon
 * `lifeboat daemon`: run the jobs in lifeboat.yaml's `schedule:` until SIGTERM (or, with
 * --once, what is due now; with --job, one job now). Each job runs as its own lifeboat
 * child process, one at a time; docs/schedule.md has the details.
 */
import { LifeboatError } from "../../errors/index.ts";
import { runDaemon, runOne, type DaemonEvent } from "../../daemon/index.ts";
import { cliEntry, globalArgs, type GlobalArgs } from "../../schedule/args.ts";
import { superviseWatch } from "../../daemon/watch.ts";
import type { ScheduleSettings } from "../../schedule/schema.ts";
import type { LifeboatConfig } from "../../config/index.ts";
import { helpText, snakeKeys, type Cli } from "../context.ts";
import type { Register } from "./index.ts";

/** requireSchedule loads the config and its `schedule:` section. */
export async function requireSchedule(cli: Cli): Promise<{ config: LifeboatConfig; settings: ScheduleSettings }> {
  const config = await cli.requireConfig();
  if (!config.schedule) throw new LifeboatError(`no schedule: in ${config.path}`, { hint: "add schedule: { jobs: [...] } (docs/schedule.md)" });
  return { config, settings: config.schedule };
}

/** jobGlobals are the global options every job gets: the same config, and whatever else the daemon was given. */
export function jobGlobals(cli: Cli, config: LifeboatConfig): GlobalArgs {
  const o = cli.opts;
  return { config: config.path, repo: o.repo, passwordFile: o.passwordFile, option: o.option, lockWait: o.lockWait, cacheDir: o.cacheDir, noCache: o.cache === false };
}

export const registerDaemon: Register = (program, cli, setCode) => {
  program.command("daemon")
    .description("run the jobs in lifeboat.yaml's schedule: (backup, check, drift, forget, ...) until stopped")
    .option("--once", "run every job that fell due since it last ran, then exit (what the systemd timer runs)")
    .option("--job <name>", "run this one job now, then exit with its exit code (what each crontab line runs)")
    .option("--watch", "also run `lifeboat watch` for every agent: a snapshot within seconds of a change (docs/watch.md)")
    .addHelpText("after", helpText([
      "lifeboat daemon                       # in the foreground; Ctrl-C or SIGTERM stops it cleanly",
      "lifeboat daemon --json | tee -a ~/lifeboat-daemon.jsonl",
      "lifeboat daemon --job hourly-backup   # one job now, recorded like a scheduled run",
      "lifeboat daemon --watch               # the schedule, plus a snapshot within seconds of each change",
      "lifeboat schedule install --systemd   # keep it running as a systemd user service",
    ]) + "\n  daemon: 0 after SIGTERM or when every job ran; with --once 1 when a job failed; with --job the job's exit code\n")
    .action(async (o: { once?: boolean; job?: string; watch?: boolean }) => {
      const { config, settings } = await requireSchedule(cli);
      const base = {
        settings, entry: cliEntry(), global: jobGlobals(cli, config), env: process.env, stateDir: cli.stateDir(),
        repository: await cli.location().catch(() => undefined), signal: cli.signal, log: (e: DaemonEvent) => show(cli, e),
      };
      if (o.job !== undefined) {
        const job = settings.jobs.find((j) => j.name === o.job);
        if (!job) throw new LifeboatError(`no job named "${o.job}" in ${config.path}`, { hint: `configured: ${settings.jobs.map((j) => j.name).join(", ")}` });
        const outcome = await runOne(job, base);
        if (!outcome.ok) setCode(outcome.exitCode === 0 ? 1 : outcome.exitCode);
        return;
      }
      const watching = o.watch && !o.once
        ? superviseWatch({ entry: base.entry, global: globalArgs(base.global), env: base.env, signal: cli.signal, graceMs: settings.graceMs, log: base.log })
        : Promise.resolve();
      const summary = await runDaemon({ ...base, once: o.once === true });
      await watching;
      if (o.once && summary.failed > 0) setCode(1);
    });
};

/** show prints one daemon event: a JSON line with --json, else a line of text (failures on stderr). */
function show(cli: Cli, e: DaemonEvent): void {
  if (cli.json) return void process.stdout.write(JSON.stringify(snakeKeys(e)) + "\n");
  const at = new Date().toISOString().replace("T", " ").slice(0, 19);
  const line = textOf(e);
  if (!line) return;
  if (e.message_type === "warning" || (e.message_type === "job_end" && e.ok === false)) process.stderr.write(`${at} ${line}\n`);
  else cli.print(`${at} ${line}`);
}

function textOf(e: DaemonEvent): string | null {
  switch (e.message_type) {
    case "daemon_start": return `daemon started (pid ${String(e.pid)}, time zone ${String(e.time_zone)}, ${(e.jobs as unknown[]).length} job(s))`;
    case "health": return `health endpoint on ${String(e.url)}`;
    case "catch_up": return `${String(e.job)}: missed its run at ${String(e.missed)}; running it now`;
    case "job_start": return `${String(e.job)}: start: ${String(e.command)}`;
    case "job_end": {
      const snaps = Array.isArray(e.snapshots) ? `, snapshot ${(e.snapshots as string[]).map((s) => s.slice(0, 8)).join(", ")}` : "";
      return `${String(e.job)}: ${e.ok ? "ok" : `FAILED (exit ${String(e.exitCode)}): ${String(e.error)}`} in ${Math.round(Number(e.duration_ms) / 100) / 10}s${snaps}`;
    }
    case "warning": return `${String(e.job)}: warning: ${String(e.warning)}`;
    case "daemon_stop": return `daemon stopped (${String(e.reason)}; ${String(e.ran)} run(s), ${String(e.failed)} failed)`;
    default: return null;
  }
}
