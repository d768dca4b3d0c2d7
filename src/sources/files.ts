/**
 * @module sources/files
 * Files and secret items: a folder or file archived as it is, minus volatile runtime state
 * and paths other items capture. Secrets are stored like all data (the repository is
 * encrypted) but marked secret, so listings and logs never show their contents and restore
 * writes them with mode 0600.
 */
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import type { FilesItem, ItemManifest, SecretItem } from "../model/agent.ts";
import { buildExclude } from "./exclude.ts";
import { SourceError, type CapturedItem, type CaptureContext, type Source } from "./source.ts";

async function requirePath(item: string, path: string): Promise<void> {
  try {
    await stat(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new SourceError(item, code === "ENOENT" ? `${path} does not exist` : `cannot read ${path} (${code})`, cause);
  }
}

/** createFilesSource captures a files item. `covered` lists paths (relative to item.path) other items capture. */
export function createFilesSource(item: FilesItem, covered: { path: string; item: string }[] = []): Source {
  return {
    item,
    async capture(ctx: CaptureContext): Promise<CapturedItem> {
      await requirePath(item.name, item.path);
      const exclude = buildExclude({ include: item.include, exclude: item.exclude, coveredElsewhere: covered });
      const saved = await ctx.savePath(item.path, basename(item.path), { exclude, fileClass: item.class });
      const manifest: ItemManifest = {
        name: item.name, kind: "files", class: item.class, source: item.path, secret: item.class === "secret",
        files: saved.files, bytes: saved.bytes, sha256: saved.sha256, excluded: saved.excluded,
      };
      return { nodes: [saved.node], manifest };
    },
  };
}

export function createSecretSource(item: SecretItem): Source {
  return {
    item,
    async capture(ctx: CaptureContext): Promise<CapturedItem> {
      await requirePath(item.name, item.path);
      const saved = await ctx.savePath(item.path, basename(item.path), { fileClass: "secret" });
      if (saved.node.type !== "file") throw new SourceError(item.name, `${item.path} is not a file (use a files item with class secret for a folder)`);
      const manifest: ItemManifest = {
        name: item.name, kind: "secret", class: "secret", source: item.path, secret: true,
        files: saved.files, bytes: saved.bytes, sha256: saved.sha256,
      };
      return { nodes: [saved.node], manifest };
    },
  };
}
