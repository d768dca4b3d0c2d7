/**
 * @module agent/presets/workspace
 * The generic case: a folder of Markdown (an OpenClaw workspace on its own, a Letta MemFS
 * clone, a notes repository). Identity files and the rest of the folder form `workspace`
 * (class identity); a memory/ folder of daily logs is its own `memory` item so drift checks
 * can tell expected churn from identity changes (agent-layouts.md §7). Failure cases of
 * pushed workspace repositories (§6 P10) are left out or reported.
 */
import { join } from "node:path";
import { files, isDir, isFile, readText } from "./_fs.ts";
import { PlanBuilder } from "./_plan.ts";
import { walk } from "./_walk.ts";
import type { Detection, Preset, PresetPlan } from "./preset.ts";

const IDENTITY = ["SOUL.md", "IDENTITY.md", "USER.md", "AGENTS.md", "MEMORY.md", "CLAUDE.md", "persona.md"];

const EXCLUDES = [
  { pattern: "**/.DS_Store", reason: "Finder metadata" },
  { pattern: "**/venv", reason: "Python virtualenv: recreate it" },
  { pattern: "**/.venv", reason: "Python virtualenv: recreate it" },
  { pattern: "**/*backup*.tar.gz", reason: "a backup archive inside the tree: backing it up again nests backups (§1.10)" },
  { pattern: "**/*backup*.tgz", reason: "a backup archive inside the tree: backing it up again nests backups (§1.10)" },
];

export const workspace: Preset = {
  name: "workspace",
  description: "a folder of Markdown (SOUL.md, MEMORY.md, memory/YYYY-MM-DD.md, ...)",
  pathRewrites: [],
  detect,
  plan,
};

async function detect(root: string): Promise<Detection> {
  const md = (await files(root)).filter((f) => /\.md$/i.test(f));
  if (md.length === 0) return { confidence: 0, evidence: [] };
  const known = md.filter((f) => IDENTITY.includes(f));
  const evidence = [`${md.length} Markdown file(s) at the top level`];
  // Deliberately low: any runtime whose layout matches says more than "there is Markdown".
  let score = 0.25;
  if (known.length > 0) {
    score += 0.1;
    evidence.push(`identity files: ${known.join(", ")}`);
  }
  if (await isDir(join(root, "memory"))) {
    score += 0.05;
    evidence.push("memory/");
  }
  return { confidence: score, evidence };
}

async function plan(root: string): Promise<PresetPlan> {
  const b = new PlanBuilder(root, "");
  b.add({ kind: "files", name: "workspace", class: "identity", path: root, required: true }, { excludes: EXCLUDES });
  if (await isDir(join(root, "memory"))) b.add({ kind: "files", name: "memory", class: "memory", path: join(root, "memory"), required: true });
  for (const f of ["auth-profiles.json", ".env", "secrets.json"]) {
    if (await isFile(join(root, f))) b.warnings.push(`${f}: a secret inside the workspace, stored as ordinary data (and pushed along if the folder is a git repository)`);
  }
  const ignored = ((await readText(join(root, ".gitignore"))) ?? "").split(/\r?\n/).map((l) => l.trim()).filter((l) => IDENTITY.includes(l));
  if (ignored.length > 0) b.warnings.push(`.gitignore hides ${ignored.join(", ")}: a git remote is no backup of them (§6 P10)`);
  const nested = await findSelfNesting(root);
  if (nested !== null) b.warnings.push(`${nested}: the folder seems to contain copies of itself (a backup that included itself, §1.10)`);
  b.notCovered.push("whatever the agent keeps outside this folder (transcripts, databases, credentials)");
  return b.build();
}

/** findSelfNesting returns a path whose segments repeat (a/b/a/b/a/b), or null. */
async function findSelfNesting(root: string): Promise<string | null> {
  let hit: string | null = null;
  await walk(root, (e) => {
    if (hit !== null || e.type !== "dir") return;
    const parts = e.rel.split("/");
    for (let n = 1; n <= 3 && hit === null; n++) {
      if (parts.length < n * 3) continue;
      const tail = parts.slice(-n).join("/");
      if (parts.slice(-2 * n, -n).join("/") === tail && parts.slice(-3 * n, -2 * n).join("/") === tail) hit = e.rel;
    }
  }, { exclude: (rel) => (rel.endsWith(".git") ? ".git" : null), maxEntries: 20_000 });
  return hit;
}
