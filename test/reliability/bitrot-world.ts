/**
 * @module test/reliability/bitrot-world
 * The repository the bit-rot suite damages, made once by the real CLI and kept as a pristine
 * copy: 64 KiB packs, two passwords (two key files), path snapshots of a folder, agent
 * snapshots (a workspace and a 2.5 MB SQLite database, whose 8 KiB blocks give content
 * lists) and the drift baseline record the first agent backup signs. Beside it, what a
 * trial needs to know independently of the code under test: every pack's blob layout,
 * every snapshot's tree (which blobs each path needs) and what each snapshot restores to.
 */
import { randomBytes } from "node:crypto";
import { cp, mkdir, readdir, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { stringify } from "yaml";
import type { LocatedBlob } from "../../src/repository/pack/format.ts";
import { readPackHeader } from "../../src/repository/recover.ts";
import type { Repository } from "../../src/repository/repository.ts";
import { loadSnapshots } from "../../src/repository/snapshots.ts";
import { writeTree } from "../../src/testing/tree.ts";
import { lbOk, makeEnv, openRepo, PASSWORD, restoreHashes, writeRandomFiles, type Env, type Hashed } from "../e2e/_spawn.ts";

/** Where a path of a snapshot gets its content: the blobs it needs, and its children. */
export interface PathNode {
  path: string;
  type: string;
  /** Tree blob (folders). */
  subtree?: string;
  /** Content-list and data blobs (files). */
  blobs: string[];
  children: PathNode[];
}

export interface SnapshotLayout {
  id: string;
  tree: string;
  agent: string | undefined;
  nodes: PathNode[];
}

export interface World {
  env: Env;
  /** The untouched repository every trial starts from. */
  pristine: string;
  files: string;
  configFile: string;
  /** Key file name → the password it holds; `passwordFiles` the same by file. */
  keys: Map<string, string>;
  passwordFiles: Map<string, string>;
  packs: Map<string, LocatedBlob[]>;
  snapshots: SnapshotLayout[];
  /** What each snapshot restores to (hashTree of the whole restore target). */
  restored: Map<string, Hashed>;
  close(): Promise<void>;
}

const SECOND_PASSWORD = "bitrot second password";

/** createWorld backs up twice into a fresh repository and records everything a trial compares against. */
export async function createWorld(): Promise<World> {
  const env = await makeEnv("bitrot");
  Object.assign(env.vars, { HOME: env.dir, XDG_CONFIG_HOME: join(env.dir, "config"), LIFEBOAT_STATE_DIR: join(env.dir, "state") });
  await lbOk(env, ["init", "--pack-size", "64KiB"]);
  const [firstKey] = await readdir(join(env.repo, "keys"));
  const pw2 = join(env.dir, "password2");
  await writeFile(pw2, SECOND_PASSWORD + "\n", { mode: 0o600 });
  const added = JSON.parse((await lbOk(env, ["--json", "key", "add", "--new-password-file", pw2])).stdout) as { id: string };
  const files = join(env.dir, "files");
  const agent = join(env.dir, "agent");
  const configFile = join(env.dir, "lifeboat.yaml");
  await makeSources(files, agent, configFile);
  for (let round = 0; round < 2; round++) {
    if (round > 0) await changeSources(files, agent);
    await lbOk(env, ["backup", files]);
    await lbOk(env, ["--config", configFile, "backup"]);
  }
  const pristine = join(env.dir, "pristine");
  await cp(env.repo, pristine, { recursive: true });
  const repo = await openRepo(pristine);
  try {
    const w: World = {
      env, pristine, files, configFile,
      keys: new Map([[firstKey!, PASSWORD], [added.id, SECOND_PASSWORD]]),
      passwordFiles: new Map([[firstKey!, env.vars.LIFEBOAT_PASSWORD_FILE!], [added.id, pw2]]),
      packs: await packLayouts(repo, pristine),
      snapshots: await snapshotLayouts(repo),
      restored: new Map(),
      close: () => env.cleanup(),
    };
    const ids = w.snapshots.map((s) => s.id);
    w.restored = await restoreHashes(pristine, ids, "", join(env.dir, "scratch"));
    return w;
  } finally {
    await repo.close();
  }
}

async function makeSources(files: string, agent: string, configFile: string): Promise<void> {
  const notes: Record<string, string> = {};
  for (let i = 0; i < 12; i++) notes[`note-${i}.md`] = `note ${i} ${randomBytes(300).toString("base64")}\n`;
  await writeTree(files, { notes, "empty.txt": "", link: { link: "notes/note-1.md" }, deep: { a: { b: { "c.txt": "deep\n" } } } });
  await writeRandomFiles(join(files, "blobs"), 5, 45_000);
  await writeFile(join(files, "large.bin"), randomBytes(700_000)); // FastCDC from 512 KiB: more than one chunk
  await writeTree(agent, { "SOUL.md": "# soul\nkind, brief\n", "MEMORY.md": "# memory\n", memory: { "2026-01-01.md": "day one\n", "2026-01-02.md": "day two\n" } });
  await mkdir(join(agent, "store"));
  const db = new DatabaseSync(join(agent, "store", "messages.db"));
  db.exec("CREATE TABLE messages (id INTEGER PRIMARY KEY, body BLOB)");
  const insert = db.prepare("INSERT INTO messages (body) VALUES (?)");
  for (let i = 0; i < 2400; i++) insert.run(randomBytes(1000)); // ~2.5 MB: 300+ blocks of 8 KiB, so content lists
  db.close();
  const items = [{ name: "messages", kind: "sqlite", path: "store/messages.db" }];
  await writeFile(configFile, stringify({ agents: [{ name: "wren", preset: "workspace", root: agent, items }] }));
}

async function changeSources(files: string, agent: string): Promise<void> {
  await writeFile(join(files, "notes", "note-3.md"), `changed ${randomBytes(200).toString("hex")}\n`);
  await writeRandomFiles(join(files, "more"), 2, 30_000);
  await writeFile(join(agent, "MEMORY.md"), "# memory\nlearned something\n");
  const db = new DatabaseSync(join(agent, "store", "messages.db"));
  db.prepare("UPDATE messages SET body = ? WHERE id % 97 = 0").run(randomBytes(1000));
  db.close();
}

/** packLayouts reads every pack's blob list from its header. */
async function packLayouts(repo: Repository, path: string): Promise<Map<string, LocatedBlob[]>> {
  const out = new Map<string, LocatedBlob[]>();
  for (const sub of await readdir(join(path, "data"))) {
    for (const id of await readdir(join(path, "data", sub))) {
      out.set(id, await readPackHeader(repo, id, (await stat(join(path, "data", sub, id))).size));
    }
  }
  return out;
}

async function snapshotLayouts(repo: Repository): Promise<SnapshotLayout[]> {
  const { snapshots } = await loadSnapshots(repo);
  const out: SnapshotLayout[] = [];
  for (const sn of snapshots) out.push({ id: sn.id!, tree: sn.tree, agent: sn.agent, nodes: await treeLayout(repo, sn.tree, "") });
  return out;
}

/** treeLayout walks a tree with the plain loader (content lists expanded, their ids kept). */
async function treeLayout(repo: Repository, id: string, prefix: string): Promise<PathNode[]> {
  const out: PathNode[] = [];
  for (const n of (await repo.loadTree(id)).nodes) {
    const path = `${prefix}/${n.name}`;
    const node: PathNode = { path, type: n.type, blobs: [...(n.contentLists ?? []), ...(n.content ?? [])], children: [] };
    if (n.subtree) {
      node.subtree = n.subtree;
      node.children = await treeLayout(repo, n.subtree, path);
    }
    out.push(node);
  }
  return out;
}

/** resetRepo puts the pristine repository back in place of the one under test. */
export async function resetRepo(w: World): Promise<void> {
  await rm(w.env.repo, { recursive: true, force: true });
  await cp(w.pristine, w.env.repo, { recursive: true });
}
