/**
 * @module cli/commands/transcripts
 * `lifeboat transcripts sync`: append each configured agent's new chat messages to
 * `memory/<channel>-YYYY-MM-DD.md` in its workspace (docs/transcripts.md). Reads the agent's
 * own stores and configured exports, never the Telegram Bot API: a second poller on the
 * agent's token would steal its updates (agent-layouts.md §5.2). Idempotent, so it can run
 * from cron as often as wanted; it needs no repository and no password.
 */
import { ExitCode } from "../../errors/index.ts";
import { agentSources, syncTranscripts, systemTimeZone, type SyncResult, type TranscriptSettings } from "../../transcripts/index.ts";
import { selectAgents } from "../agents.ts";
import { helpText, type Cli } from "../context.ts";
import type { Register } from "./index.ts";

export const registerTranscripts: Register = (program, cli, setCode) => {
  const transcripts = program.command("transcripts").description("chat transcripts into the agent's daily memory markdown")
    .addHelpText("after", helpText(["lifeboat transcripts sync", "lifeboat transcripts sync --agent wren"]));
  transcripts.command("sync")
    .description("append new chat messages to memory/<channel>-YYYY-MM-DD.md (idempotent; each message once, even after a crash)")
    .option("--agent <name>", "only this configured agent (repeatable; default: every agent)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .addHelpText("after", helpText([
      "lifeboat transcripts sync",
      "lifeboat transcripts sync --agent wren",
      "lifeboat transcripts sync --json | jq '.agents[] | {agent, written}'",
      "*/15 * * * * lifeboat transcripts sync --quiet   # crontab",
    ]) + "\n  transcripts sync: 3 when a source could not be read (the other sources are still written)\n")
    .action(async (o: { agent: string[] }) => {
      const results: SyncResult[] = [];
      for (const agent of await selectAgents(cli, o.agent)) {
        // Typed by transcripts/schema; config/ fills it in once `transcripts:` is wired.
        const settings = agent.transcripts;
        const sources = await agentSources(agent, settings);
        if (sources.length === 0) cli.warn(`warning: agent ${agent.name}: no transcript sources found (add one under transcripts.sources, docs/transcripts.md)`);
        const res = await syncTranscripts({
          agent: agent.name, sources, timeZone: settings?.timeZone ?? systemTimeZone(), channels: settings?.channels, stateDir: cli.stateDir(), signal: cli.signal,
        });
        results.push(res);
        report(cli, res);
      }
      cli.emit({ message_type: "transcripts_sync", agents: results, written: results.reduce((n, r) => n + r.written, 0) });
      if (results.some((r) => r.sources.some((s) => s.error !== undefined))) setCode(ExitCode.partial);
    });
};

function report(cli: Cli, r: SyncResult): void {
  cli.print(`${r.agent}: ${r.written} new message${r.written === 1 ? "" : "s"} in ${r.files.length} day file${r.files.length === 1 ? "" : "s"} (${r.timeZone})`);
  for (const s of r.sources) {
    const extra = [s.present ? `${s.present} already written` : "", s.filtered ? `${s.filtered} in other channels` : "", s.unreadable ? `${s.unreadable} unreadable` : ""].filter(Boolean);
    cli.print(`  ${s.kind} ${s.path}: ${s.written} new${extra.length ? `, ${extra.join(", ")}` : ""}`);
    if (s.error !== undefined) cli.warn(`error: agent ${r.agent}: ${s.kind} ${s.path}: ${s.error}`);
  }
  for (const f of r.files) cli.print(`  → ${f}`);
}
