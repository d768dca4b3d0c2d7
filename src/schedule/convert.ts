/**
 * @module schedule/convert
 * Turns `schedule:` as written into ScheduleSettings, checking what the schema cannot: the
 * time zone exists, every cron expression parses and runs at some time, names are unique,
 * the health endpoint is on loopback, and keys that belong to one job kind (subset, keep,
 * prune, agent) sit on that kind. Every problem goes to the config's issue list with its line.
 */
import type { Report } from "../config/convert.ts";
import type { KeyPath } from "../config/issues.ts";
import { parseDurationArg } from "../ui/format.ts";
import { cronProblem, isTimeZone, machineTimeZone } from "./next.ts";
import type { FileSchedule, FileScheduleJob, ScheduleJob, ScheduleSettings } from "./schema.ts";

export const DEFAULT_GRACE = "2m";
const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);
const AGENT_KINDS = new Set(["backup", "drift", "drill", "transcripts"]);

/** convertSchedule converts the section; null when the file has none. `agents` are the configured agent names, checked when given. */
export function convertSchedule(s: FileSchedule | null | undefined, report: Report, agents?: string[]): ScheduleSettings | null {
  if (!s) return null;
  let timeZone = s.time_zone ?? machineTimeZone();
  if (!isTimeZone(timeZone)) {
    report.add(["schedule", "time_zone"], `unknown time zone "${timeZone}" (use an IANA name such as Europe/Berlin or UTC)`);
    timeZone = "UTC";
  }
  const names = new Set<string>();
  const jobs = s.jobs.map((j, i) => {
    const at: KeyPath = ["schedule", "jobs", i];
    if (names.has(j.name)) report.add([...at, "name"], `duplicate job name "${j.name}"`);
    names.add(j.name);
    return convertJob(j, at, timeZone, s.catch_up ?? true, report, agents);
  });
  const out: ScheduleSettings = { timeZone, timeZoneGiven: s.time_zone !== undefined, catchUp: s.catch_up ?? true, graceMs: parseDurationArg(s.grace ?? DEFAULT_GRACE), jobs };
  if (s.health !== undefined) {
    const h = parseHealth(s.health);
    if (typeof h === "string") report.add(["schedule", "health"], h);
    else out.health = h;
  }
  return out;
}

function convertJob(j: FileScheduleJob, at: KeyPath, timeZone: string, catchUp: boolean, report: Report, agents?: string[]): ScheduleJob {
  const bad = cronProblem(j.cron, timeZone);
  if (bad) report.add([...at, "cron"], bad);
  const only = (key: keyof FileScheduleJob, ok: boolean, where: string) => {
    if (j[key] !== undefined && !ok) report.add([...at, key], `${key} applies to ${where} jobs only`);
  };
  only("subset", j.job === "check", "check");
  only("keep", j.job === "forget", "forget");
  only("prune", j.job === "forget", "forget");
  only("agent", AGENT_KINDS.has(j.job), "backup, drift, drill and transcripts");
  if (j.job === "forget" && !hasRule(j.keep)) report.add([...at, "job"], "a forget job needs keep: rules, e.g. keep: { daily: 7, weekly: 4 }");
  if (j.agent && agents && !agents.includes(j.agent)) report.add([...at, "agent"], `no agent named "${j.agent}" (configured: ${agents.join(", ") || "none"})`);
  const out: ScheduleJob = { name: j.name, kind: j.job, cron: j.cron.trim(), prune: j.prune ?? true, catchUp: j.catch_up ?? catchUp };
  if (j.agent) out.agent = j.agent;
  if (j.heartbeat) out.heartbeat = j.heartbeat;
  if (j.keep) out.keep = j.keep;
  if (j.timeout) out.timeoutMs = parseDurationArg(j.timeout);
  if (j.subset) out.subset = j.subset.endsWith("%") ? { percent: j.subset } : { rotate: Number(j.subset.split("/")[1]) };
  if (out.subset && "rotate" in out.subset && out.subset.rotate < 1) report.add([...at, "subset"], "subset 1/T needs T of at least 1");
  return out;
}

function hasRule(k: FileScheduleJob["keep"]): boolean {
  return !!k && Object.values(k).some((v) => v !== undefined && v !== 0);
}

/** parseHealth reads "127.0.0.1:9555", "localhost:9555", "[::1]:9555" or a port; anything off loopback is refused. */
export function parseHealth(v: string | number): { host: string; port: number } | string {
  const text = String(v);
  const m = /^(?:(.*):)?(\d{1,5})$/.exec(text);
  const host = m?.[1] ?? "127.0.0.1";
  const port = Number(m?.[2]);
  if (!m || port > 65535) return `health: expected 127.0.0.1:PORT or a port number, got "${text}"`;
  if (!LOOPBACK.has(host)) return `health must listen on loopback (127.0.0.1, localhost or [::1]), not "${host}": it is unauthenticated`;
  return { host: host.replace(/^\[|\]$/g, ""), port };
}
