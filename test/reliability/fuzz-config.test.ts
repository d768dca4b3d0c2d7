/**
 * @module test/reliability/fuzz-config.test
 * Issue 9, fuzzing lifeboat.yaml. The seed is the documented example (docs/config.md) with
 * the schedule and notify examples added, loaded once to prove it valid. Inputs mutate its
 * text (bytes, YAML oddities spliced in: alias bombs, unknown tags, merge keys, duplicate
 * keys, tabs, deep flow nesting) or its structure (wrong types, missing and unknown keys),
 * written back as block YAML or as JSON (YAML's flow subset). parseConfig must return a
 * config or throw a ConfigError. A few refused files then go through the real CLI, which
 * must print one `file:line:col` line, exit 1, and show no stack trace.
 */
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse, stringify } from "yaml";
import { parseConfig } from "../../src/config/index.ts";
import { LifeboatError } from "../../src/errors/index.ts";
import { assertCleanFailure, createWorkspace, PROJECT_ROOT, runCli, type Workspace } from "../e2e/helpers.ts";
import { fuzz, report, type Target } from "./fuzz-kit.ts";
import { jsonText, mutateBytes, mutateValue, type Rand } from "./fuzz-mutate.ts";
import { LONG, pick, recordResult, SEED, trials } from "./record.ts";

/** The long run (npm run reliability) takes as long as its trial counts need. */
const LONG_TIMEOUT = 6 * 3_600_000;

const N = trials(400, 15_000);
const CLI_CASES = trials(6, 30);

const EXTRA = `
schedule:
  time_zone: Europe/Berlin
  jobs:
    - { name: hourly-backup, job: backup, cron: "0 * * * *", agent: wren }
    - { name: retention, job: forget, cron: "30 3 * * *", keep: { hourly: 24, daily: 7 } }
notify:
  notifiers:
    - { name: ops, kind: webhook, url: "https://hooks.example.com/lifeboat", timeout: 10s }
    - { name: phone, kind: telegram, token_file: /etc/lifeboat/telegram-token, chat_id: "-1001234567890" }
  routes: { drift_found: [ops, phone] }
`;

/** YAML constructs a parser may trip over, spliced in at a line start. */
const ODDITIES = [
  "a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c]\n",
  "x: !!js/function 'function(){}'\n", "x: !!binary aGVsbG8=\n", "x: !custom {a: 1}\n", "<<: *undefined_anchor\n",
  "base: &base { name: dup, preset: openclaw, root: /x }\nmerged: { <<: *base, <<: *base }\n", "agents: []\nagents: []\n",
  "\tagents: []\n", "? [complex, key]\n: value\n", "%YAML 1.1\n---\n", "--- !!set\n? a\n", "x: 0x7fffffffffffffffffff\n",
  "x: .nan\ny: -.inf\n", "\"unterminated: \n", "x: |\n  a\n b\n", "\uFEFF\u0000\u0085\u2028\n",
];

function seedText(docs: string): string {
  const m = /```yaml\n([\s\S]*?)```/.exec(docs);
  assert.ok(m, "docs/config.md has its yaml example");
  return m[1]! + EXTRA;
}

function mutateConfig(r: Rand, text: string, doc: unknown): { text: string; how: string } {
  const roll = r();
  if (roll < 0.3) {
    const m = mutateBytes(r, Buffer.from(text));
    return { text: m.value.toString("utf8"), how: `bytes:${m.how}` };
  }
  if (roll < 0.45) {
    const lines = text.split("\n");
    const at = pick(r, lines.length + 1);
    const odd = ODDITIES[pick(r, ODDITIES.length)]!;
    lines.splice(at, 0, odd);
    return { text: lines.join("\n"), how: `oddity@${at}:${JSON.stringify(odd.slice(0, 24))}` };
  }
  const m = mutateValue(r, doc);
  const json = jsonText(r, m.value);
  const asJson = r() < 0.4 || json.length > 100_000;
  return { text: asJson ? json : stringify(m.value), how: `${asJson ? "json" : "yaml"}:${m.how}` };
}

interface Input { text: string; how: string }

function configTarget(seed: string): Target<Input> {
  const doc = parse(seed) as unknown;
  return {
    suite: "fuzz-config", what: "mutated lifeboat.yaml (bytes, YAML oddities, wrong types as YAML or JSON) through parseConfig: a config or a ConfigError",
    make: (r) => mutateConfig(r, seed, doc),
    label: (i) => i.how,
    run: (i) => parseConfig(i.text, "/srv/fuzz/lifeboat.yaml", { home: "/home/fuzz" }),
    check(v) {
      const c = v as ReturnType<typeof parseConfig>;
      if (!Array.isArray(c.agents) || !c.agents.every((a) => typeof a.name === "string")) return "agents";
      return typeof c.notify === "object" && c.notify !== null ? null : "notify";
    },
    accept: (err) => err instanceof LifeboatError && err.name === "ConfigError",
    // The yaml parser is linear in nesting, ~10 µs a level here: 200,000 levels of [ (400 KB)
    // took 2.1 s. A hang would not finish; 5 s leaves room for a loaded CI machine.
    timeLimitMs: 5000,
  };
}

describe("fuzzing lifeboat.yaml", { timeout: LONG ? LONG_TIMEOUT : 600_000 }, () => {
  let seed: string;
  let ws: Workspace;
  const cases: Input[] = [];

  before(async () => {
    seed = seedText(await readFile(join(PROJECT_ROOT, "docs", "config.md"), "utf8"));
    parseConfig(seed, "/srv/fuzz/lifeboat.yaml", { home: "/home/fuzz" }); // the seed itself is valid
    ws = await createWorkspace({ init: false });
  });
  after(() => ws?.cleanup());

  it(`parseConfig: ${N} inputs, each a config or a ConfigError`, async () => {
    const t = configTarget(seed);
    // Keep the texts of refused inputs for the CLI cases below (the harness only counts them).
    const run = t.run;
    t.run = (i) => { try { return run(i); } catch (err) { if (cases.length < CLI_CASES && err instanceof LifeboatError) cases.push(i); throw err; } };
    await report(t, N, await fuzz(t, N));
  });

  it(`the CLI: ${CLI_CASES} refused files each give one file:line:col line, exit 1, no stack trace`, async () => {
    const failures: string[] = [];
    const seen: string[] = [];
    for (const [i, c] of cases.entries()) {
      const file = join(ws.dir, `fuzz-${i}.yaml`);
      await writeFile(file, c.text);
      const res = await runCli(["--config", file, ...(i % 3 === 2 ? ["--json"] : []), "snapshots"], { env: { HOME: ws.dir } });
      if (seen.length < 3 && i % 3 !== 2) seen.push(res.stderr.trim().slice(0, 160));
      try {
        if (i % 3 === 2) {
          assert.equal(res.code, 1);
          const err = JSON.parse(res.stderr) as { exit_code: number; error: string };
          assert.equal(err.exit_code, 1);
          assert.match(err.error, new RegExp(`fuzz-${i}\\.yaml:\\d+:\\d+: `));
        } else assertCleanFailure(res, 1, new RegExp(`fuzz-${i}\\.yaml:\\d+:\\d+: `));
      } catch (err) {
        failures.push(`case ${i} (${c.how}): ${(err as Error).message.split("\n")[0]}`);
      }
    }
    await recordResult({
      suite: "fuzz-config-cli", what: "refused lifeboat.yaml files through `lifeboat --config F snapshots`: one file:line:col line, exit 1, no stack trace",
      trials: cases.length, failures: failures.length, details: [...failures.slice(0, 5), ...seen.map((l) => `e.g. ${l}`)], seed: SEED,
    });
    assert.equal(cases.length, CLI_CASES, "enough refused inputs to try");
    assert.deepEqual(failures, [], `seed ${SEED}`);
  });
});
