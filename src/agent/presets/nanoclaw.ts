/**
 * @module agent/presets/nanoclaw
 * NanoClaw (qwibitai/nanoclaw), root = the project folder (agent-layouts.md §2). v1 keeps
 * everything relative to the project: store/messages.db, store/auth/ (WhatsApp), groups/,
 * data/sessions/, .env, plus two allowlists under ~/.config/nanoclaw/. v2 (2026-04) adds
 * data/v2.db and two SQLite files per session under data/v2-sessions/, and leaves the v1
 * store/messages.db untouched (§2.5). clawdie builds on the v1 plan (clawdie.ts).
 */
import { join } from "node:path";
import { homedir } from "node:os";
import { files, isDir, isFile, isSqlite, readText, slug, subdirs } from "./_fs.ts";
import { sqliteHasTables } from "./_health.ts";
import { PlanBuilder } from "./_plan.ts";
import type { Detection, HealthFinding, Preset, PresetOptions } from "./preset.ts";

export const nanoclaw: Preset = {
  name: "nanoclaw",
  description: "NanoClaw project folder (v1 store/messages.db, v2 data/v2.db)",
  // Container paths (/workspace/group) are not host paths: nothing to rewrite.
  pathRewrites: [],
  detect: detectNanoclaw,
  plan: async (root, opts) => (await nanoclawBuilder(root, opts)).build(),
  health: nanoclawHealth,
};

/** nanoclawHealth: the message store opens with the tables the runtime reads at start-up. */
export async function nanoclawHealth(root: string): Promise<HealthFinding[]> {
  const v1 = join(root, "store", "messages.db");
  if (await isFile(v1)) return [sqliteHasTables(v1, "store/messages.db", ["chats", "messages", "scheduled_tasks"])];
  const v2 = join(root, "data", "v2.db");
  return (await isFile(v2)) ? [sqliteHasTables(v2, "data/v2.db", [])] : [];
}

export async function detectNanoclaw(root: string): Promise<Detection> {
  const evidence: string[] = [];
  let score = 0;
  if (await isSqlite(join(root, "store", "messages.db"))) {
    score += 0.45;
    evidence.push("store/messages.db (NanoClaw v1 message store)");
  }
  if (await isSqlite(join(root, "data", "v2.db"))) {
    score += 0.5;
    evidence.push("data/v2.db (NanoClaw v2 central database)");
  }
  const groups = await subdirs(join(root, "groups"));
  const withMemory: string[] = [];
  for (const g of groups) if ((await isFile(join(root, "groups", g, "CLAUDE.md"))) || (await isFile(join(root, "groups", g, "CLAUDE.local.md")))) withMemory.push(g);
  if (withMemory.length > 0) {
    score += 0.25;
    evidence.push(`groups/{${withMemory.join(",")}}/CLAUDE.md`);
  }
  for (const d of ["data/sessions", "data/v2-sessions"]) {
    if (await isDir(join(root, d))) {
      score += 0.1;
      evidence.push(`${d}/`);
    }
  }
  if (/"name"\s*:\s*"nanoclaw"/.test((await readText(join(root, "package.json"))) ?? "")) {
    score += 0.15;
    evidence.push('package.json name "nanoclaw"');
  }
  return { confidence: Math.min(1, score), evidence };
}

/** nanoclawBuilder plans v1 or v2 items; callers may add items before build(). */
export async function nanoclawBuilder(root: string, opts: PresetOptions = {}): Promise<PlanBuilder> {
  const v2 = await isFile(join(root, "data", "v2.db"));
  const b = new PlanBuilder(root, v2 ? "v2" : "v1");
  const store = join(root, "store", "messages.db");
  if (v2) {
    b.add({ kind: "sqlite", name: "central-db", class: "database", path: join(root, "data", "v2.db"), required: true });
    await addV2Sessions(b, join(root, "data", "v2-sessions"));
    // The migration leaves the v1 store "in place and untouched" (§2.1): old history lives only there.
    if (await isFile(store)) b.add({ kind: "sqlite", name: "legacy-messages-db", class: "database", path: store, required: false });
  } else {
    b.add({ kind: "sqlite", name: "messages-db", class: "database", path: store, required: true });
    const sessions = join(root, "data", "sessions");
    // agent-runner-src/ stays: it is copied once per group and the agent may customise it.
    if (await isDir(sessions)) {
      b.add({ kind: "files", name: "sessions", class: "transcripts", path: sessions, required: true }, {
        excludes: ["debug", "shell-snapshots", "statsig"].map((d) => ({ pattern: `*/.claude/${d}`, reason: "Claude Code runtime cache" })),
      });
    }
  }
  if (await isDir(join(root, "store", "auth"))) {
    b.add({ kind: "files", name: "whatsapp-auth", class: "secret", path: join(root, "store", "auth"), required: true });
    b.notCovered.push("WhatsApp auth state (store/auth/): restoring it is time travel, WhatsApp may need pairing again (§2.2)");
  }
  if (await isFile(join(root, ".env"))) b.add({ kind: "secret", name: "env", class: "secret", path: join(root, ".env"), required: true });
  if (await isDir(join(root, "groups"))) b.add({ kind: "files", name: "groups", class: "memory", path: join(root, "groups"), required: true });
  const cfgDir = join(opts.home ?? homedir(), ".config", "nanoclaw");
  for (const name of ["mount-allowlist", "sender-allowlist"]) {
    const p = join(cfgDir, `${name}.json`);
    if (await isFile(p)) b.add({ kind: "files", name, class: "config", path: p, required: false });
  }
  await leaveOutRuntime(b, root);
  // NanoClaw names no pid file (it runs under launchd/systemd): assumed names, configurable.
  b.pidFiles.push("nanoclaw.pid", "store/nanoclaw.pid", "data/nanoclaw.pid");
  b.notCovered.push(
    "the NanoClaw checkout (src/, container/, skills applied to the code): keep it in git",
    "the agent container image: rebuild it with container/build.sh",
    "chat history older than the agent's own store: the Telegram Bot API keeps no history (§5.2)",
  );
  return b;
}

/** addV2Sessions adds inbound.db/outbound.db of every session and the rest of the folder. */
async function addV2Sessions(b: PlanBuilder, dir: string): Promise<void> {
  if (!(await isDir(dir))) return;
  for (const ag of await subdirs(dir)) {
    for (const sid of await subdirs(join(dir, ag))) {
      for (const db of ["inbound", "outbound"]) {
        const p = join(dir, ag, sid, `${db}.db`);
        if (await isFile(p)) b.add({ kind: "sqlite", name: `session-${slug(ag)}-${slug(sid)}-${db}`, class: "database", path: p, required: true });
      }
    }
  }
  b.add({ kind: "files", name: "sessions", class: "transcripts", path: dir, required: true }, {
    excludes: [{ pattern: "**/.heartbeat", reason: "liveness marker of a running container (§2.5)" }],
  });
}

/** leaveOutRuntime names what stays behind under the root, so `agent detect` can show it. */
async function leaveOutRuntime(b: PlanBuilder, root: string): Promise<void> {
  const runtime: [string, string][] = [
    ["data/ipc", "inter-process messages in flight"],
    ["data/env", "copy of .env's auth variables, rewritten at every container start (§2.2)"],
    ["logs", "logs: regenerated, often large"],
    ["node_modules", "installed packages: reinstall with npm"],
  ];
  for (const [p, why] of runtime) if (await isDir(join(root, p))) b.leaveOut(p, why);
  for (const f of await files(join(root, "data"))) {
    if (f.endsWith(".json.migrated")) b.leaveOut(`data/${f}`, "legacy JSON already imported into messages.db (§2.4)");
  }
}
