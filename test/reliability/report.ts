/**
 * @module test/reliability/report
 * Runs the reliability suites and writes their table into docs/reliability.md, between the
 * `<!-- results -->` markers, so the numbers there are the suite's own. `npm run reliability`
 * runs the long variant (LIFEBOAT_RELIABILITY=long); `--ci` runs the counts CI uses.
 *
 *   node test/reliability/report.ts [--ci] [--only crash,bitrot] [--render-only DIR]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { SuiteResult } from "./record.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const DOC = join(ROOT, "docs/reliability.md");
const BEGIN = "<!-- results:begin -->";
const END = "<!-- results:end -->";

type Result = SuiteResult & { mode: string; time: string };

function main(): void {
  const { values } = parseArgs({ options: { ci: { type: "boolean", default: false }, only: { type: "string" }, "render-only": { type: "string" } } });
  const out = values["render-only"] ?? mkdtempSync(join(tmpdir(), "lifeboat-reliability-"));
  let ms = 0;
  if (!values["render-only"]) {
    const files = readdirSync(join(ROOT, "test/reliability")).filter((f) => f.endsWith(".test.ts"))
      .filter((f) => !values.only || values.only.split(",").some((o) => f.startsWith(o)))
      .map((f) => join("test/reliability", f));
    const env = { ...process.env, LIFEBOAT_RELIABILITY_OUT: out, ...(values.ci ? {} : { LIFEBOAT_RELIABILITY: "long" }) };
    const t = Date.now();
    const r = spawnSync(process.execPath, ["--test", "--test-concurrency=1", "--test-timeout=7200000", ...files], { cwd: ROOT, env, stdio: "inherit" });
    ms = Date.now() - t;
    if (r.status !== 0) process.exitCode = 1;
  }
  const results = readdirSync(out).filter((f) => f.endsWith(".json")).map((f) => JSON.parse(readFileSync(join(out, f), "utf8")) as Result);
  const doc = readFileSync(DOC, "utf8");
  const at = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (at < 0 || end < at) throw new Error(`${DOC} lacks the ${BEGIN} … ${END} markers`);
  writeFileSync(DOC, doc.slice(0, at + BEGIN.length) + "\n" + render(results, ms) + "\n" + doc.slice(end));
  console.log(`wrote ${results.length} results into docs/reliability.md (raw: ${out})`);
}

function render(results: Result[], ms: number): string {
  const sorted = [...results].sort((a, b) => a.suite.localeCompare(b.suite));
  const lines = [
    `Each suite's newest ${[...new Set(sorted.map((r) => r.mode))].join("/")}-mode run, ${span(sorted)}, on ${cpus().length} cores` +
      `${ms ? `, ${(ms / 60_000).toFixed(1)} min in all` : ""}; a seed replays its suite (\`LIFEBOAT_RELIABILITY_SEED\`).`,
    "",
    "| suite | a trial | trials | failures | seed | notes |",
    "| --- | --- | ---: | ---: | ---: | --- |",
  ];
  for (const r of sorted) {
    const notes = (r.details ?? []).join("; ").replace(/\|/g, "\\|").replace(/\n/g, " ");
    lines.push(`| ${r.suite} | ${r.what} | ${r.trials} | ${r.failures} | ${r.seed ?? ""} | ${notes} |`);
  }
  const total = sorted.reduce((n, r) => n + r.trials, 0);
  const failed = sorted.reduce((n, r) => n + r.failures, 0);
  lines.push("", `${total} trials, ${failed} failures.`);
  return lines.join("\n");
}

/** span is the time range the results were made in (UTC, to the minute). */
function span(results: Result[]): string {
  const times = results.map((r) => r.time).sort();
  const fmt = (t: string | undefined) => (t ?? "?").slice(0, 16).replace("T", " ");
  return times.length > 1 && fmt(times[0]) !== fmt(times.at(-1)) ? `${fmt(times[0])} to ${fmt(times.at(-1))} UTC` : `${fmt(times[0])} UTC`;
}

main();
