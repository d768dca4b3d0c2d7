/**
 * @module agent/presets/openclaw
 * OpenClaw (formerly Clawdbot/Moltbot), both eras (agent-layouts.md §1): the files era
 * (openclaw.json, agents/<id>/{agent,sessions}, cron/jobs.json, memory/<id>.sqlite) and the
 * SQLite era (state/openclaw.sqlite, agents/<id>/agent/openclaw-agent.sqlite, ≥ 2026.5.30).
 * Workspaces are Markdown in both. Everything else under the root goes into a catch-all
 * `state` item, so a plugin's files are not lost because the preset did not know them.
 */
import { readdir } from "node:fs/promises";
import { basename, join } from "node:path";
import { exists, files, isDir, isFile, slug, subdirs } from "./_fs.ts";
import { CONFIG_NAMES, listAgents, readConfig, type OpenclawAgent } from "./_openclawAgents.ts";
import { identityPresent, sessionsResolve } from "./_health.ts";
import { PlanBuilder } from "./_plan.ts";
import type { Detection, PathRewrite, Preset, PresetOptions, PresetPlan } from "./preset.ts";

/** Caches and generated files OpenClaw's own backup leaves out (§1.9), plus volatile state (§6 P1). */
const STATE_EXCLUDES = [
  ...["npm", "npm-runtime", "dev", "git", "tools"].map((d) => ({ pattern: d, reason: "cache OpenClaw rebuilds (its own backup skips it, agent-layouts.md §1.9)" })),
  { pattern: "plugin-skills", reason: "generated symlink index of plugin skills (§1.9)" },
  { pattern: "telegram/update-offset-*.json", reason: "Telegram update offset: a restored offset replays or skips updates (§1.2)" },
  { pattern: "**/*-openclaw-backup.tar.gz", reason: "OpenClaw's own backup archive: backing it up again nests backups (§1.10)" },
];

/** Files in agents/<id>/agent/ that have items of their own (or are their sidecars). */
const AGENT_DIR_COVERED = /^(?:auth-profiles\.json|auth\.json|openclaw-agent\.sqlite(?:-wal|-shm|-journal)?)$/;

const PATH_REWRITES: PathRewrite[] = [
  { files: "agents/*/sessions/sessions.json", format: "json", keys: ["sessionFile"], why: "sessions.json stores each transcript's absolute path (§1.4, #5631)" },
  ...CONFIG_NAMES.map((files) => ({ files, format: "json5" as const, keys: ["workspace", "agentDir"], why: "the config may name workspaces and agent folders by absolute path (§1.7)" })),
];

export const openclaw: Preset = {
  name: "openclaw",
  description: "OpenClaw / Clawdbot state folder (~/.openclaw), files era and SQLite era",
  pathRewrites: PATH_REWRITES,
  detect,
  plan,
  health: async (root) => {
    const ws = join(root, "workspace");
    return [...(await sessionsResolve(root)), ...((await isDir(ws)) ? [await identityPresent(ws, "workspace/", ["SOUL.md", "AGENTS.md", "IDENTITY.md"])] : [])];
  },
};

async function detect(root: string): Promise<Detection> {
  const evidence: string[] = [];
  let score = 0;
  const cfg = await firstExisting(root, CONFIG_NAMES);
  if (cfg !== null) {
    score += 0.5;
    evidence.push(cfg === "openclaw.json" ? "openclaw.json (JSON5 config)" : `${cfg} (Clawdbot-era config)`);
  }
  if (await isFile(join(root, "state", "openclaw.sqlite"))) {
    score += 0.4;
    evidence.push("state/openclaw.sqlite (SQLite era, ≥ 2026.5.30)");
  }
  const agents = await subdirs(join(root, "agents"));
  const withState: string[] = [];
  for (const id of agents) if ((await isDir(join(root, "agents", id, "sessions"))) || (await isDir(join(root, "agents", id, "agent")))) withState.push(id);
  if (withState.length > 0) {
    score += 0.3;
    evidence.push(`agents/<id>/ for ${withState.join(", ")}`);
  }
  const workspaces = (await subdirs(root)).filter((d) => d === "workspace" || d.startsWith("workspace-"));
  for (const w of workspaces) {
    if ((await isFile(join(root, w, "SOUL.md"))) || (await isFile(join(root, w, "AGENTS.md")))) {
      score += 0.15;
      evidence.push(`${w}/ with SOUL.md or AGENTS.md`);
      break;
    }
  }
  if (await isFile(join(root, "cron", "jobs.json"))) {
    score += 0.05;
    evidence.push("cron/jobs.json");
  }
  if (score > 0 && [".openclaw", ".clawdbot", ".moltbot"].includes(basename(root))) score += 0.1;
  return { confidence: Math.min(1, score), evidence };
}

async function plan(root: string, opts: PresetOptions = {}): Promise<PresetPlan> {
  const sqliteEra = await isFile(join(root, "state", "openclaw.sqlite"));
  const b = new PlanBuilder(root, sqliteEra ? "sqlite" : "files");
  const cfg = await readConfig(root);
  if (cfg.error !== undefined) b.warnings.push(`${cfg.error}: agents were found from folders only`);
  if (cfg.file !== null) b.add({ kind: "files", name: "config", class: "config", path: cfg.file, required: true });
  for (const [name, file] of [["env", ".env"], ["secrets", "secrets.json"], ["gateway-token", "gateway.token"], ["gateway-password", "gateway.password"]] as const) {
    if (await isFile(join(root, file))) b.add({ kind: "secret", name, class: "secret", path: join(root, file), required: true });
  }
  if (await isDir(join(root, "credentials"))) {
    b.add({ kind: "files", name: "credentials", class: "secret", path: join(root, "credentials"), required: true });
    if (await isDir(join(root, "credentials", "whatsapp"))) {
      b.notCovered.push("WhatsApp ratchet credentials (credentials/whatsapp/): restoring them is time travel, WhatsApp may need relinking (§1.9)");
    }
  }
  if (await isDir(join(root, "cron"))) {
    b.add({ kind: "files", name: "cron", class: "config", path: join(root, "cron"), required: true }, {
      excludes: [{ pattern: "runs", reason: "cron run log: rotated history, OpenClaw's own backup leaves it out (§1.9)" }],
    });
  }
  if (sqliteEra) b.add({ kind: "sqlite", name: "state-db", class: "database", path: join(root, "state", "openclaw.sqlite"), required: true });
  if (await isFile(join(root, "state", "openclaw-quarantine.sqlite"))) {
    b.add({ kind: "sqlite", name: "quarantine-db", class: "database", path: join(root, "state", "openclaw-quarantine.sqlite"), required: false });
  }
  for (const agent of await listAgents(root, cfg, opts.home)) await addAgent(b, root, agent);
  b.add({ kind: "files", name: "state", class: "state", path: root, required: true }, { excludes: STATE_EXCLUDES, discoverDatabases: true });

  // Assumed names, not confirmed by the reference: configurable through pidFiles in the config.
  // Session write locks are confirmed (§1.4 `<uuid>.jsonl.lock`).
  b.pidFiles.push("gateway.pid", "gateway.lock", "agents/*/sessions/*.jsonl.lock");
  b.pathRewrites.push(...PATH_REWRITES.filter((r) => r.format === "json" || (cfg.file !== null && r.files === basename(cfg.file))));
  b.notCovered.push(
    "chat history older than the agent's own transcripts: the Telegram Bot API keeps no history (§5.2)",
    "the OpenClaw program and plugins' node_modules: reinstall, then run `openclaw doctor`",
  );
  if (sqliteEra) b.notCovered.push("the OpenClaw version: older builds refuse databases with a newer schema, restore onto the same or a newer release (§1.8)");
  return b.build();
}

async function addAgent(b: PlanBuilder, root: string, a: OpenclawAgent): Promise<void> {
  const id = slug(a.id);
  const agentDir = a.agentDir;
  if (await isDir(agentDir)) {
    // In the SQLite era the folder often holds only the database: no files item for nothing.
    const rest = (await readdir(agentDir).catch(() => [] as string[])).filter((n) => !AGENT_DIR_COVERED.test(n));
    if (rest.length > 0) b.add({ kind: "files", name: `agent-${id}`, class: "config", path: agentDir, required: true });
    // auth-profiles.json holds API keys and OAuth tokens (§1.2 "SECRET").
    for (const [suffix, file] of [["auth", "auth-profiles.json"], ["auth-legacy", "auth.json"]] as const) {
      if (await isFile(join(agentDir, file))) b.add({ kind: "secret", name: `agent-${id}-${suffix}`, class: "secret", path: join(agentDir, file), required: true });
    }
    if (await isFile(join(agentDir, "openclaw-agent.sqlite"))) {
      b.add({ kind: "sqlite", name: `agent-db-${id}`, class: "database", path: join(agentDir, "openclaw-agent.sqlite"), required: true });
    }
  }
  const sessions = join(root, "agents", a.id, "sessions");
  if (await isDir(sessions)) b.add({ kind: "files", name: `sessions-${id}`, class: "transcripts", path: sessions, required: true });
  const index = join(root, "memory", `${a.id}.sqlite`);
  if (await isFile(index)) {
    // Derived from MEMORY.md and memory/*.md; can reach hundreds of MB (§1.6).
    const name = b.add({ kind: "sqlite", name: `memory-index-${id}`, class: "database", path: index, regenerable: true, required: false }, { skip: true });
    b.notCovered.push(`${name} (memory/${a.id}.sqlite): search index, regenerable and skipped by default; rebuild with \`openclaw memory index --force\``);
  }
  const base = a.isDefault ? "" : `-${id}`;
  for (const ws of a.workspaces) {
    const name = b.add({ kind: "files", name: `workspace${base}`, class: "identity", path: ws, required: true });
    if (await isDir(join(ws, "memory"))) {
      // Daily logs churn by design; a class of their own keeps drift checks on identity files (§7).
      b.add({ kind: "files", name: `memory${base}`, class: "memory", path: join(ws, "memory"), required: true });
    }
    if ((await exists(join(ws, "BOOTSTRAP.md"))) && (await exists(join(ws, "MEMORY.md")))) {
      b.warnings.push(`${name}: BOOTSTRAP.md next to a populated MEMORY.md can overwrite memory on the next start (#70098)`);
    }
  }
  if (a.workspaces.length === 0) b.warnings.push(`agent ${a.id}: no workspace found (looked in ${a.probed.join(", ")})`);
  if (a.workspaces.length > 1) b.warnings.push(`agent ${a.id}: ${a.workspaces.length} workspaces (${a.workspaces.join(", ")}); OpenClaw reads one of them (#11717), all are backed up`);
}

async function firstExisting(root: string, names: string[]): Promise<string | null> {
  const present = new Set(await files(root));
  return names.find((n) => present.has(n)) ?? null;
}
