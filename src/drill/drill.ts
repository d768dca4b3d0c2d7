/**
 * @module drill/drill
 * `lifeboat drill`: restore a snapshot into a fresh sandbox the way a recovery would, prove
 * every item (hashes against the manifest, SQLite integrity and every row read, PostgreSQL
 * loaded into a scratch database and compared table by table, JSON parsed, secrets hashed
 * in memory), ask the preset whether the agent would start, and time it all. The agent's
 * own files and databases are never touched: everything lands in the sandbox or a scratch
 * database, and both are removed afterwards unless --keep.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { pathRewritesFor } from "../agent/presets/index.ts";
import { rewritePaths } from "../agent/rewrite.ts";
import { describeError, isAbortError, LifeboatError } from "../errors/index.ts";
import type { AgentConfig } from "../model/agent.ts";
import type { Snapshot } from "../model/index.ts";
import type { Repository } from "../repository/repository.ts";
import { planRestore, type PlannedItem } from "../restore/plan.ts";
import { presetHealth } from "./health.ts";
import { proveItem } from "./items.ts";
import { dropScratch, scratchName, type ScratchDatabase } from "./scratch.ts";
import type { DrillItem, DrillReport } from "./types.ts";

export interface DrillOptions {
  /** Where the sandbox folder is made (default: the system's temp folder). */
  sandboxParent?: string | undefined;
  keep?: boolean | undefined;
  /** The agent's configuration, for its PostgreSQL connection; absent on a new machine. */
  config?: AgentConfig | undefined;
  fromScratch?: boolean;
  signal?: AbortSignal | undefined;
  onItem?(item: DrillItem): void;
}

/** runDrill proves that `snapshot` restores. The caller holds a lock. */
export async function runDrill(repo: Repository, snapshot: Snapshot, o: DrillOptions = {}): Promise<DrillReport> {
  const m = snapshot.manifest;
  if (!m) throw new LifeboatError(`snapshot ${snapshot.id?.slice(0, 8)} is not an agent snapshot`, { hint: "drill an agent snapshot: `lifeboat drill --agent NAME`" });
  const started = Date.now();
  // Reading the index is part of getting the agent back: it counts in the recovery time.
  await repo.loadIndex({ signal: o.signal });
  const sandbox = await mkdtemp(join(o.sandboxParent ?? tmpdir(), `lifeboat-drill-${m.agent}-`));
  const root = join(sandbox, "root");
  const tag = randomBytes(3).toString("hex");
  const databases: ScratchDatabase[] = [];
  const report: DrillReport = {
    agent: m.agent, snapshot: snapshot.id!, snapshotTime: snapshot.time, host: hostname(), ok: false, fromScratch: o.fromScratch === true,
    time: new Date(started).toISOString(), recoveryMs: 0, cleanupMs: 0, items: [], health: [], warnings: [], sandbox: null, databases: [],
  };
  try {
    const plan = planRestore(m, { target: root });
    const others = plan.filter((p) => p.manifest.kind !== "postgres" && !p.manifest.secret).map((p) => p.dest);
    const ctx = { repo, tree: snapshot.tree, others, config: o.config, signal: o.signal, scratchDatabase: (p: PlannedItem) => {
      const database = scratchName(tag, p.manifest.name);
      databases.push({ database, item: p });
      return database;
    } };
    // Databases load in the PostgreSQL server while the files are restored and hashed here:
    // the two lines run side by side. Within each line, items keep the restore order.
    const prove = async (items: PlannedItem[]) => {
      const out: DrillItem[] = [];
      for (const p of items) {
        out.push(await timed(p, () => proveItem(ctx, p), report.warnings));
        o.onItem?.(out.at(-1)!);
      }
      return out;
    };
    const pg = (p: PlannedItem) => p.manifest.kind === "postgres";
    // allSettled: both lines must have stopped before the sandbox is removed (an abort ends both).
    const lines = await Promise.allSettled([prove(plan.filter(pg)), prove(plan.filter((p) => !pg(p)))]);
    for (const l of lines) if (l.status === "rejected") throw l.reason;
    const done = lines.flatMap((l) => (l.status === "fulfilled" ? l.value : []));
    report.items = plan.map((p) => done.find((d) => d.name === p.manifest.name)!);
    await rewriteInto(m.preset, m.root, root, report.warnings);
    report.health = await presetHealth(m, root, plan).catch((err: unknown) => {
      if (isAbortError(err)) throw err;
      return [{ check: "preset", ok: false, detail: `the health check failed: ${describeError(err)}` }];
    });
    report.recoveryMs = Date.now() - started;
    report.ok = report.items.every((i) => i.ok) && report.health.every((h) => h.ok);
    const first = report.items.find((i) => !i.ok)?.error ?? report.health.find((h) => !h.ok)?.detail;
    if (first) report.error = first;
  } finally {
    const t = Date.now();
    if (o.keep) {
      report.sandbox = sandbox;
      report.databases = databases.map((d) => d.database);
    } else {
      await rm(sandbox, { recursive: true, force: true });
      for (const db of await dropScratch(databases, o.config)) report.warnings.push(`could not drop scratch database ${db}: drop it by hand`);
    }
    report.cleanupMs = Date.now() - t;
  }
  return report;
}

/** timed proves one item; a failure is the item's result, not the drill's end (the rest are still proven). */
async function timed(p: PlannedItem, fn: () => Promise<{ checks: string[]; restoredTo: string; warnings: string[] }>, warnings: string[]): Promise<DrillItem> {
  const t = Date.now();
  const base = { name: p.manifest.name, kind: p.manifest.kind, class: p.manifest.class };
  try {
    const r = await fn();
    warnings.push(...r.warnings);
    return { ...base, ok: true, ms: Date.now() - t, checks: r.checks, restoredTo: r.restoredTo };
  } catch (err) {
    if (isAbortError(err)) throw err;
    return { ...base, ok: false, ms: Date.now() - t, checks: [], restoredTo: "", error: describeError(err) };
  }
}

/** rewriteInto points the preset's absolute paths at the sandbox, as a restore to a new root does. */
async function rewriteInto(preset: string, oldRoot: string, root: string, warnings: string[]): Promise<void> {
  const r = await rewritePaths(root, pathRewritesFor(preset), oldRoot, root);
  for (const f of r.failed) warnings.push(`could not rewrite paths in ${f.file}: ${f.error}`);
}
