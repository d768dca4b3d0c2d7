/**
 * @module test/reliability/fuzz-world
 * The valid inputs the repository fuzzers start from, all made by the library itself: a
 * real backup (packs, index objects, a snapshot, trees) and a content-list file, a chain of
 * signed records and the key file, in an in-memory repository. Also the ways a mutated input
 * is put where the real readers look for it: sealed objects named by their hash, and blobs
 * sealed under their keyed id and indexed, so loadTree authenticates them like any other.
 */
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { zstdCompressSync } from "node:zlib";
import type { Backend, FileType } from "../../src/backends/backend.ts";
import { createMemBackend } from "../../src/backends/mem/index.ts";
import { backup } from "../../src/backup/backup.ts";
import { seal } from "../../src/crypto/aead.ts";
import { TEST_SCRYPT } from "../../src/crypto/kdf.ts";
import { blobId, recordKey, recordMac } from "../../src/crypto/keys.ts";
import { encodeContentList } from "../../src/model/contentlist.ts";
import { encodeTree, type Tree } from "../../src/model/index.ts";
import { sealBlob } from "../../src/repository/pack/format.ts";
import { initRepository } from "../../src/repository/open.ts";
import { appendRecord, type LoadedRecord } from "../../src/repository/records.ts";
import { Repository } from "../../src/repository/repository.ts";
import { writeTree } from "../../src/testing/tree.ts";
import { pick } from "./record.ts";
import type { Rand } from "./fuzz-mutate.ts";

export const PASSWORD = "fuzz password";
export const RECORD_KIND = "drift-approval";
export const RECORD_SUBJECT = "wren";

/** World: a repository holding one of every object a reader parses, and their stored bytes. */
export interface World {
  /** A scratch folder, removed by cleanup. */
  dir: string;
  repo: Repository;
  be: Backend;
  /** Stored bytes by type, as the backend holds them. */
  stored: Map<FileType, Map<string, Buffer>>;
  /** Decrypted JSON documents by type (index, snapshot, record). */
  docs: Map<FileType, unknown[]>;
  /** Valid tree blobs (plaintext) and the content-list blob the big file's node points at. */
  trees: Buffer[];
  contentList: { id: string; bytes: Buffer };
  records: LoadedRecord<unknown>[];
  cleanup(): Promise<void>;
}

export async function createWorld(): Promise<World> {
  const dir = await mkdtemp(join(tmpdir(), "lifeboat-fuzz-"));
  const be = createMemBackend("mem:fuzz");
  const repo = await initRepository(be, PASSWORD, { kdf: TEST_SCRYPT, cacheDir: null, packSize: 64 * 1024 });
  const src = join(dir, "src");
  await writeTree(src, {
    "SOUL.md": "# soul\n", "notes.txt": "x".repeat(70_000), memory: { "2026-01-01.md": "a day\n", deeper: { "b.bin": Buffer.alloc(3000, 7) } },
    link: { link: "SOUL.md" },
  });
  const res = await backup(repo, { paths: [src], tags: ["fuzz"] });
  await repo.loadIndex();
  const records: LoadedRecord<unknown>[] = [];
  for (let i = 1; i <= 3; i++) records.push(await appendRecord(repo, RECORD_KIND, RECORD_SUBJECT, { note: `approval ${i}`, files: ["SOUL.md"] }, records.at(-1) ?? null));
  const w: World = {
    dir, repo, be, stored: new Map(), docs: new Map(), trees: [], contentList: { id: "", bytes: Buffer.alloc(0) }, records,
    cleanup: async () => { await repo.close(); await rm(dir, { recursive: true, force: true }); },
  };
  for (const type of ["pack", "index", "snapshot", "record", "key"] as const) {
    const m = new Map<string, Buffer>();
    for (const name of await repo.listNames(type)) m.set(name, Buffer.from(await be.load({ type, name })));
    w.stored.set(type, m);
    if (type !== "pack" && type !== "key") w.docs.set(type, await Promise.all([...m.keys()].map((n) => repo.loadObject(type, n))));
  }
  await collectTrees(w, res.snapshot.tree);
  await addContentListFile(w);
  return w;
}

async function collectTrees(w: World, id: string): Promise<void> {
  const bytes = await w.repo.loadBlob(id);
  w.trees.push(bytes);
  for (const n of (await w.repo.loadTree(id)).nodes) if (n.subtree) await collectTrees(w, n.subtree);
}

/** addContentListFile stores a content list of real data blob ids and a tree whose file lists it. */
async function addContentListFile(w: World): Promise<void> {
  const ids = [...w.repo.index.blobs].filter(([, e]) => e.type === "data").map(([id]) => id);
  const bytes = Buffer.from(encodeContentList(ids));
  w.contentList = { id: await putBlob(w, bytes), bytes };
  const tree: Tree = { nodes: [{
    name: "big.db", type: "file", mode: 0o644, uid: 0, gid: 0, mtimeNs: "1700000000000000000", ctimeNs: "1700000000000000000",
    inode: "42", size: 0, contentLists: [w.contentList.id],
  }] };
  w.trees.push(Buffer.from(encodeTree(tree)));
}

/**
 * putBlob stores plaintext as a tree-type blob the way a pack would hold it (sealed under its
 * keyed id, uncompressed) in a one-blob pack, and indexes it. Returns the blob id.
 */
export async function putBlob(w: World, plain: Uint8Array): Promise<string> {
  const id = blobId(w.repo.key, plain);
  const sealed = sealBlob(w.repo.key.data, id, plain);
  const packId = sha256(sealed);
  await w.be.save({ type: "pack", name: packId }, sealed);
  w.repo.index.addPack(packId, [{ id, type: "tree", offset: 0, length: sealed.length, rawLength: plain.length, compressed: false }]);
  return id;
}

/** resign signs a (mutated) record as appendRecord would (docs/design.md §15); it throws for a body too deep to stringify. */
export function resign(w: World, doc: Record<string, unknown>): Record<string, unknown> {
  const sortKeys = (v: unknown): unknown => Array.isArray(v) ? v.map(sortKeys)
    : v === null || typeof v !== "object" ? v : Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  const text = JSON.stringify([doc.version, doc.kind, doc.subject, doc.seq, doc.prev, doc.restart === true, doc.time, sortKeys(doc.body)]);
  return { ...doc, hmac: recordMac(recordKey(w.repo.secret), text) };
}

export const sha256 = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

/** emptyRepo is a fresh repository object over an empty in-memory backend with the world's keys. */
export async function emptyRepo(w: World): Promise<Repository> {
  const be = createMemBackend("mem:trial");
  await be.create();
  return new Repository(be, w.repo.key, w.repo.secret, w.repo.config, { cacheDir: null });
}

/**
 * sealPayload seals a JSON text as an object body: format 0 (raw), 1 (zstd), an unknown
 * format byte, or a zstd bomb: the text followed by 64 MiB to 4 GiB of spaces (still JSON).
 */
export function sealPayload(w: World, r: Rand, type: FileType, text: string): { bytes: Buffer; how: string } {
  const json = Buffer.from(text, "utf8");
  const roll = r();
  let body: Buffer;
  let how: string;
  if (roll < 0.45) [body, how] = [Buffer.concat([Buffer.from([0]), json]), "raw"];
  else if (roll < 0.9) [body, how] = [Buffer.concat([Buffer.from([1]), zstdCompressSync(json)]), "zstd"];
  else if (roll < 0.97) [body, how] = [Buffer.concat([Buffer.from([2 + pick(r, 254)]), json]), "format?"];
  else {
    const mib = 64 * (1 + pick(r, 64));
    [body, how] = [Buffer.concat([Buffer.from([1]), zstdBomb(json, mib * 2 ** 20)]), `bomb(${mib}MiB)`];
  }
  return { bytes: Buffer.from(seal(w.repo.key.data, body, Buffer.from(type))), how };
}

const BLOCK = 128 * 1024;

/**
 * zstdBomb builds one zstd frame by hand (RFC 8878): `prefix` in raw blocks, then run-length
 * blocks of `fill`, 4 bytes per 128 KiB, so gigabytes cost a few KiB to describe.
 */
export function zstdBomb(prefix: Buffer, total: number, fill = 0x20): Buffer {
  // Magic, a descriptor without content size, a 128 KiB window.
  const parts: Buffer[] = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38])];
  for (let o = 0; o < prefix.length; o += BLOCK) {
    const chunk = prefix.subarray(o, o + BLOCK);
    parts.push(blockHeader(0, chunk.length, false), chunk);
  }
  const blocks = Math.max(1, Math.ceil(total / BLOCK));
  for (let i = 0; i < blocks; i++) parts.push(blockHeader(1, BLOCK, i === blocks - 1), Buffer.from([fill]));
  return Buffer.concat(parts);
}

function blockHeader(type: 0 | 1, size: number, last: boolean): Buffer {
  const v = (last ? 1 : 0) | (type << 1) | (size << 3);
  return Buffer.from([v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff]);
}
