/**
 * @module util/glob
 * The glob dialect of preset exclusions, so `agent detect` can say which present paths an
 * exclusion leaves out. Patterns are "/"-separated and relative (to an item's path or to the
 * agent root); `**` spans folders, `*` and `?` stay inside one name, and dot-files match like
 * any other name (agent state is full of them: .env, .git, .claude). Used for root-relative
 * "left out" patterns and pid-file globs; files items are matched by sources/exclude.ts.
 */

const cache = new Map<string, RegExp>();

/** globRegExp compiles a pattern; `dir/**` also matches `dir` itself. */
export function globRegExp(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (re !== undefined) return re;
  let src = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*" && pattern[i + 1] === "*") {
      const slashBefore = i === 0 || pattern[i - 1] === "/";
      const slashAfter = pattern[i + 2] === "/";
      const atEnd = i + 2 === pattern.length;
      if (slashBefore && slashAfter) {
        src += "(?:.*/)?";
        i += 2;
      } else if (slashBefore && atEnd && src.endsWith("/")) {
        src = `${src.slice(0, -1)}(?:/.*)?`;
        i += 1;
      } else {
        src += ".*";
        i += 1;
      }
    } else if (c === "*") src += "[^/]*";
    else if (c === "?") src += "[^/]";
    else src += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  re = new RegExp(`^${src}$`);
  cache.set(pattern, re);
  return re;
}

/** matchGlob is true when `rel` matches `pattern`. */
export function matchGlob(rel: string, pattern: string): boolean {
  return globRegExp(pattern).test(rel);
}
