/** @module cli/commands/demo — `lifeboat demo`: back up, lose and recover a sample agent. */
import { runDemo } from "../../demo/demo.ts";
import { LifeboatError } from "../../errors/index.ts";
import { helpText } from "../context.ts";
import type { Register } from "./index.ts";

export const registerDemo: Register = (program, cli) => {
  program.command("demo")
    .description("create a sample agent, back it up, delete it, restore it, and prove it identical")
    .option("--dir <dir>", "work in this folder instead of a new temporary one")
    .addHelpText("after", helpText(["npx lifeboat demo", "lifeboat demo --dir /tmp/lifeboat-demo --json"]))
    .action(async (o: { dir?: string }) => {
      const r = await runDemo({ dir: o.dir, signal: cli.signal, log: (l) => cli.print(l) });
      cli.emit({ message_type: "summary", ...r, ok: r.mismatched.length === 0 });
      if (r.mismatched.length > 0) throw new LifeboatError(`recovery is NOT identical: ${r.mismatched.join(", ")}`);
      cli.print(`\nrecovered ${r.files} files byte for byte in ${r.recoveryMs} ms. Explore the repository:\n` +
        `  export LIFEBOAT_REPOSITORY=${r.repository} LIFEBOAT_PASSWORD_FILE=${r.passwordFile}\n` +
        `  npx lifeboat snapshots && npx lifeboat check --read-data`);
    });
};
