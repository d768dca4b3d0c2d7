/**
 * @module util/xdg
 * lifeboat's cache folder under the XDG rules. Kept apart from repository/cache.ts so the
 * CLI entry can find it before it loads anything else.
 */
import { homedir } from "node:os";
import { join } from "node:path";

/** lifeboatCacheDir is $XDG_CACHE_HOME/lifeboat, or ~/.cache/lifeboat. */
export function lifeboatCacheDir(): string {
  return join(process.env["XDG_CACHE_HOME"] || join(homedir(), ".cache"), "lifeboat");
}
