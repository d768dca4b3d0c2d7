/**
 * @module cli/commands/status
 * `lifeboat status`: one screen for every agent: last backup and its age against the
 * freshness limits, failures in a row, drift verdict, open alerts, and the repository's size
 * and growth. Reads only (no lock). With --notify it is also the freshness watchdog: a stale
 * agent raises backup_stale, a fresh one resolves it.
 */
import { buildStatus, RECENT_RUNS, type AgentStatus } from "../../alerts/status.ts";
import type { RunRecord } from "../../alerts/runlog.ts";
import { formatAge } from "../../doctor/freshness.ts";
import { readRuns } from "../../alerts/runlog.ts";
import { readDriftResults } from "../../alerts/results.ts";
import { describeError, LifeboatError } from "../../errors/index.ts";
import { shortId } from "../../model/index.ts";
import { loadSnapshots } from "../../repository/snapshots.ts";
import { formatBytes, formatDuration, renderTable } from "../../ui/index.ts";
import { lastDrills } from "../../drill/record.ts";
import { selectAgents } from "../agents.ts";
import { helpText, type Cli } from "../context.ts";
import { report } from "../jobs.ts";
import { nextBackupOf } from "../../schedule/next.ts";
import { paint, type Tone } from "../paint.ts";
import type { Register } from "./index.ts";

export const registerStatus: Register = (program, cli) => {
  program.command("status")
    .description("one screen for all agents: last backup and its age, failures, drift, alerts, repository size and growth")
    .option("--agent <name>", "only this configured agent (repeatable)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--notify", "also send backup_stale alerts for agents past their freshness limits (and all-clears); run it from cron")
    .option("--runs <n>", "how many of the newest runs (backup, check, drift, scheduled jobs) to list", (v: string) => Number.parseInt(v, 10), RECENT_RUNS)
    .addHelpText("after", helpText([
      "lifeboat status",
      "lifeboat status --json | jq '.agents[] | {agent, freshness: .freshness.state}'",
      "*/15 * * * * lifeboat status --notify --quiet   # crontab: the freshness watchdog",
    ]) + "\n  status: 0 when it could read everything; the repository's error code when it could not\n")
    .action(async (o: { agent: string[]; notify?: boolean; runs: number }) => {
      if (!Number.isInteger(o.runs) || o.runs < 0) throw new LifeboatError("--runs wants a whole number, 0 or more", { hint: "e.g. --runs 20" });
      const agents = await selectAgents(cli, o.agent);
      const repo = await repoFacts(cli);
      const alerter = await cli.alerter();
      const now = Date.now();
      const schedule = (await cli.config())?.schedule;
      const build = async () => buildStatus({
        agents, location: await cli.location(), repo: "error" in repo ? { error: repo.error } : repo,
        nextRun: (agent) => (schedule ? nextBackupOf(schedule, agent, new Date(now)) : null),
        runs: await readRuns(cli.stateDir()), ledger: await alerter.ledger(), drift: await readDriftResults(cli.stateDir()), now,
      }, o.runs);
      let s = await build();
      // Shown after notifying, so the open alerts are the ones this run left.
      if (o.notify && !("error" in repo)) {
        await notifyStale(cli, s.agents);
        s = await build();
      }
      cli.emit({ message_type: "status", time: new Date(now).toISOString(), ...s });
      cli.print(render(s.agents, s.repository, now) + runLines(s.recentRuns));
      if ("error" in repo) throw repo.cause;
    });
};

async function repoFacts(cli: Cli) {
  try {
    return await cli.withRepo(async (repo) => {
      const { snapshots } = await loadSnapshots(repo, cli.signal);
      let packBytes = 0;
      for await (const f of repo.backend.list("pack", { signal: cli.signal })) packBytes += f.size;
      return { snapshots, packBytes, drills: await lastDrills(repo, cli.signal) };
    });
  } catch (cause) {
    return { error: describeError(cause), cause };
  }
}

async function notifyStale(cli: Cli, agents: AgentStatus[]): Promise<void> {
  const alerter = await cli.alerter();
  for (const a of agents) {
    const f = a.freshness!;
    if (f.state === "ok") {
      await report(cli, alerter.resolve({ event: "backup_stale", agent: a.agent, title: `${a.agent}: backups are fresh again`, text: `newest snapshot ${f.newest ? shortId(f.newest.id) : "?"} is ${formatAge(f.ageMs ?? 0)} old` }, cli.signal));
      continue;
    }
    const stale = f.items.filter((i) => i.state !== "ok").map((i) => `${i.item}: ${i.time ? `${formatAge(i.ageMs!)} old` : "never captured"}`);
    await report(cli, alerter.raise({
      event: "backup_stale", agent: a.agent, severity: f.state === "warn" ? "warning" : "critical",
      title: f.newest ? `${a.agent}: newest backup is ${formatAge(f.ageMs!)} old (${f.state})` : `${a.agent}: never backed up`,
      text: [`limits: warn after ${formatAge(f.limits.warnMs)}, critical after ${formatAge(f.limits.criticalMs)}`, ...stale.slice(0, 10),
        `check the schedule and run \`lifeboat backup --agent ${a.agent}\``].join("\n"),
      fingerprint: f.state,
    }, cli.signal));
  }
}

const TONE: Record<string, Tone> = { ok: "good", clean: "good", warn: "warn", drift: "bad", critical: "bad", none: "bad", tampered: "bad", "no-baseline": "warn" };

function render(agents: AgentStatus[], r: ReturnType<typeof buildStatus>["repository"], now: number): string {
  const rows = agents.map((a) => {
    const f = a.freshness;
    const last = f?.newest ? `${shortId(f.newest.id)} ${formatAge(now - Date.parse(f.newest.time))} ago` : f ? "never" : "?";
    const drift = a.drift ? `${a.drift.state}${a.drift.violations ? ` (${a.drift.violations})` : ""}, ${formatAge(now - Date.parse(a.drift.time))} ago` : "not checked";
    return [a.agent, last, f ? paint(f.state, TONE[f.state]!) : "?", a.nextRun ? `in ${formatAge(Date.parse(a.nextRun) - now)}` : "not scheduled", a.failuresInRow ? paint(String(a.failuresInRow), "bad") : "0",
      a.drift ? paint(drift, TONE[a.drift.state]!) : drift, drillCell(a, now), a.openAlerts.map((x) => x.event).join(", ") || "-"];
  });
  const table = renderTable(["Agent", "Last backup", "Freshness", "Next run", "Failures", "Drift", "Drill", "Alerts open"], rows);
  const repo = r.error
    ? paint(`repository ${r.location}: ${r.error}`, "bad")
    : `repository ${r.location}: ${formatBytes(r.sizeBytes)} in ${r.snapshots} snapshots; +${formatBytes(r.growthDayBytes)} in 24h, +${formatBytes(r.growthWeekBytes)} in 7 days`;
  const failures = agents.filter((a) => a.lastFailure && a.failuresInRow > 0).map((a) => `${a.agent}: last failure ${a.lastFailure!.time.replace("T", " ").slice(0, 16)}: ${a.lastFailure!.error}`);
  return [table + repo, ...failures].join("\n");
}

function drillCell(a: AgentStatus, now: number): string {
  const d = a.drill;
  if (!d) return "never";
  const ago = `${formatAge(now - Date.parse(d.time))} ago`;
  return d.ok ? paint(`ok ${formatDuration(d.recoveryMs)}, ${ago}`, "good") : paint(`failed, ${ago}`, "bad");
}

/** runLines lists the newest runs, newest first, one line each. */
function runLines(runs: RunRecord[]): string {
  if (runs.length === 0) return "";
  const line = (r: RunRecord) => `  ${r.time.replace("T", " ").slice(0, 19)}  ${r.job.padEnd(11)} ${(r.agent ?? "-").padEnd(12)} ` +
    (r.ok ? paint("ok", "good") : paint(`exit ${r.exitCode}`, "bad")) + (r.snapshot ? ` ${shortId(r.snapshot)}` : "") + (r.error ? `: ${r.error}` : "");
  return `\nrecent runs (newest first):\n${runs.map(line).join("\n")}`;
}
