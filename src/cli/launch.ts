/**
 * @module cli/launch
 * What the `lifeboat` executable runs once cli/main.ts has set up the compile cache: wires
 * SIGINT/SIGTERM to an AbortSignal so work unwinds (locks released, no snapshot written)
 * and exits 130; a second Ctrl-C exits at once.
 */
import { ExitCode } from "../errors/index.ts";
import { run } from "./run.ts";
import { mark } from "../util/trace.ts";

const ac = new AbortController();
let interrupts = 0;
const stop = () => {
  if (++interrupts > 1) process.exit(ExitCode.interrupted);
  ac.abort();
};
// `lifeboat ls latest | head` closes stdout early: that is not an error.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw err;
});
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
mark("main: modules loaded");
process.exitCode = await run(process.argv.slice(2), ac.signal);
mark("main: done");
