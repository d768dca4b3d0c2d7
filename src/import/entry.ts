/**
 * @module import/entry
 * Validates one tar header of an archive being imported, before anything uses it: the name
 * (no NUL, no absolute path, no `..` segment, under the single top folder), the type (only
 * files, folders and relative symlinks that stay inside the archive; never hard links,
 * devices or fifos), duplicates, and paths that would pass through a symlink or a file.
 * Pure bookkeeping; the reader feeds it every header in archive order.
 */
import { posix } from "node:path";
import type { Header as Headers } from "tar-stream";
import { LifeboatError } from "../errors/index.ts";

/** ArchiveEntry is a header that passed every check. */
export interface ArchiveEntry {
  /** Normalised path below the top folder ("" is the top folder itself). */
  path: string;
  type: "file" | "dir" | "symlink";
  size: number;
  /** Permission bits only: setuid, setgid and sticky bits from an archive are dropped. */
  mode: number;
  mtimeNs: string;
  linkTarget?: string;
}

/** refused is the one error every hostile-archive rule throws. */
export function refused(archive: string, entry: string, why: string): LifeboatError {
  return new LifeboatError(`import refused: ${archive}: entry '${entry.replace(/[\0-\x1f]/g, "?")}' ${why}`, {
    hint: "the archive is damaged or was not written by lifeboat export / openclaw backup; nothing was written",
  });
}

/**
 * outsideLink refuses a symlink leaving the archive. Agents do hold such links (OpenClaw skills
 * pointing into /opt), so the hint names the switch that restores them as links, unfollowed.
 */
export function outsideLink(archive: string, entry: string, why: string): LifeboatError {
  return new LifeboatError(`import refused: ${archive}: entry '${entry.replace(/[\0-\x1f]/g, "?")}' ${why}`, {
    hint: "if you trust this archive (an agent's own links into /opt or $HOME), pass --allow-outside-symlinks: links are restored as links and never followed; nothing was written",
  });
}

/** EntryChecker remembers what earlier headers declared (duplicates, links, files). */
export class EntryChecker {
  top: string | undefined;
  private readonly kinds = new Map<string, ArchiveEntry["type"]>();
  private readonly implied = new Set<string>();
  private readonly archive: string;
  private readonly allowOutsideLinks: boolean;

  constructor(archive: string, allowOutsideLinks = false) {
    this.archive = archive;
    this.allowOutsideLinks = allowOutsideLinks;
  }

  check(h: Headers): ArchiveEntry {
    const raw = h.name;
    const path = this.relativePath(raw, h.type === "directory");
    const type = entryType(h.type);
    if (type === null) throw refused(this.archive, raw, `is ${TYPE_NAMES[h.type ?? ""] ?? `a ${h.type} entry`} (only files, folders and relative symlinks are allowed)`);
    if (this.kinds.has(path)) throw refused(this.archive, raw, "appears twice");
    if (type !== "dir" && this.implied.has(path)) throw refused(this.archive, raw, "replaces a folder other entries are in");
    this.checkAncestors(raw, path);
    const entry: ArchiveEntry = { path, type, size: type === "file" ? h.size ?? 0 : 0, mode: (h.mode ?? 0o600) & 0o777, mtimeNs: mtimeNs(h.mtime, (h.pax as Record<string, string> | undefined)?.mtime) };
    if (type === "symlink") entry.linkTarget = this.linkTarget(raw, path, h.linkname ?? "");
    this.kinds.set(path, type);
    return entry;
  }

  /** relativePath normalises the name and strips the top folder, refusing anything that escapes. */
  private relativePath(raw: string, isDir: boolean): string {
    if (raw.includes("\0")) throw refused(this.archive, raw, "has a NUL byte in its name");
    if (raw.startsWith("/") || /^[A-Za-z]:/.test(raw)) throw refused(this.archive, raw, "has an absolute path");
    if (raw.includes("\\")) throw refused(this.archive, raw, "has a backslash in its name");
    const parts = raw.split("/").filter((p) => p !== "" && p !== ".");
    if (parts.includes("..")) throw refused(this.archive, raw, "has a '..' segment");
    const [first, ...rest] = parts;
    if (first === undefined) throw refused(this.archive, raw, "has an empty name");
    if (rest.length === 0 && !isDir) throw refused(this.archive, raw, "is outside a top folder (the archive must hold one top folder)");
    this.top ??= first;
    if (first !== this.top) throw refused(this.archive, raw, `is outside the archive's top folder '${this.top}'`);
    return rest.join("/");
  }

  /** checkAncestors refuses a path below a symlink or a file (writing through a link escapes the target). */
  private checkAncestors(raw: string, path: string): void {
    let dir = path;
    while (dir.includes("/")) {
      dir = posix.dirname(dir);
      const kind = this.kinds.get(dir);
      if (kind === "symlink") throw refused(this.archive, raw, `passes through the symlink '${dir}'`);
      if (kind === "file") throw refused(this.archive, raw, `is below the file '${dir}'`);
      this.implied.add(dir);
    }
    if (path !== "") this.implied.add("");
  }

  private linkTarget(raw: string, path: string, target: string): string {
    if (target === "" || target.includes("\0")) throw refused(this.archive, raw, "is a symlink without a valid target");
    if (this.allowOutsideLinks) return target;
    if (target.startsWith("/")) throw outsideLink(this.archive, raw, `is a symlink to the absolute path '${target}'`);
    const resolved = posix.normalize(posix.join(posix.dirname(path), target));
    if (resolved === ".." || resolved.startsWith("../")) throw outsideLink(this.archive, raw, `is a symlink pointing outside the archive ('${target}')`);
    return target;
  }
}

const TYPE_NAMES: Record<string, string> = {
  link: "a hard link", "character-device": "a character device", "block-device": "a block device", fifo: "a fifo",
};

function entryType(t: Headers["type"]): ArchiveEntry["type"] | null {
  if (t === "file" || t === "contiguous-file" || t === undefined || t === null) return "file";
  if (t === "directory") return "dir";
  if (t === "symlink") return "symlink";
  return null; // link (hard link), character-device, block-device, fifo, anything unknown
}

/** mtimeNs prefers the PAX `mtime` record (sub-second, as lifeboat export and GNU tar write it). */
function mtimeNs(d: Date | undefined, pax?: string): string {
  const m = pax ? /^(\d{1,15})(?:\.(\d{1,9}))?$/.exec(pax) : null;
  if (m) return (BigInt(m[1]!) * 1_000_000_000n + BigInt((m[2] ?? "").padEnd(9, "0"))).toString();
  const ms = d && Number.isFinite(d.getTime()) ? Math.max(0, d.getTime()) : Date.now();
  return (BigInt(Math.trunc(ms)) * 1_000_000n).toString();
}

/** symlinkResolves returns where a symlink at `path` points, relative to the top folder. */
export function symlinkResolves(path: string, target: string): string {
  return posix.normalize(posix.join(posix.dirname(path), target));
}
