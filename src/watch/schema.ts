/**
 * @module watch/schema
 * The per-agent `watch:` key of lifeboat.yaml (`watch: { delay: 10s, min_interval: 1m }`)
 * and its conversion to milliseconds. A fragment for config/schema.ts to wire in; it keeps
 * its own copy of the duration pattern so config/ can import it without a cycle.
 */
import { z } from "zod";
import { parseDurationArg } from "../ui/format.ts";

// Same as config/schema DURATION_PATTERN: what parseDurationArg accepts.
const DURATION = /^(\d+(\.\d+)?(ms|s|m|h|d))+$/;
const duration = (description: string) =>
  z.string().regex(DURATION, { error: "expected a duration such as 500ms, 30s, 5m or 1h30m" }).describe(description);

/** WatchSchema: `agents[].watch` in lifeboat.yaml (snake_case, durations as written). */
export const WatchSchema = z.strictObject({
  delay: duration("How long after the first change `lifeboat watch` takes the snapshot; later changes in that time join it. Default 10s.").optional(),
  min_interval: duration("Least time between the starts of two watch snapshots of the agent, so a busy agent cannot cause a snapshot storm. Default 1m.").optional(),
}).describe("Continuous capture by `lifeboat watch` (docs/watch.md).");

export type FileWatch = z.infer<typeof WatchSchema>;

/** WatchSettings: the converted form `watchAgents` takes. */
export interface WatchSettings {
  delayMs: number;
  minIntervalMs: number;
}

export const WATCH_DEFAULTS: WatchSettings = { delayMs: 10_000, minIntervalMs: 60_000 };

/**
 * watchSettings merges, most important first: command-line flags (duration text), the
 * agent's `watch:` key, the defaults.
 */
export function watchSettings(flags: { delay?: string | undefined; minInterval?: string | undefined } = {}, file?: FileWatch | null): WatchSettings {
  const pick = (flag: string | undefined, key: string | undefined, dflt: number) => {
    const text = flag ?? key;
    return text === undefined ? dflt : parseDurationArg(text);
  };
  return {
    delayMs: pick(flags.delay, file?.delay, WATCH_DEFAULTS.delayMs),
    minIntervalMs: pick(flags.minInterval, file?.min_interval, WATCH_DEFAULTS.minIntervalMs),
  };
}
