/**
 * @module import/plan
 * What an archive's manifest says it holds, in one shape for both formats (lifeboat's
 * export, OpenClaw's own backup): the agent, and each item with its folder in the archive
 * and, for lifeboat archives, the sha256 of every file. Parsing refuses a manifest that is
 * not one (unknown kinds, item folders that are not `items/<name>`, unsafe file keys).
 */
import { posix } from "node:path";
import * as z from "zod";
import { LifeboatError } from "../errors/index.ts";
import { EXPORT_FORMAT, EXPORT_VERSION } from "../export/format.ts";
import { RESTORE_ORDER, type ItemClass, type ItemKind } from "../model/agent.ts";

export interface PlanItem {
  name: string;
  kind: ItemKind;
  class: ItemClass;
  source: string;
  secret: boolean;
  encryption: "age" | "none";
  /** The item's folder (or file) in the archive, relative to the top folder. */
  prefix: string;
  /** sha256 of every archived file by path relative to prefix; null: the format records none (OpenClaw). */
  expect: Record<string, string> | null;
  versions?: Record<string, string | number> | undefined;
  rowCounts?: Record<string, number> | undefined;
}

export interface ImportPlan {
  format: "lifeboat" | "openclaw";
  agent: string;
  preset: string;
  root: string;
  host: string;
  time: string;
  snapshot?: string | undefined;
  items: PlanItem[];
  skipped: { name: string; reason: string }[];
  notCovered: string[];
  /** Files outside the items that the format defines (read, never imported). */
  known: string[];
  /** Bytes of file content the archive may hold, from the manifest (null: no sizes recorded). */
  budget: number | null;
}

export const MANIFEST = "manifest.json";
const NAME = /^[a-z0-9][a-z0-9._-]*$/;
const KINDS = ["files", "sqlite", "postgres", "secret", "command"] as const;

const ItemSchema = z.object({
  name: z.string().regex(NAME), kind: z.enum(KINDS), class: z.enum(RESTORE_ORDER as unknown as [ItemClass, ...ItemClass[]]),
  source: z.string().min(1), path: z.string(), files: z.number().int().nonnegative(), bytes: z.number().nonnegative(),
  sha256: z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/)), secret: z.boolean(), encryption: z.enum(["age", "none"]),
  versions: z.record(z.string(), z.union([z.string(), z.number()])).optional(), rowCounts: z.record(z.string(), z.number()).optional(),
});

const ManifestSchema = z.object({
  format: z.literal(EXPORT_FORMAT), version: z.literal(EXPORT_VERSION), agent: z.string().regex(NAME), preset: z.string(),
  root: z.string().startsWith("/"), host: z.string(), time: z.string(), snapshot: z.string(), items: z.array(ItemSchema),
  skipped: z.array(z.object({ name: z.string(), reason: z.string() })), notCovered: z.array(z.string()),
}).loose();

/** isLifeboatManifest tells the two formats apart by the `format` field. */
export function isLifeboatManifest(doc: unknown): boolean {
  return typeof doc === "object" && doc !== null && (doc as { format?: unknown }).format === EXPORT_FORMAT;
}

/** lifeboatPlan validates an export's manifest.json. */
export function lifeboatPlan(archive: string, doc: unknown): ImportPlan {
  const r = ManifestSchema.safeParse(doc);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw disagrees(archive, `manifest.json is not a valid lifeboat export manifest (${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"})`);
  }
  const m = r.data;
  const names = new Set<string>();
  const items = m.items.map((i): PlanItem => {
    if (names.has(i.name)) throw disagrees(archive, `manifest.json lists item ${i.name} twice`);
    names.add(i.name);
    if (i.path !== `items/${i.name}`) throw disagrees(archive, `item ${i.name}: its folder must be items/${i.name}, not '${i.path}'`);
    if (i.kind !== "postgres" && !i.source.startsWith("/")) throw disagrees(archive, `item ${i.name}: source '${i.source}' is not an absolute path`);
    for (const key of Object.keys(i.sha256)) checkKey(archive, i.name, key, i.encryption);
    return {
      name: i.name, kind: i.kind, class: i.class, source: i.source, secret: i.secret, encryption: i.encryption,
      prefix: i.path, expect: i.sha256, versions: i.versions, rowCounts: i.rowCounts,
    };
  });
  const total = m.items.reduce((s, i) => s + i.bytes, 0);
  const files = m.items.reduce((s, i) => s + i.files, 0);
  return {
    format: "lifeboat", agent: m.agent, preset: m.preset, root: m.root, host: m.host, time: m.time, snapshot: m.snapshot,
    items, skipped: m.skipped, notCovered: m.notCovered, known: [MANIFEST, "RUNBOOK.md"],
    // age adds a header and 16 bytes per 64 KiB; manifest.json and RUNBOOK.md are small.
    budget: Math.ceil(total * 1.01) + files * 4096 + 64 * 1024 * 1024,
  };
}

/** checkKey refuses a manifest file key that is not a plain relative path. */
function checkKey(archive: string, item: string, key: string, encryption: string): void {
  const norm = posix.normalize(key);
  if (key === "" || key.startsWith("/") || norm !== key || norm.startsWith("../") || key.includes("\0")) {
    throw disagrees(archive, `item ${item}: manifest.json lists the unsafe path '${key}'`);
  }
  if (encryption === "age" && !key.endsWith(".age")) throw disagrees(archive, `item ${item} is age-encrypted but lists '${key}' without .age`);
}

/** disagrees is the error for a manifest that does not match the archive. */
export function disagrees(archive: string, why: string): LifeboatError {
  return new LifeboatError(`import refused: ${archive}: manifest disagrees with the content: ${why}`, {
    hint: "the archive was changed or damaged after it was written; nothing was written",
  });
}
