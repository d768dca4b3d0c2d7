/**
 * @module agent/presets/hermes
 * Hermes Agent (NousResearch), root = HERMES_HOME, default ~/.hermes (agent-layouts.md §4):
 * config.yaml, .env, SOUL.md, AGENTS.md, memories/{MEMORY,USER}.md, skills/, sessions/,
 * cron/, mcp-tokens/, pairing/, platforms/, logs/ and several SQLite files (state.db,
 * hermes_state.db, memory_store.db, kanban.db). A catch-all `state` item keeps the rest and
 * adopts any other database it finds.
 */
import { basename, join } from "node:path";
import { isDir, isFile, isSqlite } from "./_fs.ts";
import { identityPresent, sqliteHasTables } from "./_health.ts";
import { PlanBuilder } from "./_plan.ts";
import type { Detection, Preset, PresetPlan } from "./preset.ts";
import type { ItemClass } from "../types.ts";

const DATABASES = ["state.db", "hermes_state.db", "memory_store.db", "kanban.db"];

const FOLDERS: [name: string, cls: ItemClass][] = [
  ["memories", "memory"],
  // Hermes writes its own skills as it learns: procedural memory, not shipped code.
  ["skills", "memory"],
  ["sessions", "transcripts"],
  ["cron", "config"],
  ["mcp-tokens", "secret"],
  ["pairing", "config"],
];

export const hermes: Preset = {
  name: "hermes",
  description: "Hermes Agent home (~/.hermes)",
  pathRewrites: [],
  detect,
  plan,
  health: async (root) => [
    ...((await isDir(join(root, "memories"))) ? [await identityPresent(join(root, "memories"), "memories/", ["MEMORY.md", "USER.md"])] : []),
    ...((await isFile(join(root, "state.db"))) ? [sqliteHasTables(join(root, "state.db"), "state.db", [])] : []),
  ],
};

async function detect(root: string): Promise<Detection> {
  const evidence: string[] = [];
  let score = 0;
  const probe = async (ok: Promise<boolean>, weight: number, what: string) => {
    if (!(await ok)) return;
    score += weight;
    evidence.push(what);
  };
  await probe(isFile(join(root, "config.yaml")), 0.3, "config.yaml");
  await probe(isDir(join(root, "memories")), 0.25, "memories/");
  await probe(anySqlite(root, ["state.db", "hermes_state.db"]), 0.25, "state.db (Hermes session store)");
  await probe(isFile(join(root, "SOUL.md")), 0.1, "SOUL.md");
  await probe(isDir(join(root, "skills")), 0.05, "skills/");
  if (score > 0 && basename(root) === ".hermes") score += 0.1;
  return { confidence: Math.min(1, score), evidence };
}

async function plan(root: string): Promise<PresetPlan> {
  const b = new PlanBuilder(root, "");
  if (await isFile(join(root, "config.yaml"))) b.add({ kind: "files", name: "config", class: "config", path: join(root, "config.yaml"), required: true });
  if (await isFile(join(root, ".env"))) b.add({ kind: "secret", name: "env", class: "secret", path: join(root, ".env"), required: true });
  for (const [name, file] of [["soul", "SOUL.md"], ["agents-md", "AGENTS.md"]] as const) {
    if (await isFile(join(root, file))) b.add({ kind: "files", name, class: "identity", path: join(root, file), required: true });
  }
  for (const [name, cls] of FOLDERS) {
    if (await isDir(join(root, name))) b.add({ kind: "files", name, class: cls, path: join(root, name), required: true });
  }
  for (const db of DATABASES) {
    if (await isFile(join(root, db))) b.add({ kind: "sqlite", name: db.replace(/\.db$/, "").replace(/_/g, "-") + "-db", class: "database", path: join(root, db), required: true });
  }
  b.add({ kind: "files", name: "state", class: "state", path: root, required: true }, {
    excludes: [
      { pattern: "hermes-agent", reason: "the Hermes program checkout and its venv (installer default): reinstall" },
      { pattern: "**/venv", reason: "Python virtualenv: recreate it" },
      { pattern: "**/.venv", reason: "Python virtualenv: recreate it" },
      { pattern: "**/__pycache__", reason: "Python bytecode cache" },
    ],
    discoverDatabases: true,
  });
  // Not named by the reference: assumed, configurable through pidFiles in the config.
  b.pidFiles.push("gateway.pid", "hermes.pid");
  b.notCovered.push(
    "the Hermes program (hermes-agent checkout, Python venv): reinstall it",
    "messaging-platform sessions (platforms/, pairing/) may need pairing again after a restore",
    "chat history older than the agent's own sessions: the Telegram Bot API keeps no history (§5.2)",
  );
  return b.build();
}

async function anySqlite(root: string, names: string[]): Promise<boolean> {
  for (const n of names) if (await isSqlite(join(root, n))) return true;
  return false;
}
