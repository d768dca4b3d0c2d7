/**
 * @module export/output
 * Where the archive lands: never inside the tree the agent's backups capture (the next
 * backup would swallow the export, secrets and all), never over an existing file. The
 * archive is written to `.<name>.partial` (0600), synced, then linked to its final name,
 * which fails instead of replacing when that name exists.
 */
import { link, mkdir, open, realpath, rename, rm, stat, type FileHandle } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path";
import { LifeboatError } from "../errors/index.ts";
import type { AgentManifest } from "../model/agent.ts";
import { syncDir } from "../util/durable.ts";

/** realish resolves symlinks in the longest existing prefix of `p` (the rest may not exist yet). */
export async function realish(p: string): Promise<string> {
  const abs = resolve(p);
  try {
    return await realpath(abs);
  } catch {
    const parent = dirname(abs);
    return parent === abs ? abs : join(await realish(parent), basename(abs));
  }
}

function inside(child: string, parent: string): boolean {
  const r = relative(parent, child);
  return r === "" || (!r.startsWith("..") && !isAbsolute(r));
}

/** checkOutsideTree refuses an output folder inside the agent root or any item's source path. */
export async function checkOutsideTree(out: string, m: AgentManifest): Promise<void> {
  const dest = await realish(out);
  const trees = [m.root, ...m.items.filter((i) => i.kind !== "postgres" && i.kind !== "command").map((i) => i.source)];
  for (const t of trees) {
    if (!isAbsolute(t)) continue;
    if (inside(dest, await realish(t)) || inside(resolve(out), resolve(t))) {
      throw new LifeboatError(`refusing to write the export inside the backed-up tree ${t} (it would be captured by the next backup)`, {
        hint: "pass --output a folder outside the agent, e.g. --output ~/lifeboat-exports",
      });
    }
  }
}

/** Output is the archive's temp file while it is written. */
export interface Output {
  fh: FileHandle;
  partial: string;
  final: string;
}

/** openOutput creates the output folder and the temp file; refuses when the final name exists. */
export async function openOutput(dir: string, name: string): Promise<Output> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const final = join(dir, name);
  await refuseExisting(final);
  await refuseExisting(`${final}.sha256`);
  const partial = join(dir, `.${name}.partial`);
  const fh = await open(partial, "wx", 0o600).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== "EEXIST") throw err;
    throw new LifeboatError(`${partial} exists: another export of this snapshot is running, or one was interrupted`, { hint: `remove ${partial} if no export is running` });
  });
  return { fh, partial, final };
}

async function refuseExisting(path: string): Promise<void> {
  if (await stat(path).then(() => true, () => false)) {
    throw new LifeboatError(`${path} already exists: lifeboat export never overwrites`, { hint: "pass another --output folder, or move the old export away" });
  }
}

/** publish syncs and closes the temp file, then gives it its final name without replacing anything. */
export async function publish(o: Output): Promise<void> {
  await o.fh.sync();
  await o.fh.close();
  await placeNoReplace(o.partial, o.final);
  await syncDir(dirname(o.final));
}

/** writeNew writes a small file under `path` the same way: temp, sync, link, never replacing. */
export async function writeNew(path: string, text: string): Promise<void> {
  const partial = join(dirname(path), `.${basename(path)}.partial`);
  const fh = await open(partial, "wx", 0o600);
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await placeNoReplace(partial, path);
  await syncDir(dirname(path));
}

/**
 * placeNoReplace: link() fails with EEXIST instead of replacing. Where hard links are not
 * supported (some FUSE and FAT file systems) it falls back to check-then-rename, which a
 * concurrent writer of the same name could race.
 */
async function placeNoReplace(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EEXIST") {
      await rm(from, { force: true });
      throw new LifeboatError(`${to} already exists: lifeboat export never overwrites`, { hint: "pass another --output folder" });
    }
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP" && code !== "EXDEV") throw err;
    await refuseExisting(to);
    await rename(from, to);
    return;
  }
  await rm(from, { force: true });
}


/** discard removes the temp file after a failure (the final name was never created). */
export async function discard(o: Output): Promise<void> {
  await o.fh.close().catch(() => undefined);
  await rm(o.partial, { force: true });
}
