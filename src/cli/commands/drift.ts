/**
 * @module cli/commands/drift
 * `lifeboat drift`: compare each agent's live files with its approved baseline, report
 * every change with the rules it breaks, alert on drift (all-clear when it is gone), and
 * exit 4 on drift, 16 when the baseline itself was tampered with. `drift accept` is in
 * drift-accept.ts.
 */
import { renderRun } from "../../drift/render.ts";
import { runDrift, type DriftRun } from "../../drift/run.ts";
import { ExitCode, LifeboatError } from "../../errors/index.ts";
import { selectAgents } from "../agents.ts";
import { helpText, type Cli } from "../context.ts";
import { checkOne } from "../driftjob.ts";
import { registerDriftAccept } from "./drift-accept.ts";
import type { Register } from "./index.ts";

export interface DriftFlags {
  agent: string[];
  all?: boolean;
  diff: boolean;
  notify: boolean;
}

export const registerDrift: Register = (program, cli, setCode) => {
  const drift = program.command("drift")
    .description("compare the agents' live files with their approved baseline: identity, memory, logs, config, secrets")
    .option("--agent <name>", "only this configured agent (repeatable)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--all", "list unchanged files too")
    .option("--no-diff", "do not print diffs")
    .option("--no-notify", "do not send drift_found alerts or all-clears")
    .addHelpText("after", helpText([
      "lifeboat drift",
      "lifeboat drift --agent wren --json | jq '.report.files[] | select(.violations | length > 0) | .path'",
      "*/15 * * * * lifeboat drift --quiet   # crontab: alert within 15 minutes of an unapproved edit",
    ]) + "\n  drift: 0 clean · 4 drift found · 16 an approval record was edited, forged or removed\n")
    .action(async (o: DriftFlags) => {
      const agents = await selectAgents(cli, o.agent);
      const runs = await cli.withRepo(async (repo) => {
        const out: DriftRun[] = [];
        for (const agent of agents) out.push(await checkOne(cli, agent, o.notify, () => runDrift(repo, agent, { stateDir: cli.stateDir(), all: o.all, signal: cli.signal })));
        return out;
      });
      for (const r of runs) cli.emit({ message_type: "drift", ...r });
      cli.print(runs.map((r) => renderRun(r, { diffs: o.diff })).join("\n\n"));
      const code = runs.some((r) => r.state === "tampered") ? ExitCode.tampered : runs.some((r) => r.state === "drift") ? ExitCode.drift : ExitCode.ok;
      const none = runs.filter((r) => r.state === "no-baseline").map((r) => r.agent);
      if (code !== ExitCode.ok) setCode(code);
      else if (none.length > 0) throw new LifeboatError(`no approved baseline for ${none.join(", ")}`, { hint: `approve the current state with \`lifeboat drift accept --agent ${none[0]} --reason "first baseline"\`` });
    });
  registerDriftAccept(drift, cli, setCode);
};
