/**
 * @module doctor/selfinclude
 * The self-including backup: a repository inside a folder that is backed up stores itself
 * again on every run and grows without end (agent-layouts.md §1.10, §7). The test follows
 * the files source exactly: inside a non-skipped files item and not left out by its
 * include/exclude globs or the volatile patterns. Inside a root that no item covers is
 * only a warning: nothing is copied today, but an item added on the root later would.
 * The local cache (an output too) inside a backed-up tree is a warning: it wastes space.
 */
import { realpath } from "node:fs/promises";
import { isAbsolute, relative, resolve } from "node:path";
import type { AgentConfig, FilesItem } from "../agent/types.ts";
import { buildExclude } from "../sources/exclude.ts";
import { error, ok, warn, type Finding } from "./types.ts";

const CHECK = "self-include";

/** checkSelfInclude looks for the repository (local) and the cache inside the agents' trees. */
export async function checkSelfInclude(agents: AgentConfig[], paths: { repository?: string | undefined; cache?: string | null | undefined }): Promise<Finding[]> {
  const out: Finding[] = [];
  if (paths.repository !== undefined) {
    const repo = await real(paths.repository);
    const found = await findIn(agents, repo);
    for (const { agent, item } of found.covered) {
      out.push(error(CHECK, `the repository ${repo} is inside item ${item.name} (${item.path}): every backup would store the repository into itself`,
        `move the repository out of the tree, or exclude it: add "${relative(item.path, repo) || "."}" to the item's exclude in lifeboat.yaml`, { agent: agent.name, item: item.name }));
    }
    for (const agent of found.rootOnly) {
      out.push(warn(CHECK, `the repository ${repo} is inside the agent root ${agent.root}; no item backs it up today`,
        "move the repository out of the agent's folder: an item added on the root later would back the repository up into itself", { agent: agent.name }));
    }
    if (out.length === 0) out.push(ok(CHECK, `the repository ${repo} is outside every backed-up folder`));
  }
  if (paths.cache !== undefined && paths.cache !== null) {
    const cache = await real(paths.cache);
    for (const { agent, item } of (await findIn(agents, cache)).covered) {
      out.push(warn(CHECK, `the cache ${cache} is inside item ${item.name} (${item.path}): backups would carry copies of the repository's index`,
        "move the cache (--cache-dir or XDG_CACHE_HOME), or exclude it in the item", { agent: agent.name, item: item.name }));
    }
  }
  return out;
}

interface Found {
  covered: { agent: AgentConfig; item: FilesItem }[];
  rootOnly: AgentConfig[];
}

async function findIn(agents: AgentConfig[], target: string): Promise<Found> {
  const found: Found = { covered: [], rootOnly: [] };
  for (const agent of agents) {
    let hit = false;
    for (const item of agent.items) {
      if (item.kind !== "files" || agent.skip.includes(item.name)) continue;
      const rel = below(await real(item.path), target);
      if (rel === undefined || leftOut(item, rel)) continue;
      found.covered.push({ agent, item });
      hit = true;
    }
    if (!hit && below(await real(agent.root), target) !== undefined) found.rootOnly.push(agent);
  }
  return found;
}

/** below returns `p` relative to `dir` ("/"-separated, "" for dir itself), or undefined when outside. */
function below(dir: string, p: string): string | undefined {
  const rel = relative(dir, p);
  if (rel.startsWith("..") || isAbsolute(rel)) return undefined;
  return rel.split("\\").join("/");
}

/** leftOut: the files source would skip the folder at `rel` (or a folder above it, or the files in it). */
function leftOut(item: FilesItem, rel: string): boolean {
  if (rel === "") return false;
  const exclude = buildExclude({ include: item.include, exclude: item.exclude });
  const parts = rel.split("/");
  for (let i = 1; i <= parts.length; i++) if (exclude(parts.slice(0, i).join("/"), true) !== null) return true;
  // The repository's own files: `include` globs apply to files, not folders.
  return exclude(`${rel}/config`, false) !== null;
}

/** real resolves symlinks, so a repository reached through a link is still found; a missing path stays as given. */
async function real(p: string): Promise<string> {
  return realpath(p).catch(() => resolve(p));
}
