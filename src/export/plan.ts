/**
 * @module export/plan
 * Plans one item's entries in the archive from its folder in the snapshot tree: only trees
 * are read here (small), except for secrets, which are read, verified and encrypted in
 * memory now so their ciphertext hash can go into manifest.json, written first.
 */
import { createHash } from "node:crypto";
import { LifeboatError } from "../errors/index.ts";
import type { ItemManifest } from "../model/agent.ts";
import type { Node } from "../model/index.ts";
import { sha256hex } from "../repository/objects.ts";
import type { Repository } from "../repository/repository.ts";
import { findNode, nodeContent } from "../restore/stream.ts";
import type { ExportItem } from "./format.ts";
import type { SecretMode } from "./secrets.ts";

/** PlannedEntry is one archive entry of an item; `rel` is its path below the item's folder. */
export interface PlannedEntry {
  rel: string;
  node: Node;
  /** Expected sha256 of the bytes written (plain files: content; .age: ciphertext). */
  sha256?: string;
  /** The ciphertext of an encrypted secret (then rel ends in .age). */
  cipher?: Uint8Array;
  mode: number;
}

export interface PlannedItem {
  item: ExportItem;
  /** The item folder's own node (mode, mtime), then every entry below it, parents first. */
  folder: Node;
  entries: PlannedEntry[];
}

interface Ctx { repo: Repository; m: ItemManifest; secrets: SecretMode; signal?: AbortSignal | undefined; entries: PlannedEntry[] }

/** planItem lays out item `m` of the snapshot whose root tree is `tree`. */
export async function planItem(repo: Repository, tree: string, m: ItemManifest, secrets: SecretMode, signal?: AbortSignal): Promise<PlannedItem> {
  const folder = await findNode(repo, tree, m.name, signal);
  if (!folder?.subtree) throw new LifeboatError(`snapshot has no data for item ${m.name}: the repository may be damaged`, { hint: "run `lifeboat check`" });
  const top = (await repo.loadTree(folder.subtree, signal)).nodes[0];
  if (!top) throw new LifeboatError(`item ${m.name} is empty in the snapshot`);
  const ctx: Ctx = { repo, m, secrets, signal, entries: [] };
  // A folder item's content sits directly in items/<name>/, as its manifest keys it.
  const root = top.type === "dir" ? top : folder;
  if (top.type === "dir") await walk(ctx, top, "");
  else await add(ctx, top, top.name);
  const encrypted = m.secret && secrets.kind === "age";
  const files = ctx.entries.filter((e) => e.node.type === "file");
  const item: ExportItem = {
    name: m.name, kind: m.kind, class: m.class, source: m.source, path: `items/${m.name}`,
    files: files.length, bytes: files.reduce((n, e) => n + (e.cipher?.length ?? e.node.size), 0),
    sha256: Object.fromEntries(files.map((e) => [e.rel, e.sha256!])),
    secret: m.secret, encryption: encrypted ? "age" : "none",
    ...(m.versions ? { versions: m.versions } : {}), ...(m.rowCounts ? { rowCounts: m.rowCounts } : {}),
  };
  return { item, folder: root, entries: ctx.entries };
}

async function walk(ctx: Ctx, dir: Node, prefix: string): Promise<void> {
  for (const n of (await ctx.repo.loadTree(dir.subtree!, ctx.signal)).nodes) {
    const rel = prefix ? `${prefix}/${n.name}` : n.name;
    await add(ctx, n, rel);
    if (n.type === "dir" && n.subtree) await walk(ctx, n, rel);
  }
}

async function add(ctx: Ctx, n: Node, rel: string): Promise<void> {
  const secret = ctx.m.secret;
  const mode = secret && n.type === "file" ? 0o600 : n.mode & 0o7777;
  if (n.type !== "file") { ctx.entries.push({ rel, node: n, mode }); return; }
  const expected = ctx.m.sha256[rel] ?? (await hashNode(ctx, n));
  if (!secret || ctx.secrets.kind === "plain") { ctx.entries.push({ rel, node: n, sha256: expected, mode }); return; }
  const plain = await readAll(ctx, n);
  checkHash(ctx.m.name, rel, expected, sha256hex(plain));
  const cipher = await ctx.secrets.encrypt(plain);
  plain.fill(0); // the plaintext copy is ours: do not leave it for the garbage collector
  ctx.entries.push({ rel: `${rel}.age`, node: n, cipher, sha256: sha256hex(cipher), mode });
}

/** hashNode reads a file the manifest has no hash for (never, for snapshots lifeboat wrote). */
async function hashNode(ctx: Ctx, n: Node): Promise<string> {
  const h = createHash("sha256");
  for await (const b of nodeContent(ctx.repo, n, ctx.signal)) h.update(b);
  return h.digest("hex");
}

async function readAll(ctx: Ctx, n: Node): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const b of nodeContent(ctx.repo, n, ctx.signal)) parts.push(b);
  return Buffer.concat(parts);
}


/** checkHash fails loudly: content that disagrees with the snapshot's manifest is damage, never exported. */
export function checkHash(item: string, rel: string, expected: string | undefined, got: string): void {
  if (expected !== undefined && expected !== got) {
    throw new LifeboatError(`item ${item}: ${rel} does not match the snapshot's sha256 (${got.slice(0, 12)} != ${expected.slice(0, 12)}): the repository is damaged; nothing was written`, {
      hint: "run `lifeboat check --read-data`, then export an older snapshot",
    });
  }
}
