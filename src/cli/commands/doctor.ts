/** @module cli/commands/doctor — `lifeboat doctor`: check the config, the agents, the repository and the machine. */
import { formatFinding, formatFindings, runDoctor, summarize, type DoctorContext } from "../../doctor/index.ts";
import { ExitCode } from "../../errors/index.ts";
import { defaultCacheDir } from "../../repository/cache.ts";
import { helpText, type Cli } from "../context.ts";
import type { Register } from "./index.ts";

export const registerDoctor: Register = (program, cli, setCode) => {
  program.command("doctor")
    .description("check that backups will work and did: config, items, PostgreSQL, repository, last snapshots, disk, self-inclusion")
    .option("--agent <name>", "check only this configured agent (repeatable)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .addHelpText("after", helpText([
      "lifeboat doctor",
      "lifeboat doctor --agent wren",
      "lifeboat doctor -q || notify-send 'lifeboat needs attention'   # silent when healthy",
      "lifeboat doctor --json | jq '.findings[] | select(.level != \"ok\")'",
    ]) + "\n  doctor: 1 when any finding is an error; warnings alone exit 0\n")
    .action(async (o: { agent: string[] }) => {
      const findings = await runDoctor(context(cli, o.agent));
      const s = summarize(findings);
      cli.emit({ ok: s.ok, errors: s.errors, warnings: s.warnings, findings });
      cli.print(formatFindings(findings));
      // --quiet: only what needs attention, on stderr, so a cron job mails nothing when all is well.
      if (cli.opts.quiet && !cli.json) for (const f of findings) if (f.level !== "ok") cli.warn(formatFinding(f));
      if (!s.ok) setCode(ExitCode.fatal);
    });
};

function context(cli: Cli, agents: string[]): DoctorContext {
  return {
    config: () => cli.config(),
    location: () => cli.location(),
    openRepo: () => cli.openRepo(),
    agents,
    cacheDir: cacheFolder(cli),
    signal: cli.signal,
  };
}

/** cacheFolder is where the index cache lives (null with --no-cache), for the self-inclusion check. */
function cacheFolder(cli: Cli): string | null {
  const dir = cli.cacheDir();
  return dir === undefined ? defaultCacheDir() : dir;
}
