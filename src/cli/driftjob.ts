/**
 * @module cli/driftjob
 * What every drift check leaves behind, whether `drift` or `drift accept` ran it: the run
 * log line, the verdict `status` shows, and the drift_found alert or its all-clear.
 */
import { saveDriftResult } from "../alerts/results.ts";
import { appendRun } from "../alerts/runlog.ts";
import { alertText, fingerprint } from "../drift/render.ts";
import type { DriftRun } from "../drift/run.ts";
import { ExitCode } from "../errors/index.ts";
import type { AgentConfig } from "../model/agent.ts";
import type { Cli } from "./context.ts";
import { report } from "./jobs.ts";

/** checkOne runs one agent's check and records it: run log, last verdict, alert or all-clear. */
/** The exit code each verdict gives `lifeboat drift`; a missing baseline is a plain error (1). */
const VERDICT_CODE = { clean: ExitCode.ok, drift: ExitCode.drift, tampered: ExitCode.tampered, "no-baseline": ExitCode.fatal } as const;

export async function checkOne(cli: Cli, agent: AgentConfig, notifyPeople: boolean, check: () => Promise<DriftRun>): Promise<DriftRun> {
  const started = Date.now();
  const r = await check();
  const violations = (r.report?.counts.violations ?? 0) + (r.report?.patterns.length ?? 0) + r.tampered.length;
  const paths = (r.report?.files ?? []).filter((f) => f.violations.length > 0).map((f) => f.path).slice(0, 10);
  await saveDriftResult(cli.stateDir(), agent.name, { time: new Date().toISOString(), state: r.state, violations, paths, approval: r.approval?.seq ?? null });
  await appendRun(cli.stateDir(), { job: "drift", agent: agent.name, time: new Date().toISOString(), ok: r.state === "clean", exitCode: VERDICT_CODE[r.state], durationMs: Date.now() - started });
  if (notifyPeople) await notify(cli, r);
  return r;
}

export async function notify(cli: Cli, r: DriftRun): Promise<void> {
  const alerter = await cli.alerter();
  if (r.state === "clean") {
    await report(cli, alerter.resolve({ event: "drift_found", agent: r.agent, title: `${r.agent}: no drift any more`, text: "the live files match the approved baseline again" }, cli.signal));
    return;
  }
  if (r.state !== "drift" && r.state !== "tampered") return;
  const critical = r.state === "tampered" || (r.report?.files ?? []).some((f) => f.violations.some((v) => v.severity === "critical")) || (r.report?.patterns ?? []).some((p) => p.severity === "critical");
  const n = (r.report?.counts.violations ?? 0) + (r.report?.patterns.length ?? 0);
  await report(cli, alerter.raise({
    event: "drift_found", agent: r.agent, severity: critical ? "critical" : "warning",
    title: r.state === "tampered" ? `${r.agent}: the approved baseline was tampered with` : `${r.agent}: ${n} unapproved change(s) to the agent's identity or memory`,
    text: alertText(r), fingerprint: fingerprint(r), details: { state: r.state, approval: r.approval?.seq ?? null, violations: n },
  }, cli.signal));
}
