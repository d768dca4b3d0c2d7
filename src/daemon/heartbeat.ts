/**
 * @module daemon/heartbeat
 * Pings a job's heartbeat URL after each run, healthchecks.io style: the URL itself on
 * success, URL/fail on failure, so an outside service notices both failing jobs and a
 * daemon that stopped running them (the one failure lifeboat cannot report itself). A ping
 * that fails is logged by the caller and never fails the job.
 */
import { redact } from "../alerts/redact.ts";

export const HEARTBEAT_TIMEOUT_MS = 10_000;

/** pingUrl is the URL to call: `/fail` appended on failure (before any query string). */
export function pingUrl(url: string, ok: boolean): string {
  if (ok) return url;
  const u = new URL(url);
  u.pathname = u.pathname.replace(/\/$/, "") + "/fail";
  return u.toString();
}

/**
 * ping sends a GET (healthchecks.io, Uptime Kuma push, Cronitor all accept one) and resolves
 * to null, or to a one-line reason it failed. It gives up after `timeoutMs` or on `signal`.
 */
export async function ping(url: string, ok: boolean, opts: { signal: AbortSignal; timeoutMs?: number }): Promise<string | null> {
  const target = pingUrl(url, ok);
  const signal = AbortSignal.any([opts.signal, AbortSignal.timeout(opts.timeoutMs ?? HEARTBEAT_TIMEOUT_MS)]);
  try {
    const res = await fetch(target, { method: "GET", signal, redirect: "follow", headers: { "user-agent": "lifeboat-daemon" } });
    await res.body?.cancel();
    return res.ok ? null : `heartbeat ${redact(target)} answered ${res.status}`;
  } catch (err) {
    const why = (err as Error).name === "TimeoutError" ? "timed out" : (err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message;
    return `heartbeat ${redact(target)} failed: ${why}`;
  }
}
