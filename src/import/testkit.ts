/**
 * @module import/testkit
 * Builds archives for the import tests: raw tar entries (hostile ones included) through
 * tar-stream, gzip- or zstd-compressed; an export-format archive following
 * src/export/format.ts (manifest.json first, items/<name>/..., .age secrets, .sha256
 * sidecar); and an OpenClaw `backup create`-style archive. Tests only.
 */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { writeFile } from "node:fs/promises";
import { basename } from "node:path";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";
import { Encrypter, identityToRecipient } from "age-encryption";
import tar, { type Header } from "tar-stream";
import { EXPORT_FORMAT, EXPORT_VERSION, type ExportItem, type ExportManifest } from "../export/format.ts";
import type { ItemClass, ItemKind } from "../model/agent.ts";

export interface TarEntry {
  name: string;
  type?: Header["type"];
  content?: string | Uint8Array;
  /** A declared size filled with zeros, written in chunks (decompression bombs). */
  zeros?: number;
  linkname?: string;
  mode?: number;
}

/** writeTar writes the entries in order, compressed with gzip (default), zstd or not at all. */
export async function writeTar(path: string, entries: TarEntry[], compress: "gzip" | "zstd" | "none" = "gzip"): Promise<void> {
  const pack = tar.pack();
  const src = pack as unknown as NodeJS.ReadableStream;
  const out = createWriteStream(path);
  const done = compress === "none" ? pipeline(src, out) : pipeline(src, compress === "gzip" ? zlib.createGzip() : zlib.createZstdCompress(), out);
  for (const e of entries) await addEntry(pack, e);
  pack.finalize();
  await done;
}

async function addEntry(pack: tar.Pack, e: TarEntry): Promise<void> {
  const header = { name: e.name, type: e.type ?? "file", mode: e.mode ?? (e.type === "directory" ? 0o755 : 0o644), mtime: new Date(1_700_000_000_000), linkname: e.linkname };
  if (e.zeros === undefined) {
    await new Promise<void>((res, rej) => pack.entry(header, e.content === undefined ? undefined as unknown as string : Buffer.from(e.content), (err) => (err ? rej(err) : res())));
    return;
  }
  await new Promise<void>((res, rej) => {
    const sink = pack.entry({ ...header, size: e.zeros }, (err) => (err ? rej(err) : res()));
    const chunk = Buffer.alloc(1024 * 1024);
    let left = e.zeros!;
    const write = () => {
      while (left > 0) {
        const n = Math.min(left, chunk.length);
        left -= n;
        if (!sink.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void sink.once("drain", () => write());
      }
      sink.end(undefined as unknown as Buffer);
    };
    write();
  });
}

export interface SpecItem {
  name: string;
  kind: ItemKind;
  class: ItemClass;
  source: string;
  /** Archived files by path relative to the item folder (plaintext; .age is added when encrypted). */
  files: Record<string, string | Uint8Array>;
  encrypt?: boolean;
  rowCounts?: Record<string, number>;
}

export const sha256 = (b: string | Uint8Array) => createHash("sha256").update(b).digest("hex");

/** writeExport writes an export-format archive and its .sha256 sidecar; it returns the manifest. */
export async function writeExport(path: string, o: { agent: string; root: string; items: SpecItem[]; recipient?: string; mutate?: (m: ExportManifest, entries: TarEntry[]) => void }): Promise<ExportManifest> {
  const top = basename(path).replace(/\.tar\.(gz|zst)$/, "");
  const entries: TarEntry[] = [{ name: `${top}/`, type: "directory" }];
  const items: ExportItem[] = [];
  for (const i of o.items) {
    const sums: Record<string, string> = {};
    entries.push({ name: `${top}/items/${i.name}/`, type: "directory" });
    for (const [rel, content] of Object.entries(i.files)) {
      const stored = i.encrypt ? await encrypt(content, o.recipient!) : content;
      const key = i.encrypt ? `${rel}.age` : rel;
      sums[key] = sha256(stored);
      entries.push({ name: `${top}/items/${i.name}/${key}`, content: stored, mode: i.class === "secret" ? 0o600 : 0o644 });
    }
    const bytes = Object.values(i.files).reduce((s, c) => s + Buffer.from(c).length, 0);
    items.push({
      name: i.name, kind: i.kind, class: i.class, source: i.source, path: `items/${i.name}`, files: Object.keys(i.files).length, bytes,
      sha256: sums, secret: i.class === "secret", encryption: i.encrypt ? "age" : "none", ...(i.rowCounts ? { rowCounts: i.rowCounts } : {}),
    });
  }
  const m: ExportManifest = {
    format: EXPORT_FORMAT, version: EXPORT_VERSION, agent: o.agent, preset: "custom", root: o.root, host: "testhost",
    time: "2026-11-22T05:12:00.000Z", exportedAt: "2026-11-22T06:00:00.000Z", snapshot: "ab".repeat(32), tool: "lifeboat test",
    items, skipped: [], notCovered: [],
  };
  o.mutate?.(m, entries);
  entries.splice(1, 0, { name: `${top}/manifest.json`, content: JSON.stringify(m, null, 2) }, { name: `${top}/RUNBOOK.md`, content: "# runbook\n" });
  await writeTar(path, entries, path.endsWith(".zst") ? "zstd" : "gzip");
  await writeSidecar(path);
  return m;
}

export async function writeSidecar(path: string): Promise<void> {
  const { readFile } = await import("node:fs/promises");
  await writeFile(`${path}.sha256`, `${sha256(await readFile(path))}  ${basename(path)}\n`);
}

async function encrypt(content: string | Uint8Array, recipient: string): Promise<Uint8Array> {
  const e = new Encrypter();
  e.addRecipient(recipient);
  return e.encrypt(typeof content === "string" ? Buffer.from(content) : content);
}

export { identityToRecipient };

/**
 * writeOpenclawBackup mimics `openclaw backup create`: `<root>/manifest.json` (schemaVersion 1,
 * archiveRoot, createdAt, paths.stateDir, assets[]) and `<root>/payload/posix/<absolute path>/...`.
 */
export async function writeOpenclawBackup(path: string, stateDir: string, files: Record<string, string>): Promise<string> {
  const root = basename(path).replace(/\.tar\.gz$/, "");
  const payload = `${root}/payload/posix${stateDir}`;
  const manifest = {
    schemaVersion: 1, createdAt: "2026-04-16T01:00:00.000Z", archiveRoot: root, runtimeVersion: "2026.4.1", platform: "linux",
    options: { includeWorkspace: true, onlyConfig: false }, paths: { stateDir, configPath: `${stateDir}/openclaw.json`, oauthDir: `${stateDir}/credentials`, workspaceDirs: [] },
    assets: [{ kind: "state", sourcePath: stateDir, archivePath: payload }], skipped: [],
  };
  const entries: TarEntry[] = [{ name: `${root}/`, type: "directory" }, { name: `${root}/manifest.json`, content: JSON.stringify(manifest) }];
  for (const [rel, content] of Object.entries(files)) entries.push({ name: `${payload}/${rel}`, content });
  await writeTar(path, entries);
  return root;
}
