/**
 * @module restore/agent
 * Restores an agent from a snapshot: plan (secrets, config, databases, files), refuse if
 * the agent runs (or stop it with stopAgent), take a pre-restore safety snapshot of what
 * would be overwritten, then stage → verify → swap each item, restore PostgreSQL into its
 * database and check row counts, rewrite absolute paths when the root moved. Any failure
 * rolls the swapped items back.
 */
import { LifeboatError } from "../errors/index.ts";
import type { AgentConfig, Item, PostgresItem } from "../model/agent.ts";
import type { Snapshot } from "../model/index.ts";
import type { Repository } from "../repository/repository.ts";
import { restorePostgres } from "../sources/postgres.ts";
import { runCommand } from "../agent/hooks.ts";
import { pathRewritesFor } from "../agent/presets/index.ts";
import { rewritePaths } from "../agent/rewrite.ts";
import { findLiveSigns } from "./live.ts";
import { describePlan, planRestore, type PlannedItem } from "./plan.ts";
import { findNode, nodeContent } from "./stream.ts";
import { discardOld, removeStaged, rollback, stageItem, swapIn, verifyStaged, type Staged, type Swapped } from "./swap.ts";
import { safetySnapshot } from "./safety.ts";

export interface AgentRestoreOptions {
  target?: string | undefined;
  only?: string[] | undefined;
  skip?: string[] | undefined;
  dryRun?: boolean;
  /** Run the configured stop command first and start after. */
  stopAgent?: boolean;
  /** The agent's current configuration, if any (pid files, status/stop/start, PostgreSQL connection). */
  config?: AgentConfig | undefined;
  /**
   * Re-reads the configuration after the secrets are back: a preset may take its database
   * connection from the agent's .env, which a restore onto a wiped machine has only just written.
   */
  reloadConfig?: () => Promise<AgentConfig | undefined>;
  signal?: AbortSignal | undefined;
  onItem?(line: string): void;
}

export interface RestoredItem {
  name: string;
  dest: string;
  verified: string;
}

export interface AgentRestoreResult {
  plan: string[];
  dryRun: boolean;
  items: RestoredItem[];
  preRestoreSnapshot: string | null;
  notes: string[];
}

export async function restoreAgent(repo: Repository, snapshot: Snapshot, o: AgentRestoreOptions): Promise<AgentRestoreResult> {
  const m = snapshot.manifest;
  if (!m) throw new LifeboatError(`snapshot ${snapshot.id?.slice(0, 8)} is not an agent snapshot`, { hint: "restore it with --target instead of --agent" });
  const plan = planRestore(m, o);
  const result: AgentRestoreResult = { plan: describePlan(plan), dryRun: !!o.dryRun, items: [], preRestoreSnapshot: null, notes: [] };
  if (o.dryRun) return result;
  const root = o.target ?? m.root;
  await ensureNotLive(root, plan, o);
  try {
    result.preRestoreSnapshot = await safetySnapshot(repo, m, plan, root, o);
    await restoreItems(repo, snapshot, plan, o, result);
    if (root !== m.root) await rewriteMovedPaths(m.preset, m.root, root, result);
  } finally {
    if (o.stopAgent && o.config?.start) await runCommand(o.config.start, { cwd: root, timeoutMs: 120_000 });
  }
  for (const p of plan) if (p.relocated) result.notes.push(`${p.manifest.name} was outside the agent root; restored to ${p.dest}: move it by hand`);
  return result;
}

/** rewriteMovedPaths fixes the absolute paths the preset knows about and lists the others. */
async function rewriteMovedPaths(preset: string, oldRoot: string, newRoot: string, result: AgentRestoreResult): Promise<void> {
  const r = await rewritePaths(newRoot, pathRewritesFor(preset), oldRoot, newRoot);
  for (const f of r.rewritten) result.notes.push(`rewrote paths from ${oldRoot} to ${newRoot} in ${f}`);
  for (const f of r.failed) result.notes.push(`could not rewrite paths in ${f.file} (${f.error}): check it by hand`);
  if (r.otherAbsolutePaths.length > 0) {
    result.notes.push(`other absolute paths under the old root remain (check them): ${r.otherAbsolutePaths.slice(0, 10).join(", ")}${r.otherAbsolutePaths.length > 10 ? ", ..." : ""}`);
  }
}

async function ensureNotLive(root: string, plan: PlannedItem[], o: AgentRestoreOptions): Promise<void> {
  const check = () => findLiveSigns({
    root, pidFiles: o.config?.pidFiles ?? [], status: o.config?.status, signal: o.signal,
    sqlitePaths: plan.filter((p) => p.manifest.kind === "sqlite").map((p) => p.dest),
  });
  let signs = await check();
  if (signs.length > 0 && o.stopAgent) {
    if (!o.config?.stop) throw new LifeboatError("--stop-agent needs a `stop` command in the agent's config");
    const r = await runCommand(o.config.stop, { cwd: root, timeoutMs: 120_000, signal: o.signal });
    if (r.code !== 0) throw new LifeboatError(`stop command "${o.config.stop}" failed (exit ${r.code}): ${r.output.trim().split("\n").at(-1) ?? ""}`);
    signs = await check();
  }
  if (signs.length > 0) {
    throw new LifeboatError(`refusing to restore into a running agent: ${signs.join("; ")}`, {
      hint: "stop the agent first, or pass --stop-agent with stop/start commands in lifeboat.yaml; nothing was changed",
    });
  }
}

/**
 * restoreItems swaps the items in plan order. Files and folders are staged and verified one
 * item after another in the background, beside their destinations and touching nothing
 * live; PostgreSQL databases load as soon as the secrets and config before them are in place
 * (a preset may read the connection from the restored .env), alongside the rest. On the bench
 * agent the 106 MB dump's load and the 270 MB of files took about as long each (issue 4).
 */
async function restoreItems(repo: Repository, snapshot: Snapshot, plan: PlannedItem[], o: AgentRestoreOptions, result: AgentRestoreResult): Promise<void> {
  const done: Swapped[] = [];
  const stop = new AbortController();
  const signal = o.signal ? AbortSignal.any([o.signal, stop.signal]) : stop.signal;
  const staged = new Map<PlannedItem, Promise<{ staged: Staged; verified: string }>>();
  let chain: Promise<unknown> = Promise.resolve();
  for (const p of plan.filter((x) => x.manifest.kind !== "postgres")) {
    const s = chain.then(() => stageVerified(repo, snapshot, p, signal));
    s.catch(() => undefined); // awaited in plan order below
    staged.set(p, s);
    chain = s.catch(() => undefined);
  }
  const restored: (RestoredItem | undefined)[] = plan.map(() => undefined);
  const loads: Promise<void>[] = [];
  let loading = false;
  const startDatabases = async () => {
    if (loading) return;
    loading = true;
    const config = (await o.reloadConfig?.()) ?? o.config;
    plan.forEach((p, i) => {
      if (p.manifest.kind !== "postgres") return;
      const load = (async () => {
        const folder = await itemFolder(repo, snapshot, p, signal);
        restored[i] = await restoreDatabase(repo, p, (await repo.loadTree(folder, signal)).nodes[0], { ...o, signal, config });
      })();
      load.catch((err: unknown) => stop.abort(err)); // stops the staging at once; reported below
      loads.push(load);
    });
  };
  try {
    for (const [i, p] of plan.entries()) {
      if (p.manifest.class === "database" || p.manifest.kind === "postgres") await startDatabases();
      if (p.manifest.kind === "postgres") continue;
      const { staged: s, verified } = await staged.get(p)!;
      const others = plan.filter((x) => x !== p && x.manifest.kind !== "postgres").map((x) => x.dest);
      done.push(await swapIn(p, s, others));
      restored[i] = { name: p.manifest.name, dest: p.dest, verified };
      o.onItem?.(`restored ${p.manifest.name} → ${p.dest} (${verified})`);
    }
    await startDatabases();
    await Promise.all(loads);
    result.items.push(...restored.filter((r): r is RestoredItem => r !== undefined));
  } catch (err) {
    // A failed load aborted the rest first: its error, not the abort it caused, is the cause.
    const cause: unknown = stop.signal.aborted ? stop.signal.reason : err;
    stop.abort(err);
    await Promise.allSettled(loads);
    await chain;
    // Staged but never swapped in: removed (a swapped item's staging is already gone).
    await Promise.all([...staged.values()].map((s) => s.then((x) => removeStaged(x.staged), () => undefined)));
    await rollback(done);
    throw cause;
  }
  await discardOld(done);
}

async function itemFolder(repo: Repository, snapshot: Snapshot, p: PlannedItem, signal: AbortSignal): Promise<string> {
  const folder = await findNode(repo, snapshot.tree, p.manifest.name, signal);
  if (!folder?.subtree) throw new LifeboatError(`snapshot has no data for item ${p.manifest.name}`);
  return folder.subtree;
}

/** stageVerified restores one item beside its destination and proves it; a failed proof removes the staging. */
async function stageVerified(repo: Repository, snapshot: Snapshot, p: PlannedItem, signal: AbortSignal): Promise<{ staged: Staged; verified: string }> {
  const folder = await itemFolder(repo, snapshot, p, signal);
  const entry = (await repo.loadTree(folder, signal)).nodes[0];
  if (!entry) throw new LifeboatError(`item ${p.manifest.name} is empty in the snapshot`);
  const staged = await stageItem(repo, folder, entry.name, p, signal);
  try {
    return { staged, verified: await verifyStaged(p, staged) };
  } catch (err) {
    await removeStaged(staged);
    throw err;
  }
}

async function restoreDatabase(repo: Repository, p: PlannedItem, dump: import("../model/index.ts").Node | undefined, o: AgentRestoreOptions): Promise<RestoredItem> {
  if (!dump) throw new LifeboatError(`item ${p.manifest.name}: the snapshot holds no dump`);
  const item = pgItemFor(p, o.config);
  // The comparison runs inside the load's transaction: a mismatch rolls the load back.
  const m = p.manifest;
  const expect = { rowCounts: m.rowCounts ?? {}, ...(m.tableHashes ? { tableHashes: m.tableHashes, tableHashScheme: m.tableHashScheme } : {}) };
  await restorePostgres(item, nodeContent(repo, dump, o.signal), { signal: o.signal, expect });
  const tables = Object.keys(p.manifest.rowCounts ?? {}).length;
  const verified = `row counts${p.manifest.tableHashes ? " and checksums" : ""} of ${tables} table(s) equal`;
  o.onItem?.(`restored ${p.manifest.name} → database ${item.database} (${verified})`);
  return { name: p.manifest.name, dest: `postgres:${item.database}`, verified };
}

/** pgItemFor is how to reach the server: the configured item's connection, else libpq's defaults (PGHOST, ...). */
export function pgItemFor(p: PlannedItem, config: AgentConfig | undefined): PostgresItem {
  const configured = config?.items.find((i: Item) => i.name === p.manifest.name && i.kind === "postgres") as PostgresItem | undefined;
  return configured ?? { name: p.manifest.name, kind: "postgres", class: "database", database: p.dest };
}
