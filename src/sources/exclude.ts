/**
 * @module sources/exclude
 * Builds the exclusion function of a files item: its own include/exclude globs (relative to
 * the item path), the VOLATILE runtime patterns, and lifeboat's own temporary files. Every
 * exclusion carries the reason `agent detect` and the manifest show.
 */
import { matchGlob } from "../util/glob.ts";
import { VOLATILE } from "../model/agent.ts";
import type { ExcludeFn } from "./source.ts";

const OWN = ".lifeboat-";

/**
 * globMatches tests a relative path with util/glob (where `**` enters dot-folders such as
 * .git and .claude, unlike path.matchesGlob); `dir/**` also matches the folder itself.
 */
function globMatches(rel: string, pattern: string): boolean {
  return matchGlob(rel, pattern);
}

export interface ExcludeOptions {
  include?: string[] | undefined;
  exclude?: string[] | undefined;
  /** Relative paths captured by other items (databases, secrets) — left out here. */
  coveredElsewhere?: { path: string; item: string }[];
  volatile?: boolean;
}

export function buildExclude(o: ExcludeOptions): ExcludeFn {
  const volatile = o.volatile === false ? [] : VOLATILE;
  return (rel, isDir) => {
    const base = rel.slice(rel.lastIndexOf("/") + 1);
    if (base.startsWith(OWN)) return "lifeboat temporary file";
    const other = o.coveredElsewhere?.find((c) => c.path === rel);
    if (other) return `captured by item ${other.item}`;
    for (const g of o.exclude ?? []) if (globMatches(rel, g)) return `excluded by ${g}`;
    for (const v of volatile) if (globMatches(rel, v.pattern)) return v.reason;
    if (!isDir && o.include && o.include.length > 0 && !o.include.some((g) => matchGlob(rel, g))) return "not matched by include";
    return null;
  };
}
