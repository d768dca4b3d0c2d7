/**
 * @module backup/agent
 * Backs up one configured agent: before hook, every item through its source (inside one
 * withUploader scope, so packs and index are durable before the snapshot), after hook,
 * then one snapshot tagged with the agent's name and carrying its manifest. The snapshot
 * tree holds one folder per item, named after the item.
 */
import { hostname } from "node:os";
import { runHook } from "../agent/hooks.ts";
import { LifeboatError } from "../errors/index.ts";
import type { AgentConfig, AgentManifest, Item, ItemManifest } from "../model/agent.ts";
import type { Node, Snapshot } from "../model/index.ts";
import type { Repository } from "../repository/repository.ts";
import { loadSnapshots, saveSnapshot } from "../repository/snapshots.ts";
import { createSource, SourceError } from "../sources/index.ts";
import { TOOL_VERSION } from "../version.ts";
import { Archiver, type ArchiverEvents } from "./archiver.ts";
import { createCaptureContext } from "./capture.ts";
import { archiverRepo, safeUser, withBackupSession } from "./session.ts";
import type { FileError } from "./backup.ts";

export interface AgentBackupOptions {
  /** Item names to leave out, on top of the agent's default skip list. */
  skip?: string[];
  tags?: string[];
  lockWaitMs?: number;
  events?: Partial<ArchiverEvents>;
  /** Items the caller wants reported as they start. */
  onItem?(item: Item): void;
  signal?: AbortSignal | undefined;
}

export interface AgentBackupResult {
  snapshot: Snapshot;
  snapshotId: string;
  errors: FileError[];
}

/** backupAgent captures `agent` into a new snapshot. The caller holds no lock. */
export async function backupAgent(repo: Repository, agent: AgentConfig, opts: AgentBackupOptions = {}): Promise<AgentBackupResult> {
  const started = Date.now();
  const signal = opts.signal;
  const skipNames = new Set([...agent.skip, ...(opts.skip ?? [])]);
  const unknown = [...(opts.skip ?? [])].filter((n) => !agent.items.some((i) => i.name === n));
  if (unknown.length > 0) throw new LifeboatError(`agent ${agent.name} has no item ${unknown.join(", ")}`, { hint: "run `lifeboat agent detect` to list its items" });
  return withBackupSession(repo, { lockWaitMs: opts.lockWaitMs, signal }, async () => {
    const parent = (await loadSnapshots(repo, signal)).snapshots.filter((s) => s.agent === agent.name && s.host === hostname()).at(-1);
    const env = { LIFEBOAT_AGENT: agent.name, LIFEBOAT_AGENT_ROOT: agent.root };
    if (agent.hooks.before) await runHook("before", agent.hooks.before, { cwd: agent.root, env, signal });
    let captured;
    try {
      captured = await captureItems(repo, agent, skipNames, parent, opts);
    } finally {
      if (agent.hooks.after) await runHook("after", agent.hooks.after, { cwd: agent.root, env, signal });
    }
    signal?.throwIfAborted();
    const manifest: AgentManifest = {
      version: 1, agent: agent.name, preset: agent.preset, root: agent.root, host: hostname(), time: new Date().toISOString(),
      items: captured.items, skipped: captured.skipped, notCovered: notCovered(agent, captured.skipped),
    };
    const snapshot: Snapshot = {
      time: manifest.time, host: hostname(), username: safeUser(), paths: [agent.root], tags: [agent.name, ...(opts.tags ?? [])],
      tree: captured.tree, ...(parent ? { parent: parent.id } : {}), agent: agent.name, manifest,
      toolVersion: TOOL_VERSION, chunkers: repo.chunkerPolicy().specs, summary: { ...captured.counts, durationMs: Date.now() - started },
    };
    const snapshotId = await saveSnapshot(repo, snapshot, signal);
    return { snapshot: { ...snapshot, id: snapshotId }, snapshotId, errors: captured.errors };
  });
}

async function captureItems(repo: Repository, agent: AgentConfig, skipNames: Set<string>, parent: Snapshot | undefined, opts: AgentBackupOptions) {
  const signal = opts.signal;
  const errors: FileError[] = [];
  const skipped: { name: string; reason: string }[] = [];
  const items: ItemManifest[] = [];
  const events: ArchiverEvents = { ...opts.events, onError: (path, err) => { errors.push({ path, message: (err as Error).message }); opts.events?.onError?.(path, err); } };
  const parentItems = parent ? await childrenOf(repo, parent.tree, signal) : new Map<string, Node>();
  return repo.withUploader(async (saver) => {
    const archiver = new Archiver(saver, archiverRepo(repo), repo.chunkerPolicy(), events, signal);
    const itemNodes: Node[] = [];
    for (const item of agent.items) {
      if (skipNames.has(item.name)) {
        skipped.push({ name: item.name, reason: item.regenerable ? "regenerable (skipped)" : "skipped on request" });
        continue;
      }
      opts.onItem?.(item);
      const parentNodes = await archiver.parentTree(parentItems.get(item.name));
      const ctx = createCaptureContext({
        archiver, saver, policy: repo.chunkerPolicy(), parentNodes, itemName: item.name, signal,
        parentManifest: parent?.manifest?.items.find((m) => m.name === item.name),
      });
      try {
        const got = await createSource(item, agent.items).capture(ctx);
        items.push(got.manifest);
        itemNodes.push(await itemFolder(archiver, item.name, got.nodes));
      } catch (err) {
        signal?.throwIfAborted();
        if (!(err instanceof SourceError) || item.required !== false) throw asFatal(agent, err);
        skipped.push({ name: item.name, reason: `not captured: ${err.message}` });
      }
    }
    return { tree: await archiver.saveTree(itemNodes), counts: archiver.counts, items, skipped, errors };
  }, { signal });
}

async function itemFolder(archiver: Archiver, name: string, nodes: Node[]): Promise<Node> {
  const now = (BigInt(Date.now()) * 1_000_000n).toString();
  return {
    name, type: "dir", mode: 0o700, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0,
    mtimeNs: now, ctimeNs: now, inode: "0", size: 0, subtree: await archiver.saveTree(nodes),
  };
}

async function childrenOf(repo: Repository, tree: string, signal?: AbortSignal): Promise<Map<string, Node>> {
  try {
    return new Map((await repo.loadTree(tree, signal)).nodes.map((n) => [n.name, n]));
  } catch {
    return new Map(); // an unreadable parent only costs re-reading
  }
}

function asFatal(agent: AgentConfig, err: unknown): unknown {
  if (err instanceof SourceError) {
    return new LifeboatError(`backup of agent ${agent.name} failed: ${err.message}; no snapshot was written`, { cause: err });
  }
  return err;
}

function notCovered(agent: AgentConfig, skipped: { name: string; reason: string }[]): string[] {
  return [
    ...(agent.notCovered ?? []),
    ...skipped.map((s) => `${s.name}: ${s.reason}`),
    "anything outside the configured items (run `lifeboat agent detect` to review)",
  ];
}

