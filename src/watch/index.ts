/**
 * @module watch
 * Continuous capture (docs/watch.md): `watchAgents` watches each agent's files and SQLite
 * databases and asks for a snapshot `delay` after a change, at most once per `minInterval`.
 * It does not back up by itself: the caller's `snapshot` does (the CLI and the daemon run it
 * as a tracked agent backup tagged `watch`). Snapshots run one at a time across all agents,
 * since they share one repository and its uploader.
 */
import type { AgentConfig } from "../model/agent.ts";
import { Semaphore } from "../util/semaphore.ts";
import type { WatchSettings } from "./schema.ts";
import { watchTargets, type AgentTargets } from "./targets.ts";
import { SnapshotTrigger, type ChangeBatch } from "./trigger.ts";
import { watchFiles } from "./watcher.ts";

export { WatchSchema, WATCH_DEFAULTS, watchSettings, type FileWatch, type WatchSettings } from "./schema.ts";
export type { ChangeBatch } from "./trigger.ts";

export interface WatchedAgent {
  agent: AgentConfig;
  settings: WatchSettings;
}

export type WatchEvent =
  | { type: "watching"; agent: string; settings: WatchSettings; targets: { item: string; path: string }[]; unwatched: AgentTargets["unwatched"] }
  | { type: "failed"; agent: string; error: unknown; retryInMs: number }
  | { type: "warning"; agent: string; message: string };

export interface WatchOptions {
  /**
   * snapshot takes one snapshot of `agent` for `batch`; it rejects when none was written.
   * It is never called for two agents at once. `signal` aborts when watching stops.
   */
  snapshot(agent: AgentConfig, batch: ChangeBatch, signal: AbortSignal): Promise<void>;
  /** Watching stops when this aborts; a running snapshot gets the same signal. */
  signal: AbortSignal;
  /** Take a snapshot of each agent as soon as watching starts (changes made while nothing watched). Default true. */
  initial?: boolean;
  /** How often single files (databases, secrets) are compared. Default 1 s. */
  pollMs?: number;
  onEvent?(e: WatchEvent): void;
}

/** watchAgents watches until `signal` aborts, then resolves once every watcher is closed and the running snapshot has ended. */
export async function watchAgents(agents: WatchedAgent[], opts: WatchOptions): Promise<void> {
  const one = new Semaphore(1);
  const started = await Promise.all(agents.map(async (w) => ({ w, found: await watchTargets(w.agent, opts.signal) })));
  const loops = started.map(({ w, found }) => watchOne(w, found, one, opts));
  await Promise.all(loops);
}

async function watchOne(w: WatchedAgent, found: AgentTargets, one: Semaphore, opts: WatchOptions): Promise<void> {
  const name = w.agent.name;
  const trigger = new SnapshotTrigger({
    ...w.settings,
    run: (batch) => one.run(async () => {
      if (opts.signal.aborted) return;
      // A snapshot cut short by stopping is not a failure to report or retry.
      await opts.snapshot(w.agent, batch, opts.signal).catch((err: unknown) => { if (!opts.signal.aborted) throw err; });
    }),
    onFailure: (error, retryInMs) => { if (!opts.signal.aborted) opts.onEvent?.({ type: "failed", agent: name, error, retryInMs }); },
  });
  opts.onEvent?.({ type: "watching", agent: name, settings: w.settings, targets: found.targets.map((t) => ({ item: t.item, path: t.path })), unwatched: found.unwatched });
  if (opts.initial !== false) trigger.change("(watch started)", true);
  try {
    await watchFiles(found.targets, (_item, path) => trigger.change(path), {
      signal: opts.signal, pollMs: opts.pollMs, onWarning: (message) => opts.onEvent?.({ type: "warning", agent: name, message }),
    });
  } finally {
    await trigger.stop();
  }
}
