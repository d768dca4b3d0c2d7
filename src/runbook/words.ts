/**
 * @module runbook/words
 * The runbook's vocabulary: item classes in the reader's words, ages ("3 hours ago") and
 * backup frequency in plain English. The reader may never have heard of lifeboat's
 * classes; they know what "memory" and "secrets" mean.
 */
import type { ItemClass, ItemKind } from "../model/agent.ts";

/** Part is one of the six things the issue says an agent's state is made of. */
export type Part = "identity" | "memory" | "relationships" | "continuity" | "infrastructure" | "secrets";

export const PARTS: readonly Part[] = ["identity", "memory", "relationships", "continuity", "infrastructure", "secrets"];

/** PART_MEANING explains each part in one line, for the "made of" section. */
export const PART_MEANING: Record<Part, string> = {
  identity: "who the agent is: its persona, instructions and rules (SOUL.md, AGENTS.md, ...)",
  memory: "what it has learned and remembers (MEMORY.md, daily notes, ...)",
  relationships: "its conversations with people: transcripts and chat history",
  continuity: "where it left off: sessions, schedules, databases",
  infrastructure: "how it runs: its configuration and the settings around it",
  secrets: "API keys, tokens and credentials it needs to talk to the world",
};

/** partOf maps an item to a part; a command's output describes the machine, so it is infrastructure. */
export function partOf(cls: ItemClass, kind: ItemKind): Part {
  if (kind === "command") return "infrastructure";
  switch (cls) {
    case "identity": return "identity";
    case "memory": return "memory";
    case "transcripts": return "relationships";
    case "state": case "database": return "continuity";
    case "secret": return "secrets";
    case "config": case "other": return "infrastructure";
  }
}

const UNITS: [number, string][] = [[86_400_000, "day"], [3_600_000, "hour"], [60_000, "minute"]];

/** spell renders a duration coarsely in words: "3 hours", "2 days 4 hours", "under a minute". */
export function spell(ms: number): string {
  if (ms < 60_000) return "under a minute";
  const i = UNITS.findIndex(([size]) => ms >= size);
  const [size, unit] = UNITS[i]!;
  const n = Math.floor(ms / size);
  const first = `${n} ${unit}${n === 1 ? "" : "s"}`;
  // Two units at most, and only adjacent ones: "2 days 4 hours", never "2 days 13 minutes".
  const next = UNITS[i + 1];
  if (!next) return first;
  const m = Math.floor((ms - n * size) / next[0]);
  return m > 0 ? `${first} ${m} ${next[1]}${m === 1 ? "" : "s"}` : first;
}

/** ageOf says how long ago an ISO time was, relative to now; a clock skew reads "in the future". */
export function ageOf(iso: string, now: Date): string {
  const ms = now.getTime() - Date.parse(iso);
  if (!Number.isFinite(ms)) return "at an unknown time";
  if (ms < -60_000) return `${spell(-ms)} in the future (check this machine's clock)`;
  if (ms < 60_000) return "just now";
  return `${spell(ms)} ago`;
}

/**
 * frequencyOf estimates how often backups run from recent snapshot times (the median gap),
 * or null with fewer than three: two points are not a schedule.
 */
export function frequencyOf(times: readonly string[]): string | null {
  const ms = times.map((t) => Date.parse(t)).filter(Number.isFinite).sort((a, b) => a - b);
  if (ms.length < 3) return null;
  const gaps = ms.slice(1).map((t, i) => t - ms[i]!).sort((a, b) => a - b);
  const median = gaps[Math.floor(gaps.length / 2)]!;
  return `about every ${spell(median)} (judged from the last ${ms.length} backups)`;
}

/** utc renders an ISO time for people: "2026-11-22 05:12 UTC". */
export function utc(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
