/**
 * @module drill/items
 * Restores and proves one item inside the drill's sandbox. Files, SQLite databases and
 * command output go through the same stage → verify path as a real restore (restore/swap),
 * then their JSON is parsed. PostgreSQL dumps are loaded into a scratch database, never the
 * agent's own, and proven inside the load's transaction. Secrets are hashed in memory and
 * never written: a drill must not leave a plaintext copy of a key outside its home.
 */
import { createHash } from "node:crypto";
import { LifeboatError } from "../errors/index.ts";
import type { AgentConfig } from "../model/agent.ts";
import type { Node } from "../model/index.ts";
import type { Repository } from "../repository/repository.ts";
import { pgItemFor } from "../restore/agent.ts";
import type { PlannedItem } from "../restore/plan.ts";
import { findNode, nodeContent } from "../restore/stream.ts";
import { stageItem, swapIn, verifyStaged } from "../restore/swap.ts";
import { restorePostgres } from "../sources/pgrestore.ts";
import { parseCheck } from "./parsecheck.ts";

export interface ItemContext {
  repo: Repository;
  tree: string;
  /** Destinations of the other file items (a catch-all item must not swallow them). */
  others: string[];
  config?: AgentConfig | undefined;
  /** The scratch database for a PostgreSQL item. */
  scratchDatabase(p: PlannedItem): string;
  signal?: AbortSignal | undefined;
}

export interface ItemProof {
  checks: string[];
  restoredTo: string;
  warnings: string[];
}

export async function proveItem(ctx: ItemContext, p: PlannedItem): Promise<ItemProof> {
  const folder = await findNode(ctx.repo, ctx.tree, p.manifest.name, ctx.signal);
  if (!folder?.subtree) throw new LifeboatError(`snapshot has no data for item ${p.manifest.name}`);
  const entries = (await ctx.repo.loadTree(folder.subtree, ctx.signal)).nodes;
  const entry = entries[0];
  if (!entry) throw new LifeboatError(`item ${p.manifest.name} is empty in the snapshot`);
  if (p.manifest.kind === "postgres") return provePostgres(ctx, p, entry);
  if (p.manifest.secret) return proveSecret(ctx, p, entry);
  const staged = await stageItem(ctx.repo, folder.subtree, entry.name, p, ctx.signal);
  const checks = [await verifyStaged(p, staged, { tableHashes: true })];
  // Parsed in staging, where only this item's files are (a catch-all item's folder holds others once swapped).
  const parsed = await parseCheck(staged.path, ctx.signal);
  await swapIn(p, staged, ctx.others);
  if (parsed.failures.length > 0) throw new LifeboatError(`item ${p.manifest.name}: ${parsed.failures[0]}${parsed.failures.length > 1 ? ` (and ${parsed.failures.length - 1} more)` : ""}`);
  if (parsed.files > 0) checks.push(`${parsed.files} JSON/JSONL file(s) parse${parsed.lines ? ` (${parsed.lines} JSONL lines)` : ""}`);
  return { checks, restoredTo: p.dest, warnings: parsed.warnings.map((w) => `${p.manifest.name}: ${w}`) };
}

async function provePostgres(ctx: ItemContext, p: PlannedItem, dump: Node): Promise<ItemProof> {
  const m = p.manifest;
  const database = ctx.scratchDatabase(p);
  const expect = { rowCounts: m.rowCounts ?? {}, ...(m.tableHashes ? { tableHashes: m.tableHashes, tableHashScheme: m.tableHashScheme } : {}) };
  await restorePostgres(pgItemFor(p, ctx.config), nodeContent(ctx.repo, dump, ctx.signal), { database, expect, signal: ctx.signal });
  const tables = Object.keys(m.rowCounts ?? {}).length;
  return { checks: [`loaded into scratch database ${database}`, `row counts${m.tableHashes ? " and checksums" : ""} of ${tables} table(s) equal`], restoredTo: `postgres:${database}`, warnings: [] };
}

async function proveSecret(ctx: ItemContext, p: PlannedItem, entry: Node): Promise<ItemProof> {
  const want = p.manifest.sha256;
  const got: Record<string, string> = {};
  if (entry.type === "dir") await hashTree(ctx, entry, "", got);
  else got[Object.keys(want)[0] ?? entry.name] = await hashNode(ctx, entry);
  const keys = new Set([...Object.keys(want), ...Object.keys(got)]);
  const bad = [...keys].filter((k) => want[k] !== got[k]).length;
  // Which secret file differs is fine to say; how (a hash, a size) is not.
  if (bad > 0) throw new LifeboatError(`item ${p.manifest.name}: ${bad} secret file(s) do not match the manifest`, { hint: "run `lifeboat check --read-data`" });
  return { checks: [`sha256 of ${keys.size} secret file(s), checked in memory (never written)`], restoredTo: "memory", warnings: [] };
}

async function hashTree(ctx: ItemContext, dir: Node, prefix: string, out: Record<string, string>): Promise<void> {
  if (!dir.subtree) return;
  for (const n of (await ctx.repo.loadTree(dir.subtree, ctx.signal)).nodes) {
    const rel = prefix ? `${prefix}/${n.name}` : n.name;
    if (n.type === "dir") await hashTree(ctx, n, rel, out);
    else if (n.type === "file") out[rel] = await hashNode(ctx, n);
  }
}

async function hashNode(ctx: ItemContext, n: Node): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of nodeContent(ctx.repo, n, ctx.signal)) h.update(chunk);
  return h.digest("hex");
}
