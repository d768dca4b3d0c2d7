/**
 * @module backup/agent
 * Backs up one configured agent: before hook, every item through its source (inside one
 * withUploader scope, so packs and index are durable before the snapshot), after hook,
 * then one snapshot tagged with the agent's name and carrying its manifest. The snapshot
 * tree holds one folder per item, named after the item, and RUNBOOK.md: the recovery
 * runbook as of this snapshot (item names are lowercase, so it never collides with one).
 */
import { hostname } from "node:os";
import { Readable } from "node:stream";
import { runHook } from "../agent/hooks.ts";
import { isAbortError, LifeboatError } from "../errors/index.ts";
import type { AgentConfig, AgentManifest, Item, ItemManifest } from "../model/agent.ts";
import type { Node, Snapshot } from "../model/index.ts";
import type { Repository } from "../repository/repository.ts";
import { loadSnapshots, saveSnapshot } from "../repository/snapshots.ts";
import { createSource, SourceError } from "../sources/index.ts";
import { Semaphore } from "../util/semaphore.ts";
import { mark } from "../util/trace.ts";
import { TOOL_VERSION } from "../version.ts";
import { renderRunbook } from "../runbook/index.ts";
import { Archiver, type ArchiverEvents } from "./archiver.ts";
import { createCaptureContext } from "./capture.ts";
import { archiverRepo, safeUser, withEarlyBackupSession } from "./session.ts";
import type { FileError } from "./backup.ts";

export interface AgentBackupOptions {
  /** Item names to leave out, on top of the agent's default skip list. */
  skip?: string[];
  tags?: string[];
  lockWaitMs?: number;
  events?: Partial<ArchiverEvents>;
  /** Items the caller wants reported as they start. */
  onItem?(item: Item): void;
  /** Where the repository's password lives, for the runbook stored in the snapshot. */
  passwordFile?: string | undefined;
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
  const skipNames = new Set([...agent.skip, ...(opts.skip ?? [])]);
  const unknown = [...(opts.skip ?? [])].filter((n) => !agent.items.some((i) => i.name === n));
  if (unknown.length > 0) throw new LifeboatError(`agent ${agent.name} has no item ${unknown.join(", ")}`, { hint: "run `lifeboat agent detect` to list its items" });
  return withEarlyBackupSession(repo, { lockWaitMs: opts.lockWaitMs, signal: opts.signal }, async ({ signal, ready }) => {
    const parent = (await loadSnapshots(repo, signal)).snapshots.filter((s) => s.agent === agent.name && s.host === hostname()).at(-1);
    const env = { LIFEBOAT_AGENT: agent.name, LIFEBOAT_AGENT_ROOT: agent.root };
    if (agent.hooks.before) await runHook("before", agent.hooks.before, { cwd: agent.root, env, signal });
    let captured;
    let manifest: AgentManifest | undefined;
    // The manifest is made once the items are captured, so the runbook in the tree describes it.
    const finish = (items: ItemManifest[], skipped: { name: string; reason: string }[]) => {
      manifest = {
        version: 1, agent: agent.name, preset: agent.preset, root: agent.root, host: hostname(), time: new Date().toISOString(),
        items, skipped, notCovered: notCovered(agent, skipped),
      };
      const repository = { location: repo.backend.properties.location, passwordFile: opts.passwordFile };
      return renderRunbook({ agent, manifest, snapshot: { id: "this snapshot", time: manifest.time }, repository });
    };
    try {
      captured = await captureItems(repo, agent, skipNames, parent, { ...opts, signal }, ready, finish);
    } finally {
      if (agent.hooks.after) await runHook("after", agent.hooks.after, { cwd: agent.root, env, signal });
    }
    signal?.throwIfAborted();
    if (!manifest) throw new Error("internal: agent capture finished without a manifest");
    const snapshot: Snapshot = {
      time: manifest.time, host: hostname(), username: safeUser(), paths: [agent.root], tags: [agent.name, ...(opts.tags ?? [])],
      tree: captured.tree, ...(parent ? { parent: parent.id } : {}), agent: agent.name, manifest,
      toolVersion: TOOL_VERSION, chunkers: repo.chunkerPolicy().specs, summary: { ...captured.counts, bytesStored: captured.stats.bytesStored, durationMs: Date.now() - started },
    };
    mark("agent: save snapshot");
    const snapshotId = await saveSnapshot(repo, snapshot, signal);
    mark("agent: saved");
    return { snapshot: { ...snapshot, id: snapshotId }, snapshotId, errors: captured.errors };
  });
}

/**
 * Items are captured at the same time, up to this many: a pg_dump mostly waits on the
 * server and a SQLite copy on the disk. In sequence, the main thread of the bench agent's
 * hourly backup sat idle 3.3 s of 6.9 s (bench/agent/RESULTS.md). The archiver still bounds
 * files; capturing 4 items at once measured ~10 MB more peak RSS than one at a time.
 */
const ITEM_CONCURRENCY = 4;

/** RUNBOOK_NAME is the runbook's file in every agent snapshot's root tree. */
export const RUNBOOK_NAME = "RUNBOOK.md";

type ItemOutcome = { manifest: ItemManifest; node: Node } | { skipped: string };

type Finish = (items: ItemManifest[], skipped: { name: string; reason: string }[]) => string;

/**
 * captureItems runs while the session may still be taking the lock and loading the index:
 * sources start their dumps and copies at once; everything that reads the repository (the
 * parent's trees) or saves a blob waits for `ready`.
 */
async function captureItems(repo: Repository, agent: AgentConfig, skipNames: Set<string>, parent: Snapshot | undefined, opts: AgentBackupOptions, ready: Promise<void>, finish: Finish) {
  const errors: FileError[] = [];
  const events: ArchiverEvents = { ...opts.events, onError: (path, err) => { errors.push({ path, message: (err as Error).message }); opts.events?.onError?.(path, err); } };
  const parentItems = ready.then(() => (parent ? childrenOf(repo, parent.tree, opts.signal) : new Map<string, Node>()));
  parentItems.catch(() => undefined); // a failed `ready` is the session's to report
  // One failed item stops the others: no snapshot will be written, so their work is wasted.
  const stop = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;
  return repo.withUploader(async (saver) => {
    const archiver = new Archiver(saver, archiverRepo(repo), repo.chunkerPolicy(), events, signal);
    const slots = new Semaphore(ITEM_CONCURRENCY);
    const captureOne = async (item: Item): Promise<ItemOutcome> => {
      if (skipNames.has(item.name)) return { skipped: item.regenerable ? "regenerable (skipped)" : "skipped on request" };
      return slots.run(async () => {
        signal.throwIfAborted();
        opts.onItem?.(item);
        let parentNodes: Promise<Map<string, Node>> | undefined;
        const ctx = createCaptureContext({
          archiver, saver, policy: repo.chunkerPolicy(), itemName: item.name, signal,
          parentNodes: () => (parentNodes ??= parentItems.then((p) => archiver.parentTree(p.get(item.name)))),
          parentManifest: parent?.manifest?.items.find((m) => m.name === item.name),
        });
        try {
          mark(`item ${item.name}: start`);
          const got = await createSource(item, agent.items).capture(ctx);
          mark(`item ${item.name}: captured`);
          return { manifest: got.manifest, node: await itemFolder(archiver, item.name, got.nodes) };
        } catch (err) {
          opts.signal?.throwIfAborted();
          if (!(err instanceof SourceError) || item.required !== false) throw asFatal(agent, err);
          return { skipped: `not captured: ${err.message}` };
        }
      });
    };
    const settled = await Promise.allSettled(agent.items.map((item) => captureOne(item).catch((err: unknown) => { stop.abort(err); throw err; })));
    const outcomes = settled.map((r) => { if (r.status === "rejected") throw firstFailure(settled); return r.value; });
    const items: ItemManifest[] = [];
    const itemNodes: Node[] = [];
    const skipped: { name: string; reason: string }[] = [];
    outcomes.forEach((o, i) => {
      if ("skipped" in o) skipped.push({ name: agent.items[i]!.name, reason: o.skipped });
      else { items.push(o.manifest); itemNodes.push(o.node); }
    });
    const runbook = createCaptureContext({ archiver, saver, policy: repo.chunkerPolicy(), itemName: RUNBOOK_NAME, signal, parentNodes: async () => new Map() });
    const saved = await runbook.saveStream(RUNBOOK_NAME, Readable.from([Buffer.from(finish(items, skipped))]), { mode: 0o644 });
    return { tree: await archiver.saveTree([...itemNodes, saved.node]), counts: archiver.counts, stats: saver.stats, items, skipped, errors };
  }, { signal: opts.signal, ready });
}

/** firstFailure picks the error that stopped the capture, not an abort it caused in another item. */
function firstFailure(settled: PromiseSettledResult<unknown>[]): unknown {
  const failed = settled.filter((r): r is PromiseRejectedResult => r.status === "rejected").map((r) => r.reason);
  return failed.find((e) => !isAbortError(e)) ?? failed[0];
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

