/**
 * @module config/convert
 * Turns the file as written (config/schema) into what the rest of lifeboat uses: camelCase,
 * `~` expanded, paths absolute, durations in ms, defaults filled in. Checks the schema cannot
 * express (unique names, positive timeouts) report through the same issue list, with lines.
 */
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { parseLocation } from "../backends/registry.ts";
import type { AgentConfig, Hook, Item, ItemClass } from "../agent/types.ts";
import { parseDurationArg } from "../ui/format.ts";
import type { KeyPath } from "./issues.ts";
import { convertDrift, convertFreshness } from "./notify.ts";
import { convertTranscripts } from "../transcripts/schema.ts";
import { DEFAULT_HOOK_TIMEOUT, type ConfigFile, type FileAgent, type FileHook, type FileItem } from "./schema.ts";

/**
 * RawAgent is one agent as its config file states it: the same shape as AgentConfig, but
 * `items` holds only the items written in the file (extras and overrides), before the
 * preset's items are merged in.
 */
export type RawAgent = AgentConfig;

export interface RepositoryConfig {
  /** A location for openBackend; a plain or `local:` path is made absolute. */
  url?: string;
  passwordFile?: string;
  /** Backend options (`scheme.key` → value), as strings. */
  options?: Record<string, string>;
}

/** Report records an issue at a key path of the file, and tells the line of a key path. */
export interface Report {
  add(path: KeyPath, message: string): void;
  lineOf(path: KeyPath): number;
}

const DEFAULT_CLASS: Record<FileItem["kind"], ItemClass> = { files: "other", sqlite: "database", postgres: "database", secret: "secret", command: "config" };

/** expandHome replaces a leading `~` or `~/` with `home`; `~user` is left alone. */
export function expandHome(p: string, home: string): string {
  if (p === "~") return home;
  if (p.startsWith("~/") || p.startsWith(`~${sep}`)) return join(home, p.slice(2));
  return p;
}

/** resolvePath expands `~` and makes `p` absolute against `base`. */
export function resolvePath(p: string, base: string, home: string): string {
  return resolve(base, expandHome(p, home));
}

/** abbreviateHome writes a path under `home` as `~/...`, so a config stays valid for another user name. */
export function abbreviateHome(p: string, home: string): string {
  const rel = relative(home, p);
  if (rel === "") return "~";
  return rel.startsWith("..") || isAbsolute(rel) ? p : `~/${rel.split(sep).join("/")}`;
}

/** convertRepository resolves a local repository location and the password file against `dir` (the config's folder). */
export function convertRepository(repo: NonNullable<ConfigFile["repository"]>, dir: string, home: string): RepositoryConfig {
  const out: RepositoryConfig = {};
  if (repo.url !== undefined) {
    const loc = parseLocation(repo.url);
    if (loc.scheme !== "local") out.url = repo.url;
    else out.url = (repo.url.startsWith("local:") ? "local:" : "") + resolvePath(loc.rest, dir, home);
  }
  if (repo.password_file !== undefined) out.passwordFile = resolvePath(repo.password_file, dir, home);
  if (repo.options) out.options = Object.fromEntries(Object.entries(repo.options).map(([k, v]) => [k, String(v)]));
  return out;
}

/** convertAgents converts every agent, reporting duplicate names and zero timeouts. */
export function convertAgents(agents: FileAgent[], dir: string, home: string, report: Report): RawAgent[] {
  checkUnique(agents, ["agents"], "agent", report);
  return agents.map((a, i) => {
    const at: KeyPath = ["agents", i];
    const root = resolvePath(a.root, dir, home);
    const items = a.items ?? [];
    checkUnique(items, [...at, "items"], "item", report);
    const hooks: RawAgent["hooks"] = {};
    if (a.hooks?.before) hooks.before = convertHook(a.hooks.before, [...at, "hooks", "before"], report);
    if (a.hooks?.after) hooks.after = convertHook(a.hooks.after, [...at, "hooks", "after"], report);
    const agent: RawAgent = {
      name: a.name,
      preset: a.preset,
      root,
      items: items.map((it, j) => convertItem(it, root, home, [...at, "items", j], report)),
      skip: a.skip ?? [],
      hooks,
      pidFiles: (a.pid_files ?? []).map((p) => resolvePath(p, root, home)),
    };
    if (a.stop !== undefined) agent.stop = a.stop;
    if (a.start !== undefined) agent.start = a.start;
    if (a.status !== undefined) agent.status = a.status;
    if (a.drift) agent.drift = convertDrift(a.drift, [...at, "drift"], report);
    if (a.freshness) agent.freshness = convertFreshness(a.freshness, [...at, "freshness"], report);
    if (a.transcripts) agent.transcripts = convertTranscripts(a.transcripts, root, home);
    if (a.watch) agent.watch = { ...(a.watch.delay ? { delay: a.watch.delay } : {}), ...(a.watch.min_interval ? { minInterval: a.watch.min_interval } : {}) };
    return agent;
  });
}

function convertItem(it: FileItem, root: string, home: string, at: KeyPath, report: Report): Item {
  const regenerable = it.regenerable ?? false;
  const base = { name: it.name, class: it.class ?? DEFAULT_CLASS[it.kind], regenerable, required: it.required ?? !regenerable };
  switch (it.kind) {
    case "files": {
      const out: Item = { ...base, kind: "files", path: resolvePath(it.path, root, home) };
      if (it.include) out.include = it.include;
      if (it.exclude) out.exclude = it.exclude;
      return out;
    }
    case "sqlite":
    case "secret":
      return { ...base, kind: it.kind, path: resolvePath(it.path, root, home) };
    case "postgres": {
      const out: Item = { ...base, kind: "postgres", database: it.database };
      if (it.url !== undefined) out.url = it.url;
      // YAML reads `PGPORT: 5432` as a number; libpq wants strings.
      if (it.env) out.env = Object.fromEntries(Object.entries(it.env).map(([k, v]) => [k, String(v)]));
      return out;
    }
    case "command": {
      const out: Item = { ...base, kind: "command", command: it.command, filename: it.filename ?? `${it.name}.txt` };
      if (it.timeout !== undefined) out.timeoutMs = durationMs(it.timeout, [...at, "timeout"], report);
      return out;
    }
  }
}

function convertHook(h: FileHook, at: KeyPath, report: Report): Hook {
  return { command: h.command, timeoutMs: durationMs(h.timeout ?? DEFAULT_HOOK_TIMEOUT, [...at, "timeout"], report) };
}

function durationMs(s: string, at: KeyPath, report: Report): number {
  const ms = parseDurationArg(s); // the schema's pattern already admitted it
  if (ms <= 0) report.add(at, "timeout must be more than 0");
  return ms;
}

function checkUnique(list: { name: string }[], at: KeyPath, what: string, report: Report): void {
  const seen = new Map<string, number>();
  list.forEach((x, i) => {
    const first = seen.get(x.name);
    if (first === undefined) seen.set(x.name, i);
    else report.add([...at, i, "name"], `duplicate ${what} name "${x.name}" (first defined on line ${report.lineOf([...at, first, "name"])})`);
  });
}
