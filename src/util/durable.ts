/**
 * @module util/durable
 * Writing small files so a crash at any moment leaves the old bytes or the new ones, never a
 * mix: temp file beside the target, fsync, rename, fsync of the folder. Used for lifeboat's
 * own state (run log trims, alert ledger, cursors) and exports; session-state.json has its
 * own writer (state/atomic.ts) because it must keep the agent's mode and owner.
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, rename, rm, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";

/** syncDir makes a rename or a new file in `dir` durable; file systems that cannot sync a folder are tolerated. */
export async function syncDir(dir: string): Promise<void> {
  if (process.platform === "win32") return;
  const fh = await open(dir, "r");
  try {
    await fh.sync().catch((err: NodeJS.ErrnoException) => {
      if (!["EINVAL", "EPERM", "ENOTSUP", "EOPNOTSUPP", "EBADF", "EISDIR"].includes(err.code ?? "")) throw err;
    });
  } finally {
    await fh.close();
  }
}

/** replaceFile writes `text` to `path` durably (folder created 0700 if missing; the file gets `mode`). */
export async function replaceFile(path: string, text: string, mode = 0o600): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  const fh = await open(tmp, "wx", mode);
  try {
    await fh.writeFile(text);
    await fh.sync();
  } catch (err) {
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw new Error(`write ${path}`, { cause: err });
  }
  await fh.close();
  try {
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new Error(`write ${path}`, { cause: err });
  }
  await syncDir(dirname(path));
}

/**
 * writeAll writes all of `data` at `position` (null: at the file's current position).
 * write(2) may write less than asked without an error, as a filling disk does: its last
 * write is short, and only the next one fails with ENOSPC. Taking the short write for a
 * whole one left truncated files under their final names, reported as restored (found by
 * test/reliability/diskfull.test.ts).
 */
export async function writeAll(fh: FileHandle, data: Uint8Array, position: number | null = null): Promise<void> {
  for (let done = 0; done < data.length;) {
    const { bytesWritten } = await fh.write(data, done, data.length - done, position === null ? null : position + done);
    if (bytesWritten <= 0) throw new Error(`short write at byte ${(position ?? 0) + done}`);
    done += bytesWritten;
  }
}

/** writevAll is writeAll for several buffers written back to back from `position`. */
export async function writevAll(fh: FileHandle, parts: Uint8Array[], position: number): Promise<void> {
  let rest = parts;
  let at = position;
  while (rest.length > 0) {
    const want = rest.reduce((n, p) => n + p.length, 0);
    const { bytesWritten } = await fh.writev(rest, at);
    if (bytesWritten <= 0) throw new Error(`short write at byte ${at}`);
    at += bytesWritten;
    if (bytesWritten === want) return;
    rest = skipBytes(rest, bytesWritten);
  }
}

function skipBytes(parts: Uint8Array[], n: number): Uint8Array[] {
  let i = 0;
  while (n >= parts[i]!.length) n -= parts[i++]!.length;
  return [parts[i]!.subarray(n), ...parts.slice(i + 1)];
}
