/**
 * @module watch/trigger
 * When to snapshot, given a stream of changes. The first change starts a `delay` timer and
 * later ones join it (the timer is not restarted, so a file written every second still gets
 * captured `delay` after the first write). Two snapshots start at least `minInterval` apart.
 * Changes that arrive while a snapshot runs cause exactly one more run after it. A failed
 * run is retried with doubling waits (from max(minInterval, 5 s), at most 15 min), so a
 * broken repository is not hammered. Worst-case recovery point: max(delay, minInterval)
 * plus one snapshot's duration.
 */
import type { WatchSettings } from "./schema.ts";

/** ChangeBatch: what one snapshot is taken for. */
export interface ChangeBatch {
  /** Up to MAX_PATHS changed paths, for the log line. */
  paths: string[];
  /** How many change events were merged into this snapshot. */
  count: number;
  /** When the first of them arrived (ms since the epoch). */
  firstAt: number;
}

export interface TriggerOptions extends WatchSettings {
  /** Takes the snapshot; rejects when it failed (then the batch is retried). */
  run(batch: ChangeBatch): Promise<void>;
  onFailure?(err: unknown, retryInMs: number): void;
  /** The first retry's least wait after a failure. Default 5 s (tests shorten it). */
  minRetryMs?: number;
}

const MAX_PATHS = 20;
const MIN_RETRY_MS = 5_000;
const MAX_RETRY_MS = 15 * 60_000;

export class SnapshotTrigger {
  private readonly opts: TriggerOptions;
  private paths = new Set<string>();
  private count = 0;
  private firstAt: number | null = null;
  private lastStart = Number.NEGATIVE_INFINITY;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(opts: TriggerOptions) {
    this.opts = opts;
  }

  /** change records one changed path; `immediate` skips the delay (the snapshot at start). */
  change(path: string, immediate = false): void {
    if (this.stopped) return;
    if (this.paths.size < MAX_PATHS) this.paths.add(path);
    this.count++;
    const now = Date.now();
    if (this.firstAt === null) this.firstAt = immediate ? now - this.opts.delayMs : now;
    if (!this.running) this.arm();
  }

  /** stop cancels a pending snapshot and resolves once a running one has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** dueAt is when the pending batch may run: `delay` after its first change, `gap` after the last start. */
  private dueAt(): number {
    const gap = this.failures === 0 ? this.opts.minIntervalMs : this.retryMs();
    return Math.max(this.firstAt! + this.opts.delayMs, this.lastStart + gap);
  }

  private retryMs(): number {
    const base = Math.max(this.opts.minIntervalMs, this.opts.minRetryMs ?? MIN_RETRY_MS);
    return Math.min(base * 2 ** (this.failures - 1), MAX_RETRY_MS);
  }

  private arm(): void {
    if (this.timer || this.stopped || this.firstAt === null) return;
    this.timer = setTimeout(() => this.fire(), Math.max(0, this.dueAt() - Date.now()));
  }

  private fire(): void {
    this.timer = undefined;
    const batch: ChangeBatch = { paths: [...this.paths], count: this.count, firstAt: this.firstAt! };
    this.paths = new Set();
    this.count = 0;
    this.firstAt = null;
    this.lastStart = Date.now();
    this.running = this.runOnce(batch).finally(() => {
      this.running = undefined;
      this.arm();
    });
  }

  private async runOnce(batch: ChangeBatch): Promise<void> {
    try {
      await this.opts.run(batch);
      this.failures = 0;
    } catch (err) {
      if (this.stopped) return;
      this.failures++;
      // The batch is not captured: put it back, so the retry covers it.
      for (const p of batch.paths) if (this.paths.size < MAX_PATHS) this.paths.add(p);
      this.count += batch.count;
      this.firstAt = Math.min(this.firstAt ?? batch.firstAt, batch.firstAt);
      this.opts.onFailure?.(err, Math.max(0, this.dueAt() - Date.now()));
    }
  }
}
