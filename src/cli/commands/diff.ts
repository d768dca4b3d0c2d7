/** @module cli/commands/diff — `lifeboat diff SNAP1 SNAP2`: what changed between two snapshots. */
import { findSnapshot } from "../../repository/snapshots.ts";
import type { Repository } from "../../repository/repository.ts";
import type { Node } from "../../model/index.ts";
import { helpText } from "../context.ts";
import type { Register } from "./index.ts";

export interface Change {
  path: string;
  /** "+" added, "-" removed, "M" content changed, "T" type changed, "U" metadata only. */
  change: "+" | "-" | "M" | "T" | "U";
}

async function nodesOf(repo: Repository, tree: string | undefined, signal?: AbortSignal): Promise<Map<string, Node>> {
  if (!tree) return new Map();
  return new Map((await repo.loadTree(tree, signal)).nodes.map((n) => [n.name, n]));
}

/** diffTrees compares two trees recursively; identical subtree ids are skipped unread. */
export async function diffTrees(repo: Repository, a: string | undefined, b: string | undefined, prefix: string, out: Change[], signal?: AbortSignal): Promise<void> {
  if (a === b) return;
  const [left, right] = await Promise.all([nodesOf(repo, a, signal), nodesOf(repo, b, signal)]);
  const names = [...new Set([...left.keys(), ...right.keys()])].sort();
  for (const name of names) {
    const l = left.get(name);
    const r = right.get(name);
    const path = `${prefix}/${name}`;
    if (!l || !r) {
      out.push({ path: r?.type === "dir" || l?.type === "dir" ? `${path}/` : path, change: l ? "-" : "+" });
      if ((l ?? r)!.type === "dir") await diffTrees(repo, l?.subtree, r?.subtree, path, out, signal);
      continue;
    }
    if (l.type !== r.type) out.push({ path, change: "T" });
    else if (l.type === "file" && (l.content ?? []).join() !== (r.content ?? []).join()) out.push({ path, change: "M" });
    else if (l.type === "symlink" && l.linkTarget !== r.linkTarget) out.push({ path, change: "M" });
    else if (l.type !== "dir" && (l.mode !== r.mode || l.mtimeNs !== r.mtimeNs || l.uid !== r.uid || l.gid !== r.gid)) out.push({ path, change: "U" });
    if (l.type === "dir" || r.type === "dir") await diffTrees(repo, l.type === "dir" ? l.subtree : undefined, r.type === "dir" ? r.subtree : undefined, path, out, signal);
  }
}

export const registerDiff: Register = (program, cli) => {
  program.command("diff")
    .description("show what changed between two snapshots")
    .argument("<snapshot1>", "older snapshot (id prefix or latest)")
    .argument("<snapshot2>", "newer snapshot (id prefix or latest)")
    .addHelpText("after", helpText(["lifeboat diff 4f2a91c3 latest", "lifeboat diff --json 4f2a91c3 9e01bb27"])
      + "\n\nMarkers: + added, - removed, M content changed, T type changed, U metadata changed")
    .action(async (r1: string, r2: string) => {
      await cli.withRepo(async (repo) => {
        const [a, b] = [await findSnapshot(repo, r1, {}, cli.signal), await findSnapshot(repo, r2, {}, cli.signal)];
        await repo.loadIndex({ signal: cli.signal });
        const changes: Change[] = [];
        await diffTrees(repo, a.tree, b.tree, "", changes, cli.signal);
        const count = (c: Change["change"]) => changes.filter((x) => x.change === c).length;
        const stats = { added: count("+"), removed: count("-"), modified: count("M"), type_changed: count("T"), metadata_changed: count("U") };
        cli.emit({ snapshot1: a.id, snapshot2: b.id, changes, ...stats });
        for (const c of changes) cli.print(`${c.change.padEnd(4)}${c.path}`);
        cli.print(`\n${stats.added} added, ${stats.removed} removed, ${stats.modified} modified, ${stats.metadata_changed} metadata only`);
      });
    });
};
