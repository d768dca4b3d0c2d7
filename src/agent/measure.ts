/**
 * @module agent/measure
 * What a plan would capture, measured on disk: files and bytes per item, the paths left
 * out grouped by reason (only those actually present), and symlinks pointing out of the
 * tree. Files items are walked with the files source's own exclusion function
 * (sources/exclude.ts), so `agent detect` shows exactly what a backup leaves out.
 */
import { lstat, readlink, readdir, stat } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { buildExclude } from "../sources/exclude.ts";
import { matchGlob } from "../util/glob.ts";
import { within } from "./presets/_fs.ts";
import { walk } from "./presets/_walk.ts";
import type { PresetPlan } from "./presets/preset.ts";
import type { FilesItem, Item } from "./types.ts";

export interface ItemSize {
  name: string;
  exists: boolean;
  files: number;
  bytes: number;
  /** Bytes in a SQLite database's -wal sidecar (a writer has it open). */
  walBytes?: number;
  /** The walk stopped at its entry limit: the figures are a lower bound. */
  truncated?: boolean;
}

/** LeftOut: present paths left out for one reason (by one item, or under the root by none). */
export interface LeftOut {
  item: string | null;
  reason: string;
  count: number;
  bytes: number;
  /** Up to 3 of the paths (folders end in "/"); `paths` counts them all. */
  examples: string[];
  paths: number;
}

export interface Measurement {
  sizes: ItemSize[];
  leftOut: LeftOut[];
  /** "rel -> target" for symlinks whose target lies outside the root (stored as links). */
  externalLinks: string[];
}

export async function measurePlan(root: string, plan: PresetPlan, maxEntries = 200_000): Promise<Measurement> {
  const m: Measurement = { sizes: [], leftOut: [], externalLinks: [] };
  // The files source names its reason "excluded by GLOB" for an item's own patterns: show the preset's words.
  const why = (item: string, reason: string) => {
    const g = reason.startsWith("excluded by ") ? reason.slice(12) : null;
    return plan.excluded.find((e) => e.item === item && e.pattern === g)?.reason ?? reason;
  };
  for (const item of plan.items) m.sizes.push(await measureItem(root, item, plan.items, m, maxEntries, why));
  for (const e of plan.excluded) if (e.item === null) await measureRootPattern(root, e.pattern, e.reason, m);
  return m;
}

type Why = (item: string, reason: string) => string;

async function measureItem(root: string, item: Item, all: Item[], m: Measurement, maxEntries: number, why: Why): Promise<ItemSize> {
  if (!("path" in item)) return { name: item.name, exists: true, files: 0, bytes: 0 };
  const st = await stat(item.path).catch(() => null);
  if (st === null) return { name: item.name, exists: false, files: 0, bytes: 0 };
  if (item.kind === "sqlite") {
    const wal = (await stat(`${item.path}-wal`).catch(() => null))?.size ?? 0;
    return { name: item.name, exists: true, files: 1, bytes: st.size, ...(wal > 0 ? { walBytes: wal } : {}) };
  }
  if (!st.isDirectory() || item.kind !== "files") return { name: item.name, exists: true, files: 1, bytes: st.size };
  return measureFolder(root, item, all, m, maxEntries, why);
}

async function measureFolder(root: string, item: FilesItem, all: Item[], m: Measurement, maxEntries: number, why: Why): Promise<ItemSize> {
  const covered = all.filter((o) => o !== item && "path" in o && o.path !== item.path && within(o.path, item.path))
    .map((o) => ({ path: relative(item.path, (o as { path: string }).path).split(sep).join("/"), item: o.name }));
  const exclude = buildExclude({ include: item.include, exclude: item.exclude, coveredElsewhere: covered });
  const size: ItemSize = { name: item.name, exists: true, files: 0, bytes: 0 };
  const pending: Promise<void>[] = [];
  const { truncated } = await walk(item.path, (e) => {
    if (e.type === "file") {
      size.files++;
      size.bytes += e.size;
    } else if (e.type === "symlink") pending.push(noteLink(root, e.abs, m));
  }, {
    exclude,
    maxEntries,
    onExcluded: (e, reason) => {
      if (reason.startsWith("captured by item ")) return;
      const shown = (within(e.abs, root) ? relative(root, e.abs) : e.abs) + (e.type === "dir" ? "/" : "");
      pending.push(du(e.abs).then(({ count, bytes }) => record(m, item.name, why(item.name, reason), shown, count, bytes)));
    },
  });
  await Promise.all(pending);
  return truncated ? { ...size, truncated } : size;
}

/** measureRootPattern reports a root-relative pattern (wildcards in the last part only). */
async function measureRootPattern(root: string, pattern: string, reason: string, m: Measurement): Promise<void> {
  const parent = dirname(pattern) === "." ? "" : dirname(pattern);
  const last = pattern.slice(parent === "" ? 0 : parent.length + 1);
  const names = /[*?]/.test(last) ? (await readdir(join(root, parent)).catch(() => [] as string[])).filter((n) => matchGlob(n, last)) : [last];
  for (const n of names) {
    const abs = join(root, parent, n);
    if ((await lstat(abs).catch(() => null)) === null) continue;
    const { count, bytes } = await du(abs);
    const isDir = (await lstat(abs).catch(() => null))?.isDirectory() === true;
    record(m, null, reason, relative(root, abs) + (isDir ? "/" : ""), count, bytes);
  }
}

function record(m: Measurement, item: string | null, reason: string, path: string, count: number, bytes: number): void {
  let g = m.leftOut.find((l) => l.item === item && l.reason === reason);
  if (g === undefined) m.leftOut.push((g = { item, reason, count: 0, bytes: 0, examples: [], paths: 0 }));
  g.paths++;
  g.count += count;
  g.bytes += bytes;
  if (g.examples.length < 3) g.examples.push(path);
  g.examples.sort();
}

/** du counts the files and bytes at `abs` (a file, or a folder walked without following links). */
async function du(abs: string): Promise<{ count: number; bytes: number }> {
  const st = await lstat(abs).catch(() => null);
  if (st === null || !st.isDirectory()) return { count: 1, bytes: st?.isFile() ? st.size : 0 };
  let count = 0;
  let bytes = 0;
  await walk(abs, (e) => {
    if (e.type === "dir") return;
    count++;
    bytes += e.size;
  }, { maxEntries: 50_000 });
  return { count, bytes };
}

async function noteLink(root: string, abs: string, m: Measurement): Promise<void> {
  const target = await readlink(abs).catch(() => null);
  if (target === null) return;
  const resolved = isAbsolute(target) ? target : resolve(dirname(abs), target);
  if (!within(resolved, root)) m.externalLinks.push(`${relative(root, abs)} -> ${target}`);
}
