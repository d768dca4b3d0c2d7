/**
 * @module cli/context
 * What every command shares: global options, the abort signal wired to SIGINT, output
 * in text or JSON, and opening the repository.
 */
import type { Command } from "commander";
import { openBackend, parseLocation, parseOptionArgs, type BackendOptions } from "../backends/registry.ts";
import { wrapBackend, wrapOptionsFromEnv } from "../backends/wrappers/index.ts";
import { LifeboatError } from "../errors/index.ts";
import { openRepository } from "../repository/open.ts";
import type { Repository } from "../repository/repository.ts";
import { createProgress, parseDurationArg, type Progress } from "../ui/index.ts";
import { getPassword } from "./password.ts";
import type { Backend } from "../backends/backend.ts";
import { findConfigPath, loadConfig, type LifeboatConfig } from "../config/index.ts";
import { Alerter } from "../alerts/alerter.ts";
import { stateDir } from "../alerts/statedir.ts";
import type { NotifySettings } from "../config/notify.ts";

/** NO_NOTIFY: without a config there is nobody to tell, but alert state is still kept for `status`. */
const NO_NOTIFY: NotifySettings = { notifiers: [], routes: {}, repeatMs: 6 * 3_600_000, failures: 1 };

export interface GlobalOptions {
  config?: string;
  repo?: string;
  passwordFile?: string;
  json?: boolean;
  quiet?: boolean;
  cache: boolean;
  cacheDir?: string;
  lockWait?: string;
  option?: string[];
  readOnly?: boolean;
}

export class Cli {
  readonly program: Command;
  readonly signal: AbortSignal;
  private loaded: Promise<LifeboatConfig | null> | undefined;
  private readonly opened: Backend[] = [];

  constructor(program: Command, signal: AbortSignal) {
    this.program = program;
    this.signal = signal;
  }

  get opts(): GlobalOptions {
    return this.program.opts<GlobalOptions>();
  }

  get json(): boolean {
    return this.opts.json === true;
  }

  /** print writes human output (suppressed with --json or --quiet). */
  print(text: string): void {
    if (!this.json && !this.opts.quiet) process.stdout.write(text.endsWith("\n") ? text : text + "\n");
  }

  /** warn writes a human line to stderr (suppressed with --json, where it goes into the result). */
  warn(text: string): void {
    if (!this.json) process.stderr.write(text + "\n");
  }

  /** emit prints the command's JSON document; keys become snake_case (docs/cli-json.md). */
  emit(value: unknown): void {
    if (this.json) process.stdout.write(JSON.stringify(snakeKeys(value)) + "\n");
  }

  /** showsProgress: a progress line is drawn (a terminal, and neither --json nor --quiet). */
  showsProgress(): boolean {
    return process.stderr.isTTY === true && !this.json && this.opts.quiet !== true;
  }

  progress(): Progress {
    return createProgress({ json: this.json || this.opts.quiet === true });
  }

  lockWaitMs(): number {
    return this.opts.lockWait ? parseDurationArg(this.opts.lockWait) : 0;
  }

  /** config loads lifeboat.yaml once (--config, LIFEBOAT_CONFIG, ./lifeboat.yaml, ~/.config/lifeboat/config.yaml); null if none. */
  config(): Promise<LifeboatConfig | null> {
    this.loaded ??= (async () => {
      const path = findConfigPath({ flag: this.opts.config });
      return path ? loadConfig(path) : null;
    })();
    return this.loaded;
  }

  /** requireConfig is config() for commands that cannot work without one. */
  async requireConfig(): Promise<LifeboatConfig> {
    const c = await this.config();
    if (!c) throw new LifeboatError("no lifeboat.yaml found", { hint: "create one with `lifeboat agent add NAME --root DIR`, or pass --config FILE" });
    return c;
  }

  async location(): Promise<string> {
    const loc = this.opts.repo ?? process.env.LIFEBOAT_REPOSITORY ?? (await this.config())?.repository?.url;
    if (!loc) throw new LifeboatError("no repository given", { hint: "pass --repo LOCATION, set LIFEBOAT_REPOSITORY, or set repository.url in lifeboat.yaml" });
    return loc;
  }

  async passwordFile(): Promise<string | undefined> {
    if (this.opts.passwordFile) return this.opts.passwordFile;
    if (process.env.LIFEBOAT_PASSWORD_FILE || process.env.LIFEBOAT_PASSWORD) return undefined;
    return (await this.config())?.repository?.passwordFile;
  }

  /**
   * backendOptions merges repository.options from the config with -o flags (flags win). A
   * local repository takes no options, so its commands never need to read a config for them.
   */
  async backendOptions(location: string): Promise<BackendOptions> {
    const flags = parseOptionArgs(this.opts.option ?? []);
    if (parseLocation(location).scheme === "local") return flags;
    return { ...(await this.config())?.repository?.options, ...flags };
  }

  /** backend opens the repository's backend; run() closes it whatever happens (a failed open included). */
  async backend(): Promise<Backend> {
    const location = await this.location();
    const raw = await openBackend(location, await this.backendOptions(location));
    this.opened.push(raw);
    return wrapBackend(raw, { ...wrapOptionsFromEnv(), readOnly: this.opts.readOnly === true });
  }

  /**
   * closeBackends ends every backend this command opened (an SSH connection keeps the process
   * alive otherwise). Close errors are not the command's result, so they are dropped.
   */
  async closeBackends(): Promise<void> {
    const all = this.opened.splice(0);
    await Promise.allSettled(all.map((be) => be.close()));
  }

  cacheDir(): string | null | undefined {
    return this.opts.cache === false ? null : this.opts.cacheDir;
  }

  /** openRepo opens the repository; `cache: false` reads index and snapshots from the repository itself. */
  async openRepo(opts: { cache?: boolean } = {}): Promise<Repository> {
    const be = await this.backend();
    const password = await getPassword({ passwordFile: await this.passwordFile() });
    return openRepository(be, password, { cacheDir: opts.cache === false ? null : this.cacheDir(), signal: this.signal });
  }

  /** stateDir holds the run log and alert state on this machine (alerts/statedir.ts). */
  stateDir(): string {
    return stateDir();
  }

  /** alerter sends alerts through the configured notifiers; a config that fails to load means none. */
  async alerter(): Promise<Alerter> {
    const config = await this.config().catch(() => null);
    return new Alerter(config?.notify ?? NO_NOTIFY, this.stateDir());
  }

  /** withRepo opens the repository, runs fn, and always closes it. */
  async withRepo<T>(fn: (repo: Repository) => Promise<T>, opts: { cache?: boolean } = {}): Promise<T> {
    const repo = await this.openRepo(opts);
    try {
      return await fn(repo);
    } finally {
      await repo.close();
    }
  }
}

/** EXIT_CODES_HELP is appended to every command's help. */
export const EXIT_CODES_HELP = `
Exit codes:
  0 ok · 1 fatal error · 3 finished, but some files could not be read or restored · 4 drift found
  5 restore drill failed
  10 repository missing · 11 lock failed · 12 wrong password · 13 repository host unreachable
  14 access denied (credentials, permissions) · 15 SSH host key mismatch · 16 approval tampered
  130 interrupted`;

export function helpText(examples: string[]): string {
  return `\nExamples:\n${examples.map((e) => `  $ ${e}`).join("\n")}\n${EXIT_CODES_HELP}`;
}

/** snakeKeys renames object keys from camelCase to snake_case, recursively. */
export function snakeKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(snakeKeys);
  if (v === null || typeof v !== "object") return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), snakeKeys(x)]));
}
