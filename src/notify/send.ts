/**
 * @module notify/send
 * Sends one message with a time limit, or to several notifiers at once. sendAll reports
 * every notifier's outcome instead of throwing on the first failure: alerts/ decides what a
 * failed delivery means (retry later, exit non-zero in `notify test`), not this layer.
 */
import { NotifyError, oneLine, type NotifyProblem } from "./errors.ts";
import type { AlertMessage, Notifier, NotifierKind, SendResult } from "./types.ts";

/** SendReport is one notifier's outcome in sendAll. */
export interface SendReport {
  notifier: string;
  kind: NotifierKind;
  ok: boolean;
  /** The far side's answer when ok: "HTTP 200", "message 42", "250 OK …". */
  detail?: string;
  /** The one-line error when not ok, already naming the notifier. */
  error?: string;
  /** The NotifyError's problem; absent for an unexpected error (a bug). */
  problem?: NotifyProblem;
}

/**
 * sendOne sends `msg` through `notifier`, giving up after timeoutMs with a NotifyError of
 * problem "timeout". An abort of `signal` rejects with the signal's reason, as is.
 */
export async function sendOne(notifier: Notifier, msg: AlertMessage, timeoutMs: number, signal: AbortSignal): Promise<SendResult> {
  signal.throwIfAborted();
  const timer = AbortSignal.timeout(timeoutMs);
  const both = AbortSignal.any([signal, timer]);
  try {
    // The race keeps a notifier that ignores its signal from holding up sendAll.
    return await Promise.race([notifier.send(msg, both), rejectOnAbort(both)]);
  } catch (err) {
    if (timer.aborted && !signal.aborted && !(err instanceof NotifyError && err.problem !== "timeout")) {
      const what = notifier.kind === "command" ? `did not finish within ${seconds(timeoutMs)} and was killed` : `no answer within ${seconds(timeoutMs)}: the far side is down or slow`;
      throw new NotifyError(notifier, "timeout", `${what}; raise timeout if it is only slow`, { cause: err });
    }
    throw err;
  }
}

/**
 * sendAll sends `msg` through every notifier concurrently, each with its own timeout, and
 * resolves with one report per notifier in the given order. It rejects only when `signal`
 * aborts: then the reports would describe a run the caller cancelled.
 */
export async function sendAll(notifiers: readonly Notifier[], msg: AlertMessage, signal: AbortSignal): Promise<SendReport[]> {
  const settled = await Promise.allSettled(notifiers.map((n) => sendOne(n, msg, n.timeoutMs, signal)));
  signal.throwIfAborted();
  return settled.map((s, i) => report(notifiers[i]!, s));
}

function report(n: Notifier, s: PromiseSettledResult<SendResult>): SendReport {
  const base = { notifier: n.name, kind: n.kind };
  if (s.status === "fulfilled") return { ...base, ok: true, detail: s.value.detail };
  const err: unknown = s.reason;
  if (err instanceof NotifyError) return { ...base, ok: false, error: err.message, problem: err.problem };
  // Not a NotifyError: a bug in a notifier. Its text is not vetted for secrets, so only its class shows.
  const name = err instanceof Error ? err.name : typeof err;
  return { ...base, ok: false, error: oneLine(`${n.kind} "${n.name}": unexpected ${name} (a bug in lifeboat: please report it)`) };
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }));
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Number((ms / 1000).toFixed(1))} s`;
}
