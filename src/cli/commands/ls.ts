/** @module cli/commands/ls — `lifeboat ls SNAPSHOT [PATH]`: list the files in a snapshot. */
import { findSnapshot } from "../../repository/snapshots.ts";
import type { Repository } from "../../repository/repository.ts";
import type { Node } from "../../model/index.ts";
import { helpText } from "../context.ts";
import type { Register } from "./index.ts";

export interface ListedNode {
  path: string;
  type: Node["type"];
  size: number;
  mode: number;
  mtime: string;
  link_target?: string;
}

/** walkNodes yields every node under `tree`, depth first, with its absolute path. */
export async function* walkNodes(repo: Repository, tree: string, prefix = "", signal?: AbortSignal): AsyncGenerator<[string, Node]> {
  for (const n of (await repo.loadTree(tree, signal)).nodes) {
    const path = `${prefix}/${n.name}`;
    yield [path, n];
    if (n.type === "dir" && n.subtree) yield* walkNodes(repo, n.subtree, path, signal);
  }
}

export const registerLs: Register = (program, cli) => {
  program.command("ls")
    .description("list files in a snapshot")
    .argument("<snapshot>", "snapshot id (a unique prefix) or latest")
    .argument("[path]", "only entries at or below this path inside the snapshot")
    .addHelpText("after", helpText(["lifeboat ls latest", "lifeboat ls 4f2a91c3 /home/agent/.openclaw/workspace"]))
    .action(async (ref: string, under: string | undefined) => {
      await cli.withRepo(async (repo) => {
        const sn = await findSnapshot(repo, ref, {}, cli.signal);
        await repo.loadIndex({ signal: cli.signal });
        const base = under ? under.replace(/\/+$/, "") : "";
        const out: ListedNode[] = [];
        for await (const [path, n] of walkNodes(repo, sn.tree, "", cli.signal)) {
          if (base && path !== base && !path.startsWith(base + "/")) continue;
          const item: ListedNode = { path, type: n.type, size: n.size, mode: n.mode, mtime: new Date(Number(BigInt(n.mtimeNs) / 1000000n)).toISOString() };
          if (n.linkTarget !== undefined) item.link_target = n.linkTarget;
          out.push(item);
          cli.print(n.type === "symlink" ? `${path} -> ${n.linkTarget}` : n.type === "dir" ? `${path}/` : path);
        }
        cli.emit({ snapshot: sn.id, nodes: out });
      });
    });
};
