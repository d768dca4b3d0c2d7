/**
 * @module watch/watcher
 * Turns file-system activity into change events. Folders: a recursive fs.watch (inotify on
 * Linux), re-armed after errors and once a missing folder appears. Single files: a stat
 * every `pollMs`, because fs.watch on a file follows the inode and misses a file replaced
 * by rename (how careful writers, lifeboat state included, save). A SQLite database is
 * never opened (that would take a lock and could checkpoint the agent's WAL): its file and
 * its -wal are compared by size and mtime; a -wal that is empty or absent counts as no
 * change, since opening a quiet database creates and removes an empty one.
 */
import { statSync, watch, type FSWatcher } from "node:fs";
import { stat } from "node:fs/promises";
import { join, sep } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { FileTarget, TreeTarget, WatchTarget } from "./targets.ts";

export interface WatcherOptions {
  /** How often single files are compared and missing folders looked for. Default 1 s. */
  pollMs?: number;
  signal: AbortSignal;
  onWarning?(message: string): void;
}

export type OnChange = (item: string, path: string) => void;

/** watchTargets' events go to onChange until `signal` aborts; resolves then, with every watcher closed. */
export async function watchFiles(targets: WatchTarget[], onChange: OnChange, opts: WatcherOptions): Promise<void> {
  const trees = targets.filter((t): t is TreeTarget => t.kind === "tree").map((t) => new TreeWatch(t, onChange, opts));
  const files = targets.filter((t): t is FileTarget => t.kind === "file");
  const sigs = new Map<string, string>();
  for (const f of files) sigs.set(f.path, await signature(f));
  try {
    while (!opts.signal.aborted) {
      await sleep(opts.pollMs ?? 1000, undefined, { signal: opts.signal }).catch(() => undefined);
      if (opts.signal.aborted) break;
      for (const t of trees) t.poll();
      for (const f of files) {
        const s = await signature(f);
        if (s !== sigs.get(f.path)) onChange(f.item, f.path);
        sigs.set(f.path, s);
      }
    }
  } finally {
    for (const t of trees) t.close();
  }
}

/** signature: what changes when the file's content may have (size and mtime; the -wal for a database). */
async function signature(t: FileTarget): Promise<string> {
  const one = async (p: string) => {
    const st = await stat(p).catch(() => null);
    return st ? `${st.size}:${st.mtimeMs}:${st.ino}` : "-";
  };
  if (!t.sqlite) return one(t.path);
  const wal = await stat(`${t.path}-wal`).catch(() => null);
  return `${await one(t.path)}|${wal && wal.size > 0 ? `${wal.size}:${wal.mtimeMs}` : "-"}`;
}

/** TreeWatch is one folder's recursive watcher; poll() re-arms it when it is down. */
class TreeWatch {
  private readonly t: TreeTarget;
  private readonly onChange: OnChange;
  private readonly opts: WatcherOptions;
  private w: FSWatcher | undefined;
  private ino: number | undefined;
  private warned = false;

  constructor(t: TreeTarget, onChange: OnChange, opts: WatcherOptions) {
    this.t = t;
    this.onChange = onChange;
    this.opts = opts;
    this.arm();
  }

  /**
   * poll re-arms a watcher that is down; a folder that (re)appears is a change. Node's
   * recursive watcher on Linux reports neither a missing folder nor its removal, so the
   * folder's inode is compared here.
   */
  poll(): void {
    if (this.opts.signal.aborted) return;
    if (this.w && this.folderIno() === this.ino) return;
    if (this.w) {
      this.close();
      this.onChange(this.t.item, this.t.path);
    }
    if (this.arm()) this.onChange(this.t.item, this.t.path);
  }

  private folderIno(): number | undefined {
    const st = statSync(this.t.path, { throwIfNoEntry: false });
    return st?.isDirectory() ? st.ino : undefined;
  }

  close(): void {
    this.w?.close();
    this.w = undefined;
  }

  private arm(): boolean {
    this.ino = this.folderIno();
    if (this.ino === undefined) return false;
    try {
      this.w = watch(this.t.path, { recursive: true, signal: this.opts.signal }, (_ev, name) => this.event(name));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Anything else than a folder removed meanwhile (ENOSPC: the inotify limit) is said once.
      if (code !== "ENOENT" && !this.warned) this.opts.onWarning?.(`cannot watch ${this.t.path} (item ${this.t.item}): ${code ?? (err as Error).message}; retrying every poll`);
      this.warned = code !== "ENOENT";
      return false;
    }
    this.w.on("error", (err: NodeJS.ErrnoException) => {
      // The folder was removed or moved: that is a change, and the watcher must be rebuilt.
      this.close();
      if (err.code !== "ENOENT" && err.code !== "EPERM") this.opts.onWarning?.(`watching ${this.t.path} stopped: ${err.code ?? err.message}; re-arming`);
      this.onChange(this.t.item, this.t.path);
    });
    this.warned = false;
    return true;
  }

  private event(name: string | Buffer | null): void {
    if (name === null) return this.onChange(this.t.item, this.t.path);
    const rel = String(name).split(sep).join("/");
    if (!this.t.ignore(rel)) this.onChange(this.t.item, join(this.t.path, rel));
  }
}
