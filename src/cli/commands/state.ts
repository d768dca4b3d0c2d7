/**
 * @module cli/commands/state
 * `lifeboat state set|append KEY VALUE`: the crash-safe way for an agent (or its hooks and
 * scripts) to record session state event by event (docs/state.md). The file is --file, or
 * `<root>/session-state.json` of the agent named by --agent, or of the only configured agent.
 * No repository is opened: this runs on every event and must stay cheap.
 */
import { join, resolve } from "node:path";
import { LifeboatError } from "../../errors/index.ts";
import { appendState, parseValue, setState, DEFAULT_LOCK_WAIT_MS, type StateResult } from "../../state/index.ts";
import { parseDurationArg } from "../../ui/index.ts";
import { selectAgents } from "../agents.ts";
import { helpText, type Cli } from "../context.ts";
import type { Register } from "./index.ts";

/** STATE_FILE: the file an agent's state lives in unless --file says otherwise. */
export const STATE_FILE = "session-state.json";

interface StateFlags {
  file?: string;
  agent?: string;
  string?: boolean;
  wait?: string;
}

export const registerState: Register = (program, cli) => {
  const state = program.command("state")
    .description("write the agent's session-state.json one key at a time, crash-safe and concurrency-safe")
    .addHelpText("after", helpText([
      "lifeboat state set decisions.latest '\"ship v2 on friday\"' --agent wren",
      "lifeboat state append decisions '{\"at\":\"2026-05-01T10:00Z\",\"what\":\"ship v2\"}' --file ~/wren/session-state.json",
      "lifeboat state set turn 4822 --agent wren            # a number",
      "lifeboat state set note 42 --string --agent wren     # the text \"42\"",
    ]));
  for (const verb of ["set", "append"] as const) {
    state.command(`${verb} <key> <value>`)
      .description(verb === "set" ? "store VALUE at the dotted KEY (objects on the way are created)" : "append VALUE to the array at the dotted KEY (created when missing)")
      .option("--file <path>", `the state file (default: <agent root>/${STATE_FILE})`)
      .option("--agent <name>", "the configured agent whose state file to write")
      .option("--string", "store VALUE as text even when it parses as JSON")
      .option("--wait <duration>", "how long to wait for another writer's lock", `${DEFAULT_LOCK_WAIT_MS / 1000}s`)
      .addHelpText("after", helpText([
        `lifeboat state ${verb} ${verb === "set" ? "decisions.latest '\"ship v2\"'" : "decisions '{\"what\":\"ship v2\"}'"} --agent wren`,
        `lifeboat state ${verb} ${verb === "set" ? "mood calm" : "log started"} --string --file ./session-state.json`,
      ]) + "\n  state: 1 when the file is not a JSON object, a key cannot be set, or the lock stays held\n")
      .action(async (key: string, value: string, o: StateFlags) => {
        const file = await stateFile(cli, o);
        const opts = { waitMs: parseWait(o.wait), signal: cli.signal };
        const v = parseValue(value, o.string === true);
        const res = verb === "set" ? await setState(file, key, v, opts) : await appendState(file, key, v, opts);
        report(cli, verb, res);
      });
  }
};

function parseWait(text: string | undefined): number {
  try {
    return text ? parseDurationArg(text) : DEFAULT_LOCK_WAIT_MS;
  } catch (err) {
    throw new LifeboatError((err as Error).message, { hint: "e.g. --wait 30s" });
  }
}

/** stateFile resolves which file to write: --file, else the agent's root (--agent, or the only one configured). */
async function stateFile(cli: Cli, o: StateFlags): Promise<string> {
  if (o.file && o.agent) throw new LifeboatError("--file and --agent name two different files", { hint: "pass only one of them" });
  if (o.file) return resolve(o.file);
  if (!o.agent) {
    const config = await cli.config();
    if (config?.agents.length !== 1) {
      throw new LifeboatError("which state file? pass --file PATH or --agent NAME", { hint: config ? `configured agents: ${config.agents.map((a) => a.name).join(", ") || "none"}` : "no lifeboat.yaml found" });
    }
  }
  const [agent] = await selectAgents(cli, o.agent ? [o.agent] : []);
  return join(agent!.root, STATE_FILE);
}

function report(cli: Cli, verb: "set" | "append", r: StateResult): void {
  cli.emit({ message_type: "state", action: verb, file: r.file, key: r.key, value: r.value, ...(r.length !== undefined ? { length: r.length } : {}) });
  if (r.cleaned > 0) cli.warn(`note: removed ${r.cleaned} temporary file(s) a crashed writer of ${r.file} left`);
  cli.print(verb === "set" ? `${r.file}: set ${r.key}` : `${r.file}: appended to ${r.key} (${r.length} entries)`);
}
