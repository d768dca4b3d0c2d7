/**
 * @module util/trace
 * Phase marks for finding where a command's time goes: with LIFEBOAT_TRACE=1 each mark is
 * one line on stderr, "trace <ms since the process started> <label>". The hourly-backup
 * work of issue 4 was steered by these (docs/design.md §14). Off, a mark costs one check.
 */

const on = process.env["LIFEBOAT_TRACE"] === "1";

/** mark writes a trace line when tracing is on. */
export function mark(label: string): void {
  if (on) process.stderr.write(`trace ${performance.now().toFixed(0)} ${label}\n`);
}
