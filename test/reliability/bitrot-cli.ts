/**
 * @module test/reliability/bitrot-cli
 * The bit-rot trial through the real CLI, as a user would run it: `check --read-data --json`
 * exits 1 and names the object, `repair --json` exits 3 when something is lost (0 when not)
 * and reports exactly the expected loss, the follow-up commands make `check --read-data`
 * pass, and a backup of the same sources afterwards stores again what was lost and checks
 * clean. A damaged config gives one clean line naming it, exit 1, no stack trace.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { hashTree } from "../../src/testing/tree.ts";
import { assertNoStackTrace, assertSameEntries } from "../e2e/helpers.ts";
import { lb, lbOk, restoreHashes, type RunResult } from "../e2e/_spawn.ts";
import type { Damage, Expected } from "./bitrot-damage.ts";
import { assertOpenNamesKey, assertReport, assertRestores, passwordFor, reportOfJson } from "./bitrot-trial.ts";
import type { World } from "./bitrot-world.ts";

function summary(r: RunResult): Record<string, unknown> {
  const line = r.stdout.trim().split("\n").find((l) => l.includes('"summary"'));
  assert.ok(line, `no JSON summary (exit ${r.code}): ${r.stdout.slice(0, 300)} ${r.stderr.slice(0, 300)}`);
  return JSON.parse(line) as Record<string, unknown>;
}

/** cliTrial runs a whole trial through spawned CLI processes. */
export async function cliTrial(w: World, d: Damage, want: Expected, heal: boolean): Promise<void> {
  if (d.kind === "config") {
    for (const args of [["check", "--read-data"], ["repair"]]) {
      const r = await lb(w.env, args);
      assert.equal(r.code, 1, `${args[0]} with a damaged config: ${r.stderr}`);
      assertNoStackTrace(r.stderr);
      assert.match(r.stderr, /^lifeboat: repository config at .* is damaged/, args[0]);
    }
    return;
  }
  if (d.kind === "key") await assertOpenNamesKey(w, d);
  const pw = passwordFor(w, d);
  const as = [`--password-file`, [...w.passwordFiles].find(([name]) => w.keys.get(name) === pw)![1]];
  const run = (args: string[]) => lb(w.env, [...as, ...args]);
  const checked = await run(["--json", "check", "--read-data"]);
  assert.equal(checked.code, 1, `check exit code: ${checked.stderr}`);
  assertNoStackTrace(checked.stderr);
  const errors = summary(checked).errors as { object: string }[];
  assert.ok(errors.some((e) => e.object.includes(d.id)), `check --json names ${d.id.slice(0, 12)}: ${JSON.stringify(errors.slice(0, 3))}`);
  const repaired = await run(["--json", "repair"]);
  assertNoStackTrace(repaired.stderr);
  const report = reportOfJson(summary(repaired));
  assertReport(report, want);
  assert.equal(repaired.code, report.lost ? 3 : 0, `repair exit code: ${repaired.stderr}`);
  await lbOk(w.env, [...as, "repair", "snapshots", "--forget"]);
  if (d.kind === "record") await lbOk(w.env, [...as, "repair", "records"]);
  if (d.kind === "key") await lbOk(w.env, [...as, "key", "remove", d.id.slice(0, 12)]);
  const clean = await run(["check", "--read-data"]);
  assert.equal(clean.code, 0, `check after repair: ${clean.stderr}`);
  await assertRestores(w, d, want, pw);
  // restoreHashes opens with the first password, which a key trial may have removed.
  if (heal && d.kind !== "key") await assertHeals(w, as);
}

/**
 * assertHeals: backups of the same sources after repair store again what was lost (dedup
 * goes by the index, which no longer lists lost blobs), check passes, and the new path
 * snapshot restores identical to the folder.
 */
async function assertHeals(w: World, as: string[]): Promise<void> {
  const r = await lbOk(w.env, [...as, "--json", "backup", w.files]);
  await lbOk(w.env, [...as, "--config", w.configFile, "backup"]);
  const clean = await lb(w.env, [...as, "check", "--read-data"]);
  assert.equal(clean.code, 0, `check after the healing backups: ${clean.stderr}`);
  const id = summary(r).snapshot_id as string;
  const got = await restoreHashes(w.env.repo, [id], w.files, join(w.env.dir, "heal"));
  assertSameEntries(got.get(id)!, await hashTree(w.files));
}
