/**
 * @module config/load
 * Finds and reads `lifeboat.yaml`. Lookup order: --config, LIFEBOAT_CONFIG, ./lifeboat.yaml,
 * ~/.config/lifeboat/config.yaml (XDG_CONFIG_HOME honoured). A file that fails to parse or
 * to validate throws one ConfigError listing every issue with its line, so a broken config
 * is never half-used.
 */
import { readFile } from "node:fs/promises";
import { statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { LifeboatError } from "../errors/index.ts";
import { convertAgents, convertRepository, expandHome, resolvePath, type RawAgent, type RepositoryConfig } from "./convert.ts";
import { convertNotify, type NotifySettings } from "./notify.ts";
import { ConfigError, SourceMap, sortIssues, type ConfigIssue, type KeyPath } from "./issues.ts";
import { ConfigFileSchema } from "./schema.ts";
import { convertSchedule } from "../schedule/convert.ts";
import type { ScheduleSettings } from "../schedule/schema.ts";

/** LifeboatConfig is a loaded, validated config file. */
export interface LifeboatConfig {
  /** The file it came from, as given to loadConfig. */
  path: string;
  repository?: RepositoryConfig;
  agents: RawAgent[];
  /** Alerts: notifiers, routes, rate limits (empty when the file has no `notify:`). */
  notify: NotifySettings;
  /** The scheduler's jobs (docs/schedule.md); absent when the file has no `schedule:`. */
  schedule?: ScheduleSettings;
  /** issue builds an issue at a key path of this file, for checks made later (an unknown preset, say). */
  issue(path: KeyPath, message: string): ConfigIssue;
}

export interface LookupOptions {
  /** The --config flag. */
  flag?: string | undefined;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  home?: string;
}

/** defaultConfigPath is the per-user config file: $XDG_CONFIG_HOME/lifeboat/config.yaml or ~/.config/lifeboat/config.yaml. */
export function defaultConfigPath(opts: Omit<LookupOptions, "flag" | "cwd"> = {}): string {
  const env = opts.env ?? process.env;
  return join(env.XDG_CONFIG_HOME || join(opts.home ?? homedir(), ".config"), "lifeboat", "config.yaml");
}

/**
 * findConfigPath returns the absolute path of the config file to use, or null when there is
 * none. A file named by --config or LIFEBOAT_CONFIG must exist; the implicit places are
 * skipped when absent.
 */
export function findConfigPath(opts: LookupOptions = {}): string | null {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const home = opts.home ?? homedir();
  const explicit: [string | undefined, string][] = [
    [opts.flag, "--config"],
    [env.LIFEBOAT_CONFIG, "LIFEBOAT_CONFIG"],
  ];
  for (const [given, source] of explicit) {
    if (given === undefined || given === "") continue;
    const p = resolve(cwd, expandHome(given, home));
    const kind = fileKind(p);
    if (kind === "file") return p;
    throw new LifeboatError(`config file ${p} (from ${source}) ${kind === "missing" ? "does not exist" : "is not a file"}`, {
      hint: "create one with `lifeboat agent add NAME --root DIR`, or fix the path",
    });
  }
  for (const p of [join(cwd, "lifeboat.yaml"), defaultConfigPath({ env, home })]) {
    if (fileKind(p) === "file") return p;
  }
  return null;
}

/** loadConfig reads and validates a config file. @throws ConfigError, LifeboatError when unreadable */
export async function loadConfig(path: string, opts: { home?: string } = {}): Promise<LifeboatConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "does not exist" : code === "EACCES" ? "is not readable (permission denied)" : "cannot be read";
    throw new LifeboatError(`config file ${path} ${why}`, { cause: err });
  }
  return parseConfig(text, path, opts);
}

/**
 * parseConfig validates config text; `file` names it in messages and its folder anchors
 * relative roots and the password file. @throws ConfigError
 */
export function parseConfig(text: string, file: string, opts: { home?: string } = {}): LifeboatConfig {
  const home = opts.home ?? homedir();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, merge: true, prettyErrors: true });
  const src = new SourceMap(file, doc, lines);
  if (doc.errors.length > 0) throw new ConfigError(sortIssues(doc.errors.map((e) => src.fromYamlError(e))));

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 }) ?? {}; // an empty file is an empty config
  } catch (err) {
    throw new ConfigError([src.issue([], `YAML: ${(err as Error).message}`)]);
  }
  const parsed = ConfigFileSchema.safeParse(data);
  if (!parsed.success) throw new ConfigError(sortIssues(src.fromZod(parsed.error, data)));

  const issues: ConfigIssue[] = [];
  const report = {
    add: (path: KeyPath, message: string) => void issues.push(src.issue(path, message)),
    lineOf: (path: KeyPath) => src.issue(path, "").line,
  };
  const dir = dirname(resolve(file));
  const agents = convertAgents(parsed.data.agents ?? [], dir, home, report);
  const notify = convertNotify(parsed.data.notify, (p) => resolvePath(p, dir, home), report);
  const schedule = convertSchedule(parsed.data.schedule, report, agents.map((a) => a.name));
  if (issues.length > 0) throw new ConfigError(sortIssues(issues));

  const config: LifeboatConfig = { path: file, agents, notify, issue: (path, message) => src.issue(path, message) };
  if (schedule) config.schedule = schedule;
  if (parsed.data.repository) config.repository = convertRepository(parsed.data.repository, dir, home);
  return config;
}

function fileKind(p: string): "file" | "missing" | "other" {
  const st = statSync(p, { throwIfNoEntry: false });
  return st === undefined ? "missing" : st.isFile() ? "file" : "other";
}
