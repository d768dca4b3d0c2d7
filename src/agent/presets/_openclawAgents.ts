/**
 * @module agent/presets/_openclawAgents
 * Which agents an OpenClaw state folder holds and where their workspaces are. Agents come
 * from three places, because each alone misses some (agent-layouts.md §1.7, §1.2):
 * openclaw.json `agents.list[]` or the 2026.9 keyed `agents.entries{}` (#142580), the
 * `agents/<id>/` folders, and `workspace-<id>/` folders. Workspaces are probed at the
 * configured path, `workspace` (default agent), `workspace-<id>` and `agents/<id>/workspace`,
 * since `openclaw agents add` and the resolver disagreed about the last two (#11717).
 */
import { join } from "node:path";
import { expandPath, isDir, readText, subdirs } from "./_fs.ts";
import { parseJson5 } from "./_json5.ts";

/** CONFIG_NAMES: current first, then the Clawdbot/Moltbot names still honoured (§1.1). */
export const CONFIG_NAMES = ["openclaw.json", "clawdbot.json", "moldbot.json", "moltbot.json"];

export interface OpenclawConfig {
  file: string | null;
  data: Record<string, unknown>;
  error?: string;
}

export interface OpenclawAgent {
  id: string;
  isDefault: boolean;
  /** Existing workspace folders, most authoritative first. */
  workspaces: string[];
  /** Places probed, for the "no workspace" warning. */
  probed: string[];
  agentDir: string;
  sources: string[];
}

export async function readConfig(root: string): Promise<OpenclawConfig> {
  for (const name of CONFIG_NAMES) {
    const text = await readText(join(root, name));
    if (text === null) continue;
    try {
      const data = parseJson5(text);
      return { file: join(root, name), data: isObj(data) ? data : {} };
    } catch (err) {
      const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
      return { file: join(root, name), data: {}, error: `${name}: not valid JSON5 (${cause})` };
    }
  }
  return { file: null, data: {} };
}

interface Entry {
  id: string;
  default?: boolean;
  workspace?: string;
  agentDir?: string;
}

/** configEntries reads agents.list[] or agents.entries{} (keyed by id). */
function configEntries(data: Record<string, unknown>): { entries: Entry[]; defaults: Record<string, unknown> } {
  const agents = isObj(data.agents) ? data.agents : {};
  const defaults = isObj(agents.defaults) ? agents.defaults : {};
  const raw: unknown[] = Array.isArray(agents.list)
    ? agents.list
    : isObj(agents.entries)
      ? Object.entries(agents.entries).map(([id, v]) => ({ id, ...(isObj(v) ? v : {}) }))
      : [];
  const entries = raw.filter(isObj).filter((e) => typeof e.id === "string" && e.id !== "").map((e) => ({
    id: e.id as string,
    ...(e.default === true ? { default: true } : {}),
    ...(typeof e.workspace === "string" ? { workspace: e.workspace } : {}),
    ...(typeof e.agentDir === "string" ? { agentDir: e.agentDir } : {}),
  }));
  return { entries, defaults };
}

export async function listAgents(root: string, cfg: OpenclawConfig, home?: string): Promise<OpenclawAgent[]> {
  const { entries, defaults } = configEntries(cfg.data);
  const byId = new Map<string, { entry?: Entry; sources: string[] }>();
  const note = (id: string, source: string, entry?: Entry) => {
    const a = byId.get(id) ?? { sources: [] };
    if (entry !== undefined) a.entry = entry;
    a.sources.push(source);
    byId.set(id, a);
  };
  for (const e of entries) note(e.id, "config", e);
  for (const id of await subdirs(join(root, "agents"))) note(id, "agents/");
  for (const d of await subdirs(root)) if (d.startsWith("workspace-") && d.length > 10) note(d.slice(10), "workspace-*");
  if (byId.size === 0 && (await isDir(join(root, "workspace")))) note("main", "workspace/");

  const defaultId = entries.find((e) => e.default === true)?.id ?? (byId.has("main") ? "main" : [...byId.keys()][0]);
  const out: OpenclawAgent[] = [];
  for (const [id, { entry, sources }] of [...byId].sort((a, b) => a[0].localeCompare(b[0]))) {
    const isDefault = id === defaultId;
    const probed = [
      entry?.workspace,
      isDefault && typeof defaults.workspace === "string" ? defaults.workspace : undefined,
      isDefault ? "workspace" : undefined,
      `workspace-${id}`,
      `agents/${id}/workspace`,
    ].filter((p): p is string => p !== undefined).map((p) => expandPath(p, root, home));
    const unique = [...new Set(probed)];
    const workspaces: string[] = [];
    for (const p of unique) if (await isDir(p)) workspaces.push(p);
    const agentDir = entry?.agentDir !== undefined ? expandPath(entry.agentDir, root, home) : join(root, "agents", id, "agent");
    out.push({ id, isDefault, workspaces, probed: unique, agentDir, sources });
  }
  return out;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
