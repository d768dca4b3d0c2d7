/**
 * @module config/notify
 * Converts the `notify:` section and each agent's `drift:` and `freshness:` into what
 * alerts/, notify/ and drift/ use: durations in ms, secret references (never the secret's
 * value read at load time), file paths resolved against the config's folder. Routes that
 * name a notifier that does not exist are reported with their line, like any other issue.
 */
import type { DriftSettings, FreshnessLimits, FreshnessSettings } from "../model/agent.ts";
import type { EventKind, NotifierConfig, SecretRef } from "../notify/types.ts";
import { parseDurationArg } from "../ui/format.ts";
import type { Report } from "./convert.ts";
import type { KeyPath } from "./issues.ts";
import type { FileDrift, FileFreshness, FileNotifier, FileNotify } from "./schema.ts";

/** NotifySettings is the converted `notify:` section. */
export interface NotifySettings {
  notifiers: NotifierConfig[];
  /** Event kind → notifier names; a kind that is absent goes to every notifier. */
  routes: Partial<Record<EventKind, string[]>>;
  repeatMs: number;
  failures: number;
}

export const DEFAULT_REPEAT = "6h";
const DEFAULT_TIMEOUT_MS = 10_000;

type Resolve = (p: string) => string;

export function convertNotify(n: FileNotify | null | undefined, resolve: Resolve, report: Report): NotifySettings {
  const notifiers = (n?.notifiers ?? []).map((x, i) => convertNotifier(x, ["notify", "notifiers", i], resolve, report));
  const names = new Set<string>();
  notifiers.forEach((x, i) => {
    if (names.has(x.name)) report.add(["notify", "notifiers", i, "name"], `duplicate notifier name "${x.name}"`);
    names.add(x.name);
  });
  const routes: NotifySettings["routes"] = {};
  for (const [event, list] of Object.entries(n?.routes ?? {}) as [EventKind, string[]][]) {
    list.forEach((name, j) => {
      if (!names.has(name)) report.add(["notify", "routes", event, j], `no notifier named "${name}" (configured: ${[...names].join(", ") || "none"})`);
    });
    routes[event] = list;
  }
  return { notifiers, routes, repeatMs: parseDurationArg(n?.repeat ?? DEFAULT_REPEAT), failures: n?.failures ?? 1 };
}

function convertNotifier(x: FileNotifier, at: KeyPath, resolve: Resolve, report: Report): NotifierConfig {
  const base = { name: x.name, timeoutMs: x.timeout ? parseDurationArg(x.timeout) : DEFAULT_TIMEOUT_MS };
  const secret = (what: "token" | "password", required: boolean) => secretRef(x as Record<string, unknown>, what, required, at, resolve, report);
  switch (x.kind) {
    case "webhook":
      return { ...base, kind: "webhook", url: x.url, headers: x.headers ?? {} };
    case "telegram":
      return { ...base, kind: "telegram", token: secret("token", true)!, chatId: String(x.chat_id), api: x.api ?? "https://api.telegram.org" };
    case "ntfy": {
      const token = secret("token", false);
      return { ...base, kind: "ntfy", server: x.server ?? "https://ntfy.sh", topic: x.topic, ...(token ? { token } : {}) };
    }
    case "email": {
      const password = secret("password", false);
      return {
        ...base, kind: "email", host: x.host, port: x.port ?? 587, security: x.security ?? "starttls", from: x.from, to: x.to,
        ...(x.username ? { username: x.username } : {}), ...(password ? { password } : {}), ...(x.ca ? { ca: resolve(x.ca) } : {}),
      };
    }
    case "command":
      return { ...base, kind: "command", command: x.command };
  }
}

/** secretRef takes exactly one of KEY, KEY_env, KEY_file. */
function secretRef(x: Record<string, unknown>, what: string, required: boolean, at: KeyPath, resolve: Resolve, report: Report): SecretRef | undefined {
  const given = [what, `${what}_env`, `${what}_file`].filter((k) => typeof x[k] === "string");
  if (given.length > 1) report.add([...at, given[1]!], `give only one of ${given.join(", ")}`);
  if (given.length === 0) {
    if (required) report.add([...at, "kind"], `a ${String(x.kind)} notifier needs ${what}_file, ${what}_env or ${what}`);
    return undefined;
  }
  const key = given[0]!;
  const v = x[key] as string;
  if (key.endsWith("_env")) return { env: v };
  if (key.endsWith("_file")) return { file: resolve(v) };
  return { value: v };
}

/** convertDrift turns `drift:` into settings (percentages into fractions). */
export function convertDrift(d: NonNullable<FileDrift>, at: KeyPath, report: Report): DriftSettings {
  const out: DriftSettings = {};
  if (d.classes) out.classes = Object.entries(d.classes).map(([pattern, cls]) => ({ pattern, class: cls }));
  if (d.ignore) out.ignore = d.ignore;
  if (d.shrink !== undefined) {
    const f = Number.parseFloat(d.shrink) / 100;
    if (f <= 0 || f >= 1) report.add([...at, "shrink"], "shrink must be between 0% and 100%");
    out.shrink = f;
  }
  return out;
}

/** convertFreshness applies the 2× / 4× interval defaults and checks warn < critical. */
export function convertFreshness(f: NonNullable<FileFreshness>, at: KeyPath, report: Report): FreshnessSettings {
  const intervalMs = f.interval ? parseDurationArg(f.interval) : 3_600_000;
  const top = limitsOf(f, { warnMs: 2 * intervalMs, criticalMs: 4 * intervalMs }, at, report);
  const items: Record<string, FreshnessLimits> = {};
  for (const [name, l] of Object.entries(f.items ?? {})) items[name] = limitsOf(l, top, [...at, "items", name], report);
  return { intervalMs, ...top, items };
}

function limitsOf(l: { warn?: string | undefined; critical?: string | undefined }, dflt: FreshnessLimits, at: KeyPath, report: Report): FreshnessLimits {
  const warnMs = l.warn ? parseDurationArg(l.warn) : dflt.warnMs;
  const criticalMs = l.critical ? parseDurationArg(l.critical) : Math.max(dflt.criticalMs, warnMs);
  if (criticalMs < warnMs) report.add([...at, "critical"], "critical must not be shorter than warn");
  return { warnMs, criticalMs };
}
