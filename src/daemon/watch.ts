/**
 * @module daemon/watch
 * `lifeboat daemon --watch`: continuous capture beside the schedule. The watcher runs as its
 * own `lifeboat watch` child, like every job, so a crash in it cannot take the scheduler down;
 * if it exits while the daemon runs it is restarted after a pause. Its snapshots are ordinary
 * backups with their own run-log lines and alerts.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { runChild } from "./child.ts";
import { errorLine, type DaemonEvent } from "./job.ts";

/** A watcher that exits on its own is restarted after this long, so a persistent failure does not spin. */
export const WATCH_RESTART_MS = 30_000;

export interface WatchChildOptions {
  /** [node, cli entry] and the global options every job gets. */
  entry: [string, string];
  global: string[];
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  graceMs: number;
  log: (e: DaemonEvent) => void;
  restartMs?: number;
}

/** superviseWatch keeps one `lifeboat watch` running until `signal` aborts. */
export async function superviseWatch(o: WatchChildOptions): Promise<void> {
  while (!o.signal.aborted) {
    o.log({ message_type: "watch_start" });
    const r = await runChild({ argv: [...o.entry, ...o.global, "watch", "--quiet"], env: o.env, signal: o.signal, graceMs: o.graceMs });
    if (o.signal.aborted) return;
    const wait = o.restartMs ?? WATCH_RESTART_MS;
    o.log({ message_type: "warning", job: "watch", warning: `lifeboat watch exited (${errorLine(r.stderr, r.exitCode)}); restarting in ${Math.round(wait / 1000)} s` });
    await sleep(wait, undefined, { signal: o.signal }).catch(() => undefined);
  }
}
