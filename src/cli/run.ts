/**
 * @module cli/run
 * Builds the command tree and turns every failure into one line on stderr and a
 * documented exit code. Tests call run() in-process; cli/main.ts is the executable.
 */
import { Command } from "commander";
import { describeError, exitCodeOf, ExitCode, isAbortError, lifeboatErrorIn } from "../errors/index.ts";
import { TOOL_VERSION } from "../version.ts";
import { Cli, helpText } from "./context.ts";
import { registerCommands } from "./commands/index.ts";

/** run executes the CLI with `argv` (without node and script) and resolves to the exit code. */
export async function run(argv: string[], signal: AbortSignal): Promise<number> {
  const program = new Command("lifeboat")
    .description("Keeps AI agents alive through the loss of their machine: encrypted, deduplicated, verified backups.")
    .version(TOOL_VERSION)
    .option("-c, --config <file>", "configuration file (or LIFEBOAT_CONFIG; default ./lifeboat.yaml, ~/.config/lifeboat/config.yaml)")
    .option("-r, --repo <location>", "repository location (or LIFEBOAT_REPOSITORY, or repository.url in the config)")
    .option("--password-file <file>", "read the password from a file (or LIFEBOAT_PASSWORD_FILE)")
    .option("--json", "print machine-readable JSON on stdout (shapes: docs/cli-json.md)")
    .option("-q, --quiet", "print nothing but errors")
    .option("--no-cache", "do not use the local index cache")
    .option("--cache-dir <dir>", "local cache folder (default $XDG_CACHE_HOME/lifeboat)")
    .option("--lock-wait <duration>", "keep retrying a locked repository this long, e.g. 5m")
    .option("--read-only", "open the repository read-only: reading commands run without a lock, writing ones are refused")
    .option("-o, --option <scheme.key=value>", "backend option, repeatable: -o sftp.port=2222 -o s3.region=eu-west-1 (docs/sftp.md, docs/s3.md)", collect, [])
    .addHelpText("after", helpText([
      "lifeboat demo                                   # back up, lose and recover a sample agent",
      "lifeboat init --repo /mnt/backup/wren --generate-password ~/.config/lifeboat/password",
      "lifeboat backup && lifeboat check --read-data-subset 10%",
      "lifeboat restore latest --agent wren --dry-run",
    ]))
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  const cli = new Cli(program, signal);
  let code: number = ExitCode.ok;
  registerCommands(program, cli, (c) => { code = c; });
  try {
    await program.parseAsync(argv, { from: "user" });
    return code;
  } catch (err) {
    // Interrupted work may fail with whatever the abort broke (a pack save, a read): still 130.
    return reportError(signal.aborted && !isAbortError(err) ? Object.assign(new Error("interrupted", { cause: err }), { name: "AbortError" }) : err, cli.json);
  } finally {
    await cli.closeBackends();
  }
}

function reportError(err: unknown, json: boolean): number {
  const cerr = err as { code?: string; exitCode?: number };
  if (typeof cerr.code === "string" && cerr.code.startsWith("commander.")) {
    // commander already printed help, the version, or the usage error.
    return cerr.code === "commander.helpDisplayed" || cerr.code === "commander.version" ? 0 : ExitCode.fatal;
  }
  // A LifeboatError wrapped by a caller keeps its exit code and hint (e.g. a backend's access error).
  const typed = lifeboatErrorIn(err);
  const code = exitCodeOf(err);
  const message = describeError(err);
  const hint = typed?.hint;
  if (json) process.stderr.write(JSON.stringify({ message_type: "error", error: message, hint, exit_code: code }) + "\n");
  else process.stderr.write(`lifeboat: ${message}${hint ? ` (${hint})` : ""}\n`);
  if (process.env.LIFEBOAT_DEBUG) process.stderr.write(`${(err as Error)?.stack}\n`);
  return code;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
