/**
 * @module import/ingest
 * The second pass: stream the (already verified) archive into a repository as one agent
 * snapshot shaped like a `lifeboat backup` of the agent, with an AgentManifest whose
 * sha256 are of the plaintext, so `restoreAgent` verifies the restore as usual. Every entry
 * must match what the first pass saw (an archive changed in between is refused) and no
 * snapshot is written unless all items made it.
 */
import type { Decrypter } from "age-encryption";
import { Archiver } from "../backup/archiver.ts";
import { saveFile } from "../backup/filesaver.ts";
import { archiverRepo, safeUser, withBackupSession } from "../backup/session.ts";
import { LifeboatError } from "../errors/index.ts";
import type { AgentManifest, ItemManifest } from "../model/agent.ts";
import type { Node, Snapshot } from "../model/index.ts";
import { sha256hex } from "../repository/objects.ts";
import type { Repository } from "../repository/repository.ts";
import { saveSnapshot } from "../repository/snapshots.ts";
import type { BlobSaver } from "../repository/uploader.ts";
import { TOOL_VERSION } from "../version.ts";
import type { ArchiveEntry } from "./entry.ts";
import { refused } from "./entry.ts";
import { readArchive } from "./reader.ts";
import type { ItemLayout, ScanResult } from "./scan.ts";
import { decryptSecret, SECRET_MAX } from "./secrets.ts";
import { fileNode, itemFolder, ItemTree, linkNode } from "./tree.ts";

export const IMPORT_TAG = "import";

export interface IngestOptions {
  layouts: ItemLayout[];
  decrypter: Decrypter | null;
  lockWaitMs?: number | undefined;
  signal?: AbortSignal | undefined;
}

interface Work {
  layout: ItemLayout;
  tree: ItemTree;
  single: Node | null;
  manifest: ItemManifest;
}

/** ingestArchive adds the archive to `repo` as a snapshot of the agent and returns it (with id). */
export async function ingestArchive(repo: Repository, archive: string, scan: ScanResult, o: IngestOptions): Promise<Snapshot> {
  const p = scan.plan;
  return withBackupSession(repo, { lockWaitMs: o.lockWaitMs, signal: o.signal }, async (signal) => {
    const counts = { files: 0, bytes: 0, blobsNew: 0, bytesNew: 0 };
    const tree = await repo.withUploader(async (saver) => {
      const archiver = new Archiver(saver, archiverRepo(repo), repo.chunkerPolicy(), { onError: () => undefined }, signal);
      const work = o.layouts.map((layout): Work => ({ layout, tree: new ItemTree(), single: null, manifest: manifestOf(layout) }));
      // The first pass (scanArchive) was the gate; this pass only insists on the same entries.
      const limits = { maxBytes: scan.stats.fileBytes, maxEntries: scan.stats.entries, maxRatio: Infinity, ratioFloor: Infinity, allowOutsideLinks: true };
      await readArchive(archive, async (e, content) => {
        const before = scan.records.get(e.path);
        if (!before || before.type !== e.type || before.size !== e.size) throw refused(archive, e.path, "changed while it was imported");
        const w = work.find((x) => e.path === x.layout.item.prefix || e.path.startsWith(x.layout.item.prefix + "/"));
        if (!w) return;
        await addEntry(w, e, content, { archive, saver, repo, decrypter: o.decrypter, expectSha: before.sha256 ?? "", counts, signal });
      }, { limits, signal });
      const nodes: Node[] = [];
      for (const w of work) nodes.push(await itemFolder(archiver, w.manifest.name, w.single ?? (await w.tree.saveFolder(archiver, baseName(w.manifest.source)))));
      return { id: await archiver.saveTree(nodes), items: work.map((w) => w.manifest), stats: saver.stats };
    }, { signal });
    const manifest: AgentManifest = {
      version: 1, agent: p.agent, preset: p.preset, root: p.root, host: p.host, time: p.time, items: tree.items,
      skipped: [...p.skipped, ...p.items.filter((i) => !tree.items.some((m) => m.name === i.name)).map((i) => ({ name: i.name, reason: "left out of the import" }))],
      notCovered: p.notCovered,
    };
    const sn: Snapshot = {
      time: p.time, host: p.host, username: safeUser(), paths: [p.root], tags: [p.agent, IMPORT_TAG], tree: tree.id, agent: p.agent, manifest,
      toolVersion: TOOL_VERSION, chunkers: repo.chunkerPolicy().specs,
      summary: { ...counts, dirs: 0, filesNew: counts.files, filesChanged: 0, filesUnmodified: 0, bytesStored: tree.stats.bytesStored, errors: 0, durationMs: 0 },
    };
    return { ...sn, id: await saveSnapshot(repo, sn, signal) };
  });
}

function manifestOf(l: ItemLayout): ItemManifest {
  const i = l.item;
  return {
    name: i.name, kind: i.kind, class: i.class, source: i.source, secret: i.secret, files: 0, bytes: 0, sha256: {},
    ...(i.versions ? { versions: i.versions } : {}), ...(i.rowCounts ? { rowCounts: i.rowCounts } : {}),
  };
}

interface AddCtx {
  archive: string;
  saver: BlobSaver;
  repo: Repository;
  decrypter: Decrypter | null;
  expectSha: string;
  counts: { files: number; bytes: number; blobsNew: number; bytesNew: number };
  signal: AbortSignal;
}

/** addEntry stores one entry of an item: folders as metadata, symlinks as nodes, files as blobs. */
async function addEntry(w: Work, e: ArchiveEntry, content: AsyncIterable<Uint8Array>, c: AddCtx): Promise<void> {
  const item = w.layout.item;
  const rel = e.path === item.prefix ? "" : e.path.slice(item.prefix.length + 1);
  const meta = { mode: e.mode, mtimeNs: e.mtimeNs };
  if (e.type === "dir") return w.tree.dir(rel, meta);
  if (e.type === "symlink") return w.tree.leaf(rel, linkNode(baseName(rel), meta, e.linkTarget!));
  const age = item.encryption === "age";
  const plainRel = age ? rel.replace(/\.age$/, "") : rel;
  const input = age ? once(await decrypted(e, content, c)) : content;
  const chunker = c.repo.chunkerPolicy().forFile(plainRel, age ? Number.MAX_SAFE_INTEGER : e.size, item.class);
  const saved = await saveFile(c.saver, chunker, input, undefined, c.signal, { sha256: true });
  if (!age && saved.sha256 !== c.expectSha) throw refused(c.archive, e.path, "changed while it was imported");
  Object.assign(c.counts, { files: c.counts.files + 1, bytes: c.counts.bytes + saved.size, blobsNew: c.counts.blobsNew + saved.blobsNew, bytesNew: c.counts.bytesNew + saved.bytesNew });
  const single = w.layout.single !== null;
  const name = single ? (age ? baseName(w.layout.single!).replace(/\.age$/, "") : baseName(w.layout.single!)) : baseName(plainRel);
  const node = fileNode(name, item.secret ? { ...meta, mode: 0o600 } : meta, saved.size, saved.content);
  w.manifest.sha256[single ? name : plainRel] = saved.sha256;
  w.manifest.files++;
  w.manifest.bytes += saved.size;
  if (single) w.single = node;
  else w.tree.leaf(plainRel, node);
}

/** decrypted reads an .age entry whole (bounded), checks it is what pass one hashed, and opens it. */
async function decrypted(e: ArchiveEntry, content: AsyncIterable<Uint8Array>, c: AddCtx): Promise<Uint8Array> {
  if (e.size > SECRET_MAX) throw refused(c.archive, e.path, `is ${e.size} bytes, too large for an encrypted secret`);
  if (!c.decrypter) throw new LifeboatError(`import: '${e.path}' is age-encrypted and no key was given`, { hint: "pass --identity FILE or --passphrase-file FILE (or set LIFEBOAT_IMPORT_PASSPHRASE)" });
  const parts: Uint8Array[] = [];
  for await (const p of content) parts.push(p);
  const bytes = Buffer.concat(parts);
  if (sha256hex(bytes) !== c.expectSha) throw refused(c.archive, e.path, "changed while it was imported");
  return decryptSecret(c.decrypter, c.archive, e.path, bytes);
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

function baseName(p: string): string {
  return p.slice(p.lastIndexOf("/") + 1);
}
