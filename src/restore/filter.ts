/**
 * @module restore/filter
 * Include/exclude selection with restic's semantics: paths are the absolute paths inside
 * the snapshot; an exclude matches a path or any of its parents; with includes, a path is
 * selected if it matches, lies under a match, or is a parent of something that may match.
 */
import { matchesGlob } from "node:path";

export interface PathFilter {
  /** selected: restore this node (a directory may be selected only to reach its children). */
  selected(path: string, isDir: boolean): boolean;
  /**
   * whole: the node itself is chosen, not only passed through. Restore applies metadata only
   * to whole nodes, so restoring one folder into / never re-times or re-modes /home.
   */
  whole(path: string): boolean;
}

export function createFilter(include: string[] = [], exclude: string[] = []): PathFilter {
  return {
    selected(path, isDir) {
      if (exclude.some((g) => matchSelfOrParent(path, g))) return false;
      if (include.length === 0) return true;
      return include.some((g) => matchSelfOrParent(path, g) || (isDir && mayContain(path, g)));
    },
    whole(path) {
      return include.length === 0 || include.some((g) => matchSelfOrParent(path, g));
    },
  };
}

function matchSelfOrParent(path: string, glob: string): boolean {
  const pattern = glob.startsWith("/") ? glob : `**/${glob}`;
  for (let p = path; p.length > 0; p = p.slice(0, Math.max(0, p.lastIndexOf("/")))) {
    if (matchesGlob(p, pattern)) return true;
  }
  return false;
}

/** mayContain is true when a directory could hold a path the glob matches. */
function mayContain(dir: string, glob: string): boolean {
  if (!glob.startsWith("/")) return true;
  const parts = glob.split("/");
  const dirParts = dir.split("/");
  for (let i = 1; i < dirParts.length; i++) {
    const g = parts[i];
    if (g === undefined) return false;
    if (g === "**") return true;
    if (!matchesGlob(dirParts[i]!, g)) return false;
  }
  return true;
}
