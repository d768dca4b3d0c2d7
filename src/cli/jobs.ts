/**
 * @module cli/jobs
 * Jobs whose outcome people must hear about (backup, check) run through `tracked`: the run
 * goes into the run log whatever happens, a failure raises the job's alert once enough
 * failures are in a row, and a success after an alert sends the all-clear. Sending an
 * alert never hides the job's own result: a notifier that fails is reported as a warning.
 */
import { appendRun, failuresInRow, readRuns, type JobKind, type RunRecord } from "../alerts/runlog.ts";
import { redact } from "../alerts/redact.ts";
import { describeError, exitCodeOf, isAbortError } from "../errors/index.ts";
import type { EventKind } from "../notify/types.ts";
import type { AlertOutcome } from "../alerts/alerter.ts";
import type { Cli } from "./context.ts";

export interface TrackedJob {
  job: JobKind;
  agent?: string;
  /** The alert a failure raises and a success resolves. */
  event: EventKind;
  /** What failed, for the alert's title: "backup of wren". */
  what: string;
}

/** A job's result may name the snapshot it wrote, for the run log. */
export interface JobResult {
  snapshotId?: string;
}

/** tracked runs fn as a logged, alerting job; it returns fn's result or rethrows its error. */
export async function tracked<T extends JobResult | void>(cli: Cli, j: TrackedJob, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const repository = await cli.location().catch(() => undefined);
  const base = { job: j.job, ...(j.agent ? { agent: j.agent } : {}), ...(repository ? { repository } : {}) };
  let result: T;
  try {
    result = await fn();
  } catch (err) {
    const error = redact(describeError(err));
    await logRun(cli, { ...base, time: new Date().toISOString(), ok: false, exitCode: exitCodeOf(err), durationMs: Date.now() - started, error });
    if (!isAbortError(err)) await raiseFailure(cli, j, error);
    throw err;
  }
  const snapshot = result && typeof result === "object" && result.snapshotId ? { snapshot: result.snapshotId } : {};
  await logRun(cli, { ...base, time: new Date().toISOString(), ok: true, exitCode: 0, durationMs: Date.now() - started, ...snapshot });
  await report(cli, (await cli.alerter()).resolve({ event: j.event, ...(j.agent ? { agent: j.agent } : {}), title: `${j.what}: working again`, text: `${j.what} succeeded after failing.` }, cli.signal));
  return result;
}

/** logRun appends to the run log; a state folder that cannot be written is a warning, not the job's failure. */
async function logRun(cli: Cli, run: RunRecord): Promise<void> {
  try {
    await appendRun(cli.stateDir(), run);
  } catch (err) {
    cli.warn(`warning: cannot write the run log in ${cli.stateDir()}: ${describeError(err)} (set LIFEBOAT_STATE_DIR to a writable folder)`);
  }
}

async function raiseFailure(cli: Cli, j: TrackedJob, error: string): Promise<void> {
  const alerter = await cli.alerter();
  const n = failuresInRow(await readRuns(cli.stateDir()), j.job, j.agent);
  const needed = (await cli.config().catch(() => null))?.notify.failures ?? 1;
  if (n < needed) return;
  await report(cli, alerter.raise({
    event: j.event, ...(j.agent ? { agent: j.agent } : {}), severity: "critical",
    title: `${j.what} failed${n > 1 ? ` (${n} times in a row)` : ""}`,
    text: `${error}\nRun it by hand to see the whole error; \`lifeboat status\` shows the history.`,
    // Repeats of the same failing job are one alert until the repeat interval passes.
    fingerprint: "failing",
    details: { failures_in_row: n },
  }, cli.signal));
}

/** report turns notifier failures into warnings: the job's own outcome stays what it was. */
export async function report(cli: Cli, outcome: Promise<AlertOutcome>): Promise<AlertOutcome | null> {
  try {
    const o = await outcome;
    for (const d of o.deliveries) if (!d.ok) cli.warn(`warning: alert via ${d.notifier} failed: ${d.error}`);
    return o;
  } catch (err) {
    cli.warn(`warning: could not send an alert: ${redact(describeError(err))}`);
    return null;
  }
}
