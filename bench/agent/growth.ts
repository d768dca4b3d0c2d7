/**
 * @module bench/agent/growth
 * Where one backup's repository growth went: the blobs the newest snapshot of an agent
 * references that its parent did not, summed (stored bytes) per file path, plus tree
 * blobs, index and snapshot objects. Used to choose the chunking levers of issue 4.
 *
 *   node_modules/.bin/node bench/agent/growth.ts --repo DIR --password-file F [--top 15]
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { createLocalBackend } from "../../src/backends/local/index.ts";
import { openRepository } from "../../src/repository/open.ts";
import type { Repository } from "../../src/repository/repository.ts";
import { loadSnapshots } from "../../src/repository/snapshots.ts";

const { values } = parseArgs({ options: { repo: { type: "string" }, "password-file": { type: "string" }, top: { type: "string", default: "15" } } });
if (!values.repo || !values["password-file"]) throw new Error("usage: growth.ts --repo DIR --password-file F");
const repo = await openRepository(createLocalBackend(values.repo), readFileSync(values["password-file"], "utf8").trim(), { cacheDir: null });
await repo.loadIndex();
const snaps = (await loadSnapshots(repo)).snapshots;
const [parent, newest] = snaps.slice(-2);
if (!parent || !newest) throw new Error("need two snapshots");

interface Walk { blobs: Map<string, string>; trees: Set<string> }

async function walk(r: Repository, tree: string, prefix: string, out: Walk): Promise<void> {
  out.trees.add(tree);
  for (const n of (await r.loadTree(tree)).nodes) {
    const path = prefix + n.name;
    if (n.type === "dir" && n.subtree) await walk(r, n.subtree, path + "/", out);
    for (const id of n.content ?? []) if (!out.blobs.has(id)) out.blobs.set(id, path);
  }
}

const old: Walk = { blobs: new Map(), trees: new Set() };
const cur: Walk = { blobs: new Map(), trees: new Set() };
await walk(repo, parent.tree, "", old);
await walk(repo, newest.tree, "", cur);
const stored = (id: string) => repo.index.get(id)?.length ?? 0;
const perPath = new Map<string, { blobs: number; bytes: number; raw: number }>();
for (const [id, path] of cur.blobs) {
  if (old.blobs.has(id)) continue;
  const s = perPath.get(path) ?? { blobs: 0, bytes: 0, raw: 0 };
  s.blobs++; s.bytes += stored(id); s.raw += repo.index.get(id)?.rawLength ?? 0;
  perPath.set(path, s);
}
let treeBytes = 0, treeCount = 0;
for (const t of cur.trees) if (!old.trees.has(t)) { treeBytes += stored(t); treeCount++; }
const rows = [...perPath].sort((a, b) => b[1].bytes - a[1].bytes);
const kb = (n: number) => (n / 1024).toFixed(1).padStart(9) + " KiB";
console.log(`parent ${(parent.id ?? "").slice(0, 8)} → newest ${(newest.id ?? "").slice(0, 8)}`);
for (const [path, s] of rows.slice(0, Number(values.top))) console.log(`${kb(s.bytes)} stored ${kb(s.raw)} raw ${String(s.blobs).padStart(6)} blobs  ${path}`);
const dataBytes = rows.reduce((a, [, s]) => a + s.bytes, 0);
console.log(`${kb(dataBytes)} data in ${rows.length} files; ${kb(treeBytes)} in ${treeCount} new trees`);
await repo.codec().close();
