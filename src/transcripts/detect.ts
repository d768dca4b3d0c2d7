/**
 * @module transcripts/detect
 * Which sources an agent has, and where its day files go. Detected from the agent's items
 * (a sqlite item messages-db / legacy-messages-db or any store/messages.db; a transcripts
 * item or `agents/*\/sessions` folder holding OpenClaw JSONL), plus the configured sources.
 * Default memory folders per preset (config `memory_dir` overrides them all):
 *   openclaw:          the agent's workspace memory/ (`workspace-<id>` item, else `workspace`)
 *   nanoclaw, clawdie: groups/<folder>/memory for a registered chat, else groups/main/memory
 *   hermes:            memories/
 *   others:            memory/ under the root
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { AgentConfig, Item } from "../model/agent.ts";
import { messagesDbSource } from "./messagesdb.ts";
import { isTranscriptFile, openclawSource } from "./openclaw.ts";
import type { TranscriptSettings } from "./schema.ts";
import { telegramExportSource } from "./telegram-export.ts";
import type { TranscriptSource } from "./types.ts";

const DEFAULT_SETTINGS: TranscriptSettings = { detect: true, sources: [] };

/** agentSources lists the agent's transcript sources, detected ones first, without duplicates. */
export async function agentSources(agent: AgentConfig, settings: TranscriptSettings = DEFAULT_SETTINGS): Promise<TranscriptSource[]> {
  const found: TranscriptSource[] = [];
  if (settings.detect) {
    for (const path of await messageStores(agent)) found.push(messagesDb(agent, settings, path));
    for (const dir of await sessionFolders(agent)) found.push(await openclaw(agent, settings, dir));
  }
  for (const s of settings.sources) {
    if (s.kind === "telegram-export") found.push(telegramExportSource({ path: s.path, memoryDir: defaultMemoryDir(agent, settings) }));
    else if (s.kind === "messages-db") found.push(messagesDb(agent, settings, s.path));
    else found.push(await openclaw(agent, settings, s.path));
  }
  return [...new Map(found.map((s) => [s.id, s])).values()];
}

/** defaultMemoryDir is where day files go when neither the message nor the source says otherwise. */
export function defaultMemoryDir(agent: AgentConfig, settings: Pick<TranscriptSettings, "memoryDir"> = {}): string {
  if (settings.memoryDir !== undefined) return settings.memoryDir;
  switch (agent.preset) {
    case "openclaw": return join(itemPath(agent.items, "workspace") ?? join(agent.root, "workspace"), "memory");
    case "nanoclaw":
    case "clawdie": return join(agent.root, "groups", "main", "memory");
    case "hermes": return join(agent.root, "memories");
    default: return join(agent.root, "memory");
  }
}

function messagesDb(agent: AgentConfig, settings: TranscriptSettings, path: string): TranscriptSource {
  // A configured memory_dir takes every chat; otherwise each registered chat goes to its group.
  const groups = settings.memoryDir === undefined ? { groupsDir: join(agent.root, "groups") } : {};
  return messagesDbSource({ path, memoryDir: defaultMemoryDir(agent, settings), ...groups });
}

async function openclaw(agent: AgentConfig, settings: TranscriptSettings, dir: string): Promise<TranscriptSource> {
  const id = basename(dirname(dir));
  const own = itemPath(agent.items, `workspace-${slug(id)}`);
  const memoryDir = settings.memoryDir ?? (own !== undefined ? join(own, "memory") : defaultMemoryDir(agent));
  return openclawSource({ path: dir, memoryDir, agentName: (await identityName(dirname(memoryDir))) ?? id });
}

async function messageStores(agent: AgentConfig): Promise<string[]> {
  const paths = agent.items.filter((i) => i.kind === "sqlite" && (i.name === "messages-db" || i.name === "legacy-messages-db" || i.path.endsWith("/store/messages.db")))
    .map((i) => (i as { path: string }).path);
  const out: string[] = [];
  for (const p of paths) if (await isFile(p)) out.push(p);
  return out;
}

/** sessionFolders: transcripts items and agents/*\/sessions that hold OpenClaw JSONL (NanoClaw's Claude SDK sessions do not). */
async function sessionFolders(agent: AgentConfig): Promise<string[]> {
  const candidates = agent.items.filter((i) => i.kind === "files" && i.class === "transcripts").map((i) => (i as { path: string }).path);
  const agents = await readdir(join(agent.root, "agents")).catch(() => [] as string[]);
  candidates.push(...agents.sort().map((a) => join(agent.root, "agents", a, "sessions")));
  const out: string[] = [];
  for (const dir of new Set(candidates)) {
    const names = await readdir(dir).catch(() => [] as string[]);
    if (names.includes("sessions.json") || names.some(isTranscriptFile)) out.push(dir);
  }
  return out;
}

/** identityName is the `**Name:**` of a workspace's IDENTITY.md (§1.3), how the agent signs its turns. */
async function identityName(workspace: string): Promise<string | undefined> {
  const text = await readFile(join(workspace, "IDENTITY.md"), "utf8").catch(() => "");
  return /\*\*Name:\*\*\s*([^\n]+)/.exec(text)?.[1]?.trim() || undefined;
}

function itemPath(items: Item[], name: string): string | undefined {
  const it = items.find((i) => i.name === name);
  return it && "path" in it ? it.path : undefined;
}

async function isFile(p: string): Promise<boolean> {
  return stat(p).then((s) => s.isFile(), () => false);
}

/** slug as the presets name items (agent/presets/_fs.ts), so sessions of agent X find workspace-X. */
function slug(s: string): string {
  const out = s.toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^[^a-z0-9]+/, "").replace(/-+$/, "");
  return out === "" ? "x" : out;
}
