/**
 * @module test/reliability/bitrot.test
 * Issue 9, bit rot: each trial flips 1..8 random bytes of one random object of a real
 * repository (packs, index, snapshots, signed records, key files, config) made by the CLI.
 * `check --read-data` must fail and name that object, every time. `lifeboat repair` must
 * then report exactly what the flipped bytes destroyed (derived independently from the
 * pristine layout), the follow-up repairs must leave a repository that checks clean, and
 * every snapshot must restore what it held minus exactly the reported paths. A damaged
 * config, which nothing can rebuild, must give a clear error naming it. Most trials run
 * in-process; every CLI_EVERY-th runs the CLI, and every other one of those then backs the
 * same sources up again, which must store the lost data anew and check clean. The
 * repository is reset from a pristine copy between trials. Failures are collected,
 * recorded, then asserted. Two fixed cases follow: a backup after repair stores a lost
 * file again, and an agent snapshot that lost its database restores its other items.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pick, recordResult, rng, SEED, trials } from "./record.ts";
import { damage, describe as describeDamage, expected, type Kind } from "./bitrot-damage.ts";
import { cliTrial } from "./bitrot-cli.ts";
import { libraryTrial } from "./bitrot-trial.ts";
import { createWorld, resetRepo, type World } from "./bitrot-world.ts";
import { flipByte, packPath } from "../e2e/helpers.ts";
import { lb, lbOk } from "../e2e/_spawn.ts";

// CLI start-up (~0.5 s a command, 6-10 commands a trial) would dominate: one trial in six goes
// through the CLI, and every other one of those also backs up again (3 more commands).
const CLI_EVERY = 6;

describe("bit rot", { timeout: 3_600_000 }, () => {
  let w: World;

  before(async () => {
    w = await createWorld();
  });

  after(() => w?.close());

  it("every flipped byte is detected and named; repair reports exactly what is lost and checks clean", async () => {
    const n = trials(30, 200);
    const r = rng(SEED + 9);
    const started = Date.now();
    const failures: string[] = [];
    const kinds = new Map<Kind, number>();
    for (let i = 0; i < n; i++) {
      await resetRepo(w);
      const d = await damage(w.env.repo, r);
      kinds.set(d.kind, (kinds.get(d.kind) ?? 0) + 1);
      const viaCli = i % CLI_EVERY === CLI_EVERY - 1;
      const heal = i % (2 * CLI_EVERY) === CLI_EVERY - 1;
      try {
        const want = expected(w, d);
        if (viaCli) await cliTrial(w, d, want, heal);
        else await libraryTrial(w, d, want);
      } catch (err) {
        failures.push(`trial ${i} (seed ${SEED}, ${describeDamage(d)}${viaCli ? ", CLI" : ""}): ${(err as Error).message.slice(0, 1500)}`);
      }
    }
    const mix = [...kinds].map(([k, c]) => `${k} ${c}`).join(", ");
    await recordResult({
      suite: "bitrot", trials: n, failures: failures.length, seed: SEED, ms: Date.now() - started,
      what: "flip 1-8 random bytes of one random object (pack, index, snapshot, record, key, config); check --read-data fails naming it; repair reports exactly the lost blobs and paths; after repair check passes and the rest restores identical",
      details: [`objects damaged: ${mix}; ${Math.floor(n / CLI_EVERY)} trial(s) through the CLI`, ...failures.slice(0, 5)],
    });
    assert.deepEqual(failures, [], `${failures.length} of ${n} trials failed (seed ${SEED})`);
    assert.ok(n < 20 || kinds.size >= 5, `damage reached only ${mix}`);
  });

  it("a backup after repair stores a lost file again", async () => {
    await resetRepo(w);
    // The pack holding the first blob of large.bin in the newest path snapshot: one byte in that blob.
    const layout = w.snapshots.filter((s) => s.agent === undefined).at(-1)!;
    const large = findPath(layout.nodes, `${w.files}/large.bin`);
    const blob = large.blobs[0]!;
    const [packId, located] = [...w.packs].flatMap(([p, bs]) => bs.filter((b) => b.id === blob).map((b) => [p, b] as const))[0]!;
    await flipByte(packPath(w.env.repo, packId), located.offset + pick(rng(SEED), located.length));
    const repaired = await lb(w.env, ["--json", "repair"]);
    assert.equal(repaired.code, 3, repaired.stderr);
    assert.match(repaired.stdout, new RegExp(`"path":"${w.files}/large.bin"`));
    await lbOk(w.env, ["repair", "snapshots", "--forget"]);
    const again = JSON.parse((await lbOk(w.env, ["--json", "backup", w.files])).stdout.trim().split("\n").at(-1)!) as { blobs_new: number; files_new: number; files_changed: number };
    assert.ok(again.blobs_new >= 1, `the lost blob is stored again: ${JSON.stringify(again)}`);
    const clean = await lb(w.env, ["check", "--read-data"]);
    assert.equal(clean.code, 0, clean.stderr);
  });

  it("an agent snapshot repaired without its lost database still restores its other items with --agent", async () => {
    await resetRepo(w);
    const layout = w.snapshots.filter((s) => s.agent !== undefined).at(-1)!;
    const db = findPath(layout.nodes, "/messages/messages.db");
    const blob = db.blobs.at(-1)!;
    const [packId, located] = [...w.packs].flatMap(([p, bs]) => bs.filter((b) => b.id === blob).map((b) => [p, b] as const))[0]!;
    await flipByte(packPath(w.env.repo, packId), located.offset + 5);
    const repaired = await lb(w.env, ["--json", "repair"]);
    assert.equal(repaired.code, 3, repaired.stderr);
    assert.match(repaired.stdout, /"items":\["messages"\]/);
    await lbOk(w.env, ["repair", "snapshots", "--forget"]);
    const target = join(w.env.dir, "agent-after-repair");
    const res = await lb(w.env, ["--config", w.configFile, "restore", "latest", "--agent", "wren", "--target", target]);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /workspace \[files, identity\]/);
    assert.doesNotMatch(res.stdout, /messages \[sqlite/, "the lost database item is skipped, not restored");
    assert.equal(await readFile(join(target, "SOUL.md"), "utf8"), "# soul\nkind, brief\n");
  });
});

function findPath(nodes: World["snapshots"][number]["nodes"], path: string): World["snapshots"][number]["nodes"][number] {
  for (const n of nodes) {
    if (n.path === path) return n;
    if (path.startsWith(`${n.path}/`)) return findPath(n.children, path);
  }
  throw new Error(`${path} is not in the snapshot`);
}
