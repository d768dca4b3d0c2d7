/**
 * @module repository/cache
 * A local cache of index and snapshot objects, so a backup to a remote repository does
 * not download the index every time. It holds the stored (encrypted) bytes only, so
 * nothing readable touches the disk; entries are checked against their SHA-256 name.
 */
import { mkdir, readFile, readdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { lifeboatCacheDir } from "../util/xdg.ts";
import { sha256hex } from "./objects.ts";

export type CachedType = "index" | "snapshot";

/** defaultCacheDir follows XDG: $XDG_CACHE_HOME/lifeboat or ~/.cache/lifeboat. */
export function defaultCacheDir(): string {
  return lifeboatCacheDir();
}

export class ObjectCache {
  private readonly dir: string;

  constructor(baseDir: string, repoId: string) {
    this.dir = join(baseDir, repoId);
  }

  async get(type: CachedType, name: string): Promise<Uint8Array | null> {
    try {
      const bytes = await readFile(join(this.dir, type, name));
      if (sha256hex(bytes) === name) return bytes;
      await rm(join(this.dir, type, name), { force: true });
    } catch {
      // A missing or unreadable cache entry is a miss; the repository is the truth.
    }
    return null;
  }

  async put(type: CachedType, name: string, bytes: Uint8Array): Promise<void> {
    const dir = join(this.dir, type);
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const tmp = join(dir, `.tmp-${name}-${process.pid}`);
      await writeFile(tmp, bytes, { mode: 0o600 });
      await rename(tmp, join(dir, name));
    } catch {
      // The cache is an optimisation: a full or read-only cache disk must not fail a backup.
    }
  }

  /** retain removes cached entries of `type` that are no longer in the repository. */
  async retain(type: CachedType, keep: ReadonlySet<string>): Promise<void> {
    let names: string[];
    try { names = await readdir(join(this.dir, type)); } catch { return; }
    await Promise.all(names.filter((n) => !keep.has(n)).map((n) => rm(join(this.dir, type, n), { force: true })));
  }
}
