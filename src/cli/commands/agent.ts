/** @module cli/commands/agent — `lifeboat agent detect [DIR]` and `lifeboat agent add NAME --root DIR`. */
import { resolve } from "node:path";
import { describeDetection, detectAgent } from "../../agent/detect.ts";
import { getPreset, presetNames } from "../../agent/presets/index.ts";
import { addAgent, defaultConfigPath, findConfigPath } from "../../config/index.ts";
import { LifeboatError } from "../../errors/index.ts";
import { helpText } from "../context.ts";
import type { Register } from "./index.ts";

export const registerAgent: Register = (program, cli) => {
  const agent = program.command("agent").description("find agents on this machine and add them to lifeboat.yaml")
    .addHelpText("after", helpText(["lifeboat agent detect ~/.openclaw", "lifeboat agent add wren --root ~/.openclaw"]));
  agent.command("detect").description("recognise an agent layout and show what a backup would take, leave out and why")
    .argument("[dir]", "folder to look at", ".")
    .option("--preset <name>", `force a preset (${presetNames().join(", ")})`)
    .addHelpText("after", helpText(["lifeboat agent detect ~/.openclaw", "lifeboat agent detect /srv/nanoclaw --json"]))
    .action(async (dir: string, o: { preset?: string }) => {
      const r = await detectAgent(resolve(dir), { preset: o.preset });
      if (!r) throw new LifeboatError(`no known agent layout in ${resolve(dir)}`, { hint: `presets: ${presetNames().join(", ")}; use --preset workspace for a plain folder of markdown` });
      cli.emit({
        preset: r.preset, root: r.root, confidence: r.confidence, evidence: r.evidence, items: r.items, skip: r.skip,
        excluded: r.excluded, not_covered: r.notCovered, warnings: r.warnings, running: r.running,
      });
      cli.print(describeDetection(r));
    });
  agent.command("add").description("add an agent to lifeboat.yaml (created if missing)")
    .argument("<name>", "agent name: lowercase letters, digits, . _ -")
    .requiredOption("--root <dir>", "the agent's state folder")
    .option("--preset <name>", "preset; detected from the folder when omitted")
    .addHelpText("after", helpText(["lifeboat agent add wren --root ~/.openclaw", "lifeboat agent add clawdie --root /srv/clawdie --preset clawdie"]))
    .action(async (name: string, o: { root: string; preset?: string }) => {
      const root = resolve(o.root);
      let preset = o.preset;
      if (preset && !getPreset(preset)) throw new LifeboatError(`unknown preset ${preset}`, { hint: `presets: ${presetNames().join(", ")}` });
      if (!preset) {
        const r = await detectAgent(root);
        if (!r) throw new LifeboatError(`no known agent layout in ${root}`, { hint: "pass --preset (workspace for a plain folder)" });
        preset = r.preset;
      }
      const path = findConfigPath({ flag: cli.opts.config }) ?? defaultConfigPath();
      await addAgent(path, { name, preset, root });
      cli.emit({ message_type: "agent_added", name, preset, root, config: path });
      cli.print(`added agent ${name} (preset ${preset}, root ${root}) to ${path}\nnext: \`lifeboat agent detect ${root}\` to review, then \`lifeboat backup --agent ${name}\``);
    });
};
