/**
 * @module test/reliability/concurrency
 * Issue 9, concurrency: four `lifeboat backup --agent NAME` processes (OpenClaw, NanoClaw,
 * Hermes, a plain workspace) start at once into one repository with 64 KiB packs, sharing
 * one cache folder, while a fifth process runs `lifeboat check` over and over until they
 * are done; then `forget --keep-last 2` and `prune --grace 0s`. Every check must pass, every
 * backup must succeed, `check --read-data` must pass after the prune, and every snapshot left
 * (this round's and the previous round's) must restore to exactly what its agent held.
 *
 * Each round adds a fresh file of random bytes to every agent (and deletes the previous
 * round's), so the backups upload packs side by side and the prune has data to drop.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { test } from "node:test";
import { createLocalBackend } from "../../src/backends/local/index.ts";
import type { ItemManifest } from "../../src/model/agent.ts";
import type { Snapshot } from "../../src/model/index.ts";
import { openRepository } from "../../src/repository/open.ts";
import { restore } from "../../src/restore/restore.ts";
import { verifySqliteFile } from "../../src/sources/sqlite.ts";
import { hermes, nanoclawV1, openclawFiles, workspace } from "../../src/testing/fixtures/index.ts";
import { hashTree, type HashedEntry } from "../../src/testing/tree.ts";
import { createAgentWorld, treeState, type AgentWorld, type TreeState } from "../e2e/agent-helpers.ts";
import { summaryOf } from "../e2e/helpers.ts";
import { pick, recordResult, rng, SEED, trials } from "./record.ts";

interface Agent {
  name: string;
  preset: string;
  root: string;
  /** Every folder the agent's items live in. */
  dirs: string[];
  /** A folder (relative to the root) one of its items captures: each round's new file goes there. */
  drop: string;
}

/** A committed snapshot and what its agent held when it was taken. */
interface Taken {
  agent: string;
  tree: TreeState;
}

async function makeAgents(w: AgentWorld): Promise<Agent[]> {
  const home = w.home;
  const agents: Agent[] = [
    { name: "wren", preset: "openclaw", root: join(home, "wren", ".openclaw"), dirs: [], drop: "workspace" },
    { name: "andy", preset: "nanoclaw", root: join(home, "nanoclaw"), dirs: [join(home, ".config", "nanoclaw")], drop: "groups/main" },
    { name: "hermes", preset: "hermes", root: join(home, ".hermes"), dirs: [], drop: "memories" },
    { name: "owl", preset: "workspace", root: join(home, "owl"), dirs: [], drop: "." },
  ];
  await openclawFiles(agents[0]!.root, { agents: 1, home });
  await nanoclawV1(agents[1]!.root, { home });
  await hermes(agents[2]!.root);
  await workspace(agents[3]!.root);
  for (const a of agents) a.dirs.unshift(a.root);
  await w.writeConfig(agents.map(({ name, preset, root }) => ({ name, preset, root })));
  return agents;
}

/** changeAgents replaces each agent's file of the previous round with a new one of random size. */
async function changeAgents(agents: Agent[], round: number, r: () => number): Promise<void> {
  for (const a of agents) {
    await rm(join(a.root, a.drop, `lb-rel-${round - 1}.bin`), { force: true });
    await writeFile(join(a.root, a.drop, `lb-rel-${round}.bin`), randomBytes(100_000 + pick(r, 400_000)));
  }
}

/** checkUntil runs `lifeboat check` at least once and again until `done` resolves; returns the failures. */
async function checkUntil(w: AgentWorld, done: Promise<unknown>): Promise<{ runs: number; failed: string[] }> {
  let finished = false;
  void done.finally(() => { finished = true; });
  const out = { runs: 0, failed: [] as string[] };
  do {
    const c = await w.cli(["check"]);
    out.runs++;
    if (c.code !== 0) out.failed.push(`check during the backups exited ${c.code}: ${c.stderr.trim().slice(0, 500)}`);
  } while (!finished);
  return out;
}

/**
 * compareItem checks one item of a restored agent snapshot: every entry restored under the
 * item equals what the agent held (content, mode, mtime, link target), every file the manifest
 * lists came back, and a database is the captured copy and passes integrity_check.
 */
async function compareItem(item: ItemManifest, restored: Map<string, HashedEntry>, before: TreeState, target: string, seen: Set<string>): Promise<string[]> {
  const base = `${item.name}/${basename(item.source)}`;
  if (item.kind === "sqlite") {
    const v = await verifySqliteFile(join(target, base));
    const sha = restored.get(base)?.sha256 === item.sha256[basename(item.source)];
    const rows = JSON.stringify(v.rowCounts) === JSON.stringify(item.rowCounts);
    return v.integrity === "ok" && sha && rows ? [] : [`${item.name}: integrity ${v.integrity}, sha256 ${sha ? "ok" : "differs"}, rows ${rows ? "ok" : "differ"}`];
  }
  if (item.kind !== "files" && item.kind !== "secret") return [];
  const problems: string[] = [];
  const single = before.get(item.source)?.type === "file";
  for (const [rel, e] of restored) {
    if (e.type === "dir" || (rel !== base && !rel.startsWith(`${base}/`))) continue;
    const src = single ? item.source : join(item.source, rel.slice(base.length + 1));
    seen.add(src);
    if (JSON.stringify(before.get(src)) !== JSON.stringify(e)) problems.push(`${item.name}: ${src} differs: want ${JSON.stringify(before.get(src))} got ${JSON.stringify(e)}`);
  }
  for (const [rel, sha] of Object.entries(item.sha256)) {
    const src = single ? item.source : join(item.source, rel);
    if (!seen.has(src)) problems.push(`${item.name}: ${src} is in the manifest but was not restored`);
    else if (before.get(src)?.sha256 !== sha) problems.push(`${item.name}: manifest sha256 of ${src} is not the file's`);
  }
  return problems;
}

/** assertAgentSnapshot restores `sn` with the library and compares it, item by item, with what its agent held. */
async function assertAgentSnapshot(w: AgentWorld, sn: Snapshot, before: TreeState, drop: string): Promise<void> {
  const repo = await openRepository(createLocalBackend(w.repo), w.password, { cacheDir: null });
  const target = join(w.dir, "verify");
  try {
    await repo.loadIndex();
    const res = await restore(repo, sn, { target });
    assert.deepEqual(res.errors, [], `snapshot ${sn.id!.slice(0, 8)} of ${sn.agent} restores without errors`);
    const restored = await hashTree(target);
    const seen = new Set<string>();
    const problems: string[] = [];
    for (const item of sn.manifest!.items) problems.push(...await compareItem(item, restored, before, target, seen));
    // The round's new file is in the snapshot: the backups really did upload side by side.
    const added = [...before.keys()].filter((p) => dirname(p) === drop && /^lb-rel-\d+\.bin$/.test(basename(p)));
    for (const p of added) if (!seen.has(p)) problems.push(`${p} was not captured`);
    assert.ok(added.length === 1 && problems.length === 0, `snapshot ${sn.id!.slice(0, 8)} of ${sn.agent}:\n  ${problems.slice(0, 10).join("\n  ")}`);
  } finally {
    await repo.close();
    await rm(target, { recursive: true, force: true });
  }
}

/** round runs the four backups beside the checks, then forget and prune, and proves what is left. */
async function round(w: AgentWorld, agents: Agent[], taken: Map<string, Taken>, i: number, r: () => number): Promise<number> {
  await changeAgents(agents, i, r);
  const trees = new Map(await Promise.all(agents.map(async (a) => [a.name, await treeState(...a.dirs)] as const)));
  const backups = Promise.all(agents.map((a) => w.cli(["backup", "--agent", a.name, "--json"])));
  const [results, checks] = await Promise.all([backups, checkUntil(w, backups)]);
  assert.deepEqual(checks.failed, [], "every check beside the backups passes");
  const failed: string[] = [];
  for (const [k, res] of results.entries()) {
    const name = agents[k]!.name;
    // Exit 3 still writes a snapshot: record it, so a failure does not also fail later rounds.
    const sum = res.stdout.includes('"summary"') ? summaryOf<{ agents: { snapshot_id?: string; errors: unknown[] }[] }>(res).agents[0] : undefined;
    if (sum?.snapshot_id) taken.set(sum.snapshot_id, { agent: name, tree: trees.get(name)! });
    if (res.code !== 0) failed.push(`backup of ${name} exited ${res.code}: ${res.stderr.trim()} ${JSON.stringify(sum?.errors ?? [])}`);
  }
  assert.deepEqual(failed, [], "every backup succeeds");
  await w.ok(["forget", "--keep-last", "2"]);
  await w.ok(["prune", "--grace", "0s"]);
  await w.ok(["check", "--read-data"]);

  const present = await w.fullSnapshots();
  const kept = new Set(agents.flatMap((a) => [...taken].filter(([, s]) => s.agent === a.name).slice(-2).map(([id]) => id)));
  assert.deepEqual(present.map((s) => s.id!).sort(), [...kept].sort(), "forget kept the two newest snapshots of each agent");
  for (const sn of present) {
    const drop = agents.find((a) => a.name === sn.agent)!;
    await assertAgentSnapshot(w, sn, taken.get(sn.id!)!.tree, join(drop.root, drop.drop));
  }
  for (const id of taken.keys()) if (!kept.has(id)) taken.delete(id);
  return checks.runs;
}

test("concurrency: four agent backups into one repository beside check, then forget and prune", { timeout: 1_800_000 }, async (t) => {
  const n = trials(2, 10);
  const r = rng(SEED + 5);
  const started = Date.now();
  const failures: string[] = [];
  let checks = 0;
  const w = await createAgentWorld({ init: false });
  try {
    await w.writeConfig([]);
    await w.ok(["init", "--pack-size", "64KiB"]);
    const agents = await makeAgents(w);
    const taken = new Map<string, Taken>();
    for (let i = 0; i < n; i++) {
      const t0 = Date.now();
      try {
        const runs = await round(w, agents, taken, i, r);
        checks += runs;
        t.diagnostic(`round ${i}: ${runs} check(s) beside the backups, ${Date.now() - t0} ms`);
      } catch (err) {
        failures.push(`round ${i} (seed ${SEED}): ${(err as Error).message.slice(0, 1500)}`);
      }
    }
  } finally {
    await w.cleanup();
  }
  await recordResult({
    suite: "concurrency", trials: n, failures: failures.length, seed: SEED, ms: Date.now() - started,
    what: "4 `backup --agent` processes at once into one repository while a 5th runs `check` repeatedly, then forget + prune; every check passes, check --read-data passes, every snapshot left restores identical",
    details: [`${checks} check run(s) beside the backups`, ...failures.slice(0, 5)],
  });
  assert.deepEqual(failures, [], `${failures.length} of ${n} rounds failed (seed ${SEED})`);
});
