/**
 * @module cli/context
 * What every command shares: global options, the abort signal wired to SIGINT, output
 * in text or JSON, and opening the repository.
 */
import type { Command } from "commander";
import { openBackend } from "../backends/registry.ts";
import { wrapBackend } from "../backends/wrappers/index.ts";
import { LifeboatError } from "../errors/index.ts";
import { openRepository } from "../repository/open.ts";
import type { Repository } from "../repository/repository.ts";
import { createProgress, parseDurationArg, type Progress } from "../ui/index.ts";
import { getPassword } from "./password.ts";
import type { Backend } from "../backends/backend.ts";
import { findConfigPath, loadConfig, type LifeboatConfig } from "../config/index.ts";

export interface GlobalOptions {
  config?: string;
  repo?: string;
  passwordFile?: string;
  json?: boolean;
  quiet?: boolean;
  cache: boolean;
  cacheDir?: string;
  lockWait?: string;
}

export class Cli {
  readonly program: Command;
  readonly signal: AbortSignal;
  private loaded: Promise<LifeboatConfig | null> | undefined;

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

  async backend(): Promise<Backend> {
    return wrapBackend(await openBackend(await this.location()));
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
  0 ok · 1 fatal error · 3 finished, but some files could not be read or restored
  10 repository missing · 11 lock failed · 12 wrong password · 130 interrupted`;

export function helpText(examples: string[]): string {
  return `\nExamples:\n${examples.map((e) => `  $ ${e}`).join("\n")}\n${EXIT_CODES_HELP}`;
}

/** snakeKeys renames object keys from camelCase to snake_case, recursively. */
export function snakeKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(snakeKeys);
  if (v === null || typeof v !== "object") return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), snakeKeys(x)]));
}
