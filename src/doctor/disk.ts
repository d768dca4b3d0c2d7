/**
 * @module doctor/disk
 * Free space where lifeboat writes: the repository's disk (every backup adds packs) and
 * each agent root's (SQLite capture writes a temporary copy beside the database, and an
 * agent on a full disk cannot write its memory). One finding per file system, naming
 * everything on it, so a single-disk machine gets one line, not one per agent.
 */
import { stat, statfs } from "node:fs/promises";
import { dirname } from "node:path";
import { formatBytes } from "../ui/index.ts";
import { error, ok, warn, type Finding } from "./types.ts";

const CHECK = "disk";
const GiB = 1024 ** 3;

export interface DiskThresholds {
  /** Warn below this many free bytes (default 1 GiB). */
  minFree: number;
  /** Warn below this fraction free (default 10%). */
  minRatio: number;
  /** Error below this many free bytes (default 100 MiB): the next backup or capture would likely fail. */
  critical: number;
}

export const DISK_THRESHOLDS: DiskThresholds = { minFree: GiB, minRatio: 0.1, critical: 100 * 1024 ** 2 };

/** DiskTarget is a folder to check; `repository` marks the repository's. */
export interface DiskTarget {
  label: string;
  path: string;
  repository?: boolean;
}

/** checkDisk stats each target's file system once. */
export async function checkDisk(targets: DiskTarget[], t: DiskThresholds = DISK_THRESHOLDS): Promise<Finding[]> {
  const groups = new Map<string, { path: string; targets: DiskTarget[] }>();
  for (const target of targets) {
    const path = await existingAncestor(target.path);
    const dev = String((await stat(path)).dev);
    const g = groups.get(dev) ?? { path, targets: [] };
    g.targets.push(target);
    groups.set(dev, g);
  }
  const out: Finding[] = [];
  for (const g of groups.values()) {
    const fs = await statfs(g.path);
    const free = fs.bavail * fs.bsize;
    const total = fs.blocks * fs.bsize;
    const ratio = total > 0 ? free / total : 1;
    const who = g.targets.map((x) => x.label).join(", ");
    const text = `${who}: ${formatBytes(free)} free of ${formatBytes(total)} (${Math.floor(ratio * 100)}%) at ${g.path}`;
    const fix = g.targets.some((x) => x.repository)
      ? "free space on that disk (`lifeboat forget --prune` drops old snapshots), or move the repository to a larger disk"
      : "free space on that disk: an agent on a full disk cannot write its memory, and SQLite capture needs room for a copy";
    if (free < t.critical) out.push(error(CHECK, text, fix));
    else if (free < t.minFree || ratio < t.minRatio) out.push(warn(CHECK, text, fix));
    else out.push(ok(CHECK, text));
  }
  return out;
}

/** existingAncestor walks up to a folder that exists (a repository not created yet still has a disk). */
async function existingAncestor(p: string): Promise<string> {
  for (let cur = p; ; cur = dirname(cur)) {
    if ((await stat(cur).catch(() => null)) !== null || dirname(cur) === cur) return cur;
  }
}
