/**
 * @module cli/commands/runbook
 * `lifeboat runbook`: write RUNBOOK.md for the configured agents from the config and each
 * agent's newest snapshot. Read-only on the repository and lock-free, like `snapshots`: a
 * runbook must be writable while a backup runs. Several agents go into one file, one after
 * the other, so a single printout covers the whole machine.
 */
import { readFile, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { resolve } from "node:path";
import { LifeboatError, RepositoryNotFoundError } from "../../errors/index.ts";
import type { AgentConfig } from "../../model/agent.ts";
import type { Snapshot } from "../../model/index.ts";
import { loadSnapshots } from "../../repository/snapshots.ts";
import { agentBackups } from "../../restore/safety.ts";
import { manifestFromConfig, renderRunbook, RUNBOOK_MARK, type RunbookInput } from "../../runbook/index.ts";
import { selectAgents } from "../agents.ts";
import { helpText, type Cli } from "../context.ts";
import type { Register } from "./index.ts";

interface RunbookFlags {
  agent: string[];
  output: string;
  force?: boolean;
}

/** How many recent snapshots estimate the backup frequency. */
const RECENT = 10;

/** SEPARATOR divides agents' runbooks in one file (a Markdown rule; a page break when printed from most viewers). */
export const SEPARATOR = "\n---\n\n";

export const registerRunbook: Register = (program, cli) => {
  program.command("runbook")
    .description("write RUNBOOK.md: how to bring the agents back, step by step, from the newest backup")
    .option("--agent <name>", "only this configured agent (repeatable; default: every agent, one after the other in one file)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("-o, --output <file>", "where to write it", "RUNBOOK.md")
    .option("--force", "overwrite the output file even if it is not a runbook lifeboat wrote")
    .addHelpText("after", helpText([
      "lifeboat runbook --agent wren",
      "lifeboat runbook --agent wren --output ~/Desktop/wren-RUNBOOK.md",
      "lifeboat runbook --output /mnt/usb/RUNBOOK.md   # every configured agent in one file",
      "lifeboat runbook --json | jq -r .path",
    ]) + "\n  runbook: an existing output file that lifeboat did not write is kept (exit 1) unless --force\n")
    .action(async (o: RunbookFlags) => {
      const agents = await selectAgents(cli, o.agent);
      const path = resolve(o.output);
      await refuseForeign(path, o.force === true);
      const inputs = await gather(cli, agents);
      const text = inputs.map((i) => renderRunbook(i)).join(SEPARATOR);
      await writeFile(path, text, { mode: 0o644 });
      const bytes = Buffer.byteLength(text);
      for (const i of inputs) {
        cli.emit({ message_type: "runbook", agent: i.manifest.agent, path, snapshot: i.noBackupYet ? null : i.snapshot.id, bytes });
        if (i.noBackupYet) cli.warn(`warning: agent ${i.manifest.agent} has no backup yet; the runbook says so (run \`lifeboat backup --agent ${i.manifest.agent}\`)`);
      }
      cli.print(`wrote ${path} (${inputs.map((i) => `${i.manifest.agent}: ${i.noBackupYet ? "no backup yet" : `snapshot ${i.snapshot.id.slice(0, 8)}`}`).join(", ")})`);
      cli.print("print it, and keep it with a copy of the repository password");
    });
};

/** refuseForeign stops before overwriting a file lifeboat did not write (a runbook is recognised by its first line). */
async function refuseForeign(path: string, force: boolean): Promise<void> {
  if (force) return;
  const head = await readFile(path, "utf8").then((t) => t.slice(0, 200), (err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return null;
    throw new LifeboatError(`cannot read ${path}: ${err.code ?? err.message}`, { hint: "choose another file with --output", cause: err });
  });
  if (head !== null && !head.startsWith(RUNBOOK_MARK)) {
    throw new LifeboatError(`${path} exists and is not a runbook lifeboat wrote`, { hint: "choose another file with --output, or replace it with --force" });
  }
}

/** gather reads each agent's newest snapshot (one repository open for all) and builds its runbook input. */
async function gather(cli: Cli, agents: AgentConfig[]): Promise<RunbookInput[]> {
  const location = await cli.location();
  const snapshots = await readSnapshots(cli, location);
  const repository = { location, ...(await passwordSource(cli)) };
  const now = new Date();
  return agents.map((agent) => {
    const mine = agentBackups(snapshots, agent.name);
    const newest = mine.at(-1);
    const recentTimes = mine.slice(-RECENT).map((s) => s.time);
    if (!newest?.manifest) {
      const manifest = manifestFromConfig(agent, hostname(), now.toISOString());
      return { agent, manifest, snapshot: { id: "", time: now.toISOString() }, repository, now, noBackupYet: true };
    }
    return { agent, manifest: newest.manifest, snapshot: { id: newest.id!, time: newest.time }, repository, now, recentTimes };
  });
}

/** readSnapshots lists the repository's snapshots; a repository not created yet has none. */
async function readSnapshots(cli: Cli, location: string): Promise<Snapshot[]> {
  try {
    return await cli.withRepo(async (repo) => (await loadSnapshots(repo, cli.signal)).snapshots);
  } catch (err) {
    if (!(err instanceof RepositoryNotFoundError)) throw err;
    cli.warn(`warning: no repository at ${location} yet; create it with \`lifeboat init\``);
    return [];
  }
}

/** passwordSource says where the password is, as getPassword finds it, never the password itself. */
async function passwordSource(cli: Cli): Promise<{ passwordFile?: string; passwordFrom?: string }> {
  const file = cli.opts.passwordFile ?? process.env.LIFEBOAT_PASSWORD_FILE ?? (process.env.LIFEBOAT_PASSWORD ? undefined : await cli.passwordFile());
  if (file) return { passwordFile: resolve(file) };
  if (process.env.LIFEBOAT_PASSWORD) return { passwordFrom: "the LIFEBOAT_PASSWORD environment variable" };
  return { passwordFrom: "typing it at lifeboat's prompt" };
}
