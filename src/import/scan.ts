/**
 * @module import/scan
 * The first pass over an archive: read every entry under the reader's rules, hash every
 * file, keep manifest.json, then hold the manifest against the content. Every file in an
 * item must be listed with the same sha256 (for .age files the ciphertext's), every listed
 * file must be there, and nothing may sit outside the items but the format's own files.
 * Only when this pass succeeds does anything get written (pass two, import/ingest).
 */
import { createHash } from "node:crypto";
import { sha256hex } from "../repository/objects.ts";
import { posix } from "node:path";
import { LifeboatError } from "../errors/index.ts";
import { outsideLink, refused, symlinkResolves, type ArchiveEntry } from "./entry.ts";
import { isOpenclawManifest, openclawPlan } from "./openclaw.ts";
import { disagrees, isLifeboatManifest, lifeboatPlan, MANIFEST, type ImportPlan, type PlanItem } from "./plan.ts";
import { readArchive, type Limits, type ReadStats } from "./reader.ts";

const MANIFEST_MAX = 16 * 1024 * 1024;

export interface EntryRecord {
  type: ArchiveEntry["type"];
  size: number;
  sha256?: string;
  /** For a symlink: where it points, relative to the top folder. */
  resolved?: string;
}

/** ItemLayout: how an item's content sits in the archive. */
export interface ItemLayout {
  item: PlanItem;
  /** A single file (its archived name) or a folder (null). */
  single: string | null;
}

export interface ScanResult {
  top: string;
  plan: ImportPlan;
  records: Map<string, EntryRecord>;
  layouts: ItemLayout[];
  stats: ReadStats;
}

export interface ScanOptions {
  limits: Limits;
  /** Agent name for an OpenClaw archive (its manifest has none). */
  agent?: string | undefined;
  signal?: AbortSignal | undefined;
}

/** scanArchive reads the whole archive once and returns what the second pass may import. */
export async function scanArchive(archive: string, o: ScanOptions): Promise<ScanResult> {
  const records = new Map<string, EntryRecord>();
  let manifest: Buffer | undefined;
  const limits = { ...o.limits };
  const stats: ReadStats = { compressed: 0, inflated: 0, fileBytes: 0, entries: 0 };
  const { top } = await readArchive(archive, async (e, content) => {
    if (e.type === "symlink") return void records.set(e.path, { type: e.type, size: 0, resolved: symlinkResolves(e.path, e.linkTarget!) });
    if (e.type === "dir") return void records.set(e.path, { type: e.type, size: 0 });
    if (e.path === MANIFEST) {
      if (e.size > MANIFEST_MAX) throw refused(archive, e.path, `is ${e.size} bytes, too large for a manifest`);
      manifest = await readAll(content);
      tighten(archive, manifest, limits);
      return void records.set(e.path, { type: "file", size: e.size, sha256: sha256hex(manifest) });
    }
    records.set(e.path, { type: "file", size: e.size, sha256: await sha256Of(content) });
  }, { limits, stats, hashArchive: true, signal: o.signal });
  if (!manifest) throw new LifeboatError(`import refused: ${archive}: no manifest.json in the top folder '${top}'`, { hint: "pass an archive written by `lifeboat export` or `openclaw backup create`" });
  const plan = planOf(archive, top, manifest, o.agent);
  if (plan.budget !== null && stats.fileBytes > plan.budget) throw disagrees(archive, `the content (${stats.fileBytes} bytes) exceeds what manifest.json lists`);
  return { top, plan, records, layouts: matchContent(archive, plan, records, o.limits.allowOutsideLinks === true), stats };
}

function planOf(archive: string, top: string, bytes: Buffer, agent: string | undefined): ImportPlan {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw disagrees(archive, "manifest.json is not JSON");
  }
  if (isLifeboatManifest(doc)) return lifeboatPlan(archive, doc);
  if (isOpenclawManifest(doc)) return openclawPlan(archive, top, doc, agent ?? "openclaw");
  throw disagrees(archive, "manifest.json is neither a lifeboat export nor an OpenClaw backup manifest");
}

/** tighten lowers the byte cap to what a lifeboat manifest lists, when it comes first (as export writes it). */
function tighten(archive: string, bytes: Buffer, limits: Limits): void {
  try {
    const doc: unknown = JSON.parse(bytes.toString("utf8"));
    if (isLifeboatManifest(doc)) limits.maxBytes = Math.min(limits.maxBytes, lifeboatPlan(archive, doc).budget!);
  } catch {
    // planOf reports a bad manifest once the pass is over
  }
}

/** matchContent assigns every entry to an item and compares each item with its manifest entry. */
function matchContent(archive: string, plan: ImportPlan, records: Map<string, EntryRecord>, allowOutsideLinks: boolean): ItemLayout[] {
  const owner = (path: string) => plan.items.find((i) => path === i.prefix || path.startsWith(i.prefix + "/"));
  const files = new Map<PlanItem, Map<string, EntryRecord>>(plan.items.map((i) => [i, new Map()]));
  for (const [path, r] of records) {
    const item = owner(path);
    if (r.type === "dir") continue; // folders outside items are only the way to them
    if (!item) {
      if (r.type === "file" && plan.known.includes(path)) continue;
      throw disagrees(archive, `entry '${path}' is not in the manifest`);
    }
    if (r.type === "symlink") continue; // checked below against the item's bounds
    files.get(item)!.set(path === item.prefix ? posix.basename(path) : path.slice(item.prefix.length + 1), r);
  }
  return plan.items.map((item) => {
    const got = files.get(item)!;
    if (item.expect) compareHashes(archive, item, got);
    return { item, single: layoutOf(archive, item, got, records, allowOutsideLinks) };
  });
}

function compareHashes(archive: string, item: PlanItem, got: Map<string, EntryRecord>): void {
  for (const [rel, sha] of Object.entries(item.expect!)) {
    const r = got.get(rel);
    if (!r) throw disagrees(archive, `it lists '${item.prefix}/${rel}', which the archive does not hold`);
    if (r.sha256 !== sha) throw disagrees(archive, `entry '${item.prefix}/${rel}' has sha256 ${r.sha256?.slice(0, 12)}..., the manifest says ${sha.slice(0, 12)}...`);
  }
  for (const rel of got.keys()) if (!(rel in item.expect!)) throw disagrees(archive, `entry '${item.prefix}/${rel}' is not in the manifest`);
}

/** layoutOf tells a single-file item from a folder; symlinks must stay inside their item. */
function layoutOf(archive: string, item: PlanItem, got: Map<string, EntryRecord>, records: Map<string, EntryRecord>, allowOutsideLinks: boolean): string | null {
  const below = [...records].filter(([p]) => p.startsWith(item.prefix + "/"));
  for (const [p, r] of below) {
    if (r.type !== "symlink" || allowOutsideLinks) continue;
    if (!r.resolved?.startsWith(item.prefix + "/")) throw outsideLink(archive, p, `is a symlink pointing outside its item ${item.name}`);
  }
  if (records.get(item.prefix)?.type === "file") return posix.basename(item.prefix); // an OpenClaw single-file asset
  const keys = [...got.keys()];
  const onlyFile = keys.length === 1 && below.length === 1 && !keys[0]!.includes("/") ? keys[0]! : null;
  if (item.kind !== "files") {
    if (onlyFile === null) throw disagrees(archive, `item ${item.name} (${item.kind}) must hold exactly one file`);
    return onlyFile;
  }
  // A files item is a single file when its one file carries the source's own name (docs/import.md).
  return onlyFile !== null && onlyFile.replace(/\.age$/, "") === posix.basename(item.source) && item.expect !== null ? onlyFile : null;
}

async function sha256Of(s: AsyncIterable<Uint8Array>): Promise<string> {
  const h = createHash("sha256");
  for await (const c of s) h.update(c);
  return h.digest("hex");
}

async function readAll(s: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of s) parts.push(c);
  return Buffer.concat(parts);
}
