/**
 * @module import/openclaw
 * Reads the manifest of OpenClaw's own `openclaw backup create` archive
 * (`<archiveRoot>/manifest.json` beside `<archiveRoot>/payload/posix/<absolute path>`) and
 * turns it into an import plan: one files item per asset. Fields read: schemaVersion (1),
 * archiveRoot, createdAt, paths.stateDir, assets[].kind / sourcePath / archivePath; the rest
 * is ignored. The format records no per-file checksums, so only the gzip CRC and the
 * optional .sha256 sidecar protect the content (docs/import.md).
 */
import { posix } from "node:path";
import * as z from "zod";
import type { ItemClass } from "../model/agent.ts";
import { disagrees, MANIFEST, type ImportPlan, type PlanItem } from "./plan.ts";

const AssetSchema = z.object({ kind: z.string().regex(/^[a-z][a-z0-9-]*$/), sourcePath: z.string(), archivePath: z.string() }).loose();

const OpenclawSchema = z.object({
  schemaVersion: z.literal(1), archiveRoot: z.string().min(1), createdAt: z.string().optional(),
  paths: z.object({ stateDir: z.string().optional() }).loose().optional(), assets: z.array(AssetSchema).min(1),
}).loose();

/** An asset kind's class: credentials are secrets (restored 0600), workspaces hold identity and memory. */
const CLASSES: Record<string, ItemClass> = { state: "state", config: "config", credentials: "secret", workspace: "memory" };

/** isOpenclawManifest recognises OpenClaw's manifest by its fields. */
export function isOpenclawManifest(doc: unknown): boolean {
  return typeof doc === "object" && doc !== null && "archiveRoot" in doc && "assets" in doc;
}

/** openclawPlan maps OpenClaw's assets to files items of an agent (preset openclaw). */
export function openclawPlan(archive: string, top: string, doc: unknown, agent: string): ImportPlan {
  const r = OpenclawSchema.safeParse(doc);
  if (!r.success) throw disagrees(archive, `manifest.json is not an OpenClaw backup manifest (${r.error.issues[0]?.message ?? "invalid"})`);
  const m = r.data;
  if (m.archiveRoot !== top) throw disagrees(archive, `manifest.json names the top folder '${m.archiveRoot}', the archive has '${top}'`);
  const used = new Map<string, number>();
  const items = m.assets.map((a): PlanItem => {
    const source = posix.normalize(a.sourcePath);
    if (!source.startsWith("/") || source !== a.sourcePath.replace(/\/+$/, "") || source === "/") {
      throw disagrees(archive, `asset ${a.kind}: '${a.sourcePath}' is not a POSIX absolute path (only POSIX archives can be imported)`);
    }
    const want = `${top}/payload/posix${source}`;
    if (a.archivePath.replace(/\/+$/, "") !== want) throw disagrees(archive, `asset ${a.kind}: archivePath '${a.archivePath}' is not ${want}`);
    const n = (used.get(a.kind) ?? 0) + 1;
    used.set(a.kind, n);
    const cls = CLASSES[a.kind] ?? "other";
    return {
      name: n === 1 ? a.kind : `${a.kind}-${n}`, kind: "files", class: cls, source, secret: cls === "secret",
      encryption: "none", prefix: want.slice(top.length + 1), expect: null,
    };
  });
  overlapping(archive, items);
  const state = m.assets.find((a) => a.kind === "state")?.sourcePath;
  const root = posix.normalize(m.paths?.stateDir ?? state ?? items[0]!.source);
  const time = m.createdAt && !Number.isNaN(Date.parse(m.createdAt)) ? new Date(m.createdAt).toISOString() : new Date().toISOString();
  return {
    format: "openclaw", agent, preset: "openclaw", root, host: "unknown", time, items, skipped: [],
    notCovered: ["imported from an OpenClaw backup archive: only the assets it lists"], known: [MANIFEST], budget: null,
  };
}

/** overlapping refuses assets nested in each other: a file would belong to two items. */
function overlapping(archive: string, items: PlanItem[]): void {
  for (const a of items) {
    for (const b of items) {
      if (a !== b && (b.prefix === a.prefix || b.prefix.startsWith(a.prefix + "/"))) {
        throw disagrees(archive, `assets ${a.name} and ${b.name} overlap (${b.source} is inside ${a.source})`);
      }
    }
  }
}
