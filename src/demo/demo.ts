/**
 * @module demo/demo
 * `lifeboat demo`: the whole recovery story in one command on built-in defaults. Creates
 * a sample agent, backs it up into a new local repository, deletes the agent, restores it
 * in place, and proves every file identical by SHA-256.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { createLocalBackend } from "../backends/local/index.ts";
import { backup } from "../backup/backup.ts";
import { initRepository } from "../repository/open.ts";
import { restore } from "../restore/restore.ts";
import { findSnapshot } from "../repository/snapshots.ts";
import { createSampleAgent } from "./sample.ts";

export interface DemoResult {
  dir: string;
  repository: string;
  passwordFile: string;
  workspace: string;
  snapshotId: string;
  files: number;
  identical: number;
  mismatched: string[];
  backupMs: number;
  recoveryMs: number;
}

async function hashTree(root: string, dir = root, out = new Map<string, string>()): Promise<Map<string, string>> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) await hashTree(root, p, out);
    else out.set(relative(root, p), createHash("sha256").update(await readFile(p)).digest("hex"));
  }
  return out;
}

export async function runDemo(opts: { dir?: string; signal?: AbortSignal; log?: (line: string) => void } = {}): Promise<DemoResult> {
  const log = opts.log ?? (() => undefined);
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), "lifeboat-demo-")));
  await mkdir(dir, { recursive: true });
  const workspace = join(dir, "agent", "workspace");
  const repository = join(dir, "repository");
  const passwordFile = join(dir, "password");
  const files = await createSampleAgent(workspace);
  log(`1. created a sample agent (${files} files: SOUL.md, IDENTITY.md, MEMORY.md, 30 daily logs, ...) in ${workspace}`);
  const before = await hashTree(workspace);
  const password = randomBytes(24).toString("base64url");
  await writeFile(passwordFile, password + "\n", { mode: 0o600 });
  const repo = await initRepository(createLocalBackend(repository), password, { cacheDir: null, signal: opts.signal });
  log(`2. created an encrypted repository in ${repository} (password in ${passwordFile})`);
  const t0 = Date.now();
  const { snapshotId } = await backup(repo, { paths: [workspace], signal: opts.signal });
  const backupMs = Date.now() - t0;
  log(`3. backed up the agent: snapshot ${snapshotId.slice(0, 8)} in ${backupMs} ms`);
  await rm(join(dir, "agent"), { recursive: true, force: true });
  log(`4. deleted the agent's workspace (the "disk failure")`);
  const t1 = Date.now();
  const snapshot = await findSnapshot(repo, snapshotId, {}, opts.signal);
  const res = await restore(repo, snapshot, { target: "/", include: [workspace], signal: opts.signal });
  const recoveryMs = Date.now() - t1;
  await repo.close();
  if (res.errors.length > 0) throw new Error(`demo restore failed: ${res.errors[0]!.path}: ${res.errors[0]!.message}`);
  const after = await hashTree(workspace);
  const mismatched = [...before].filter(([p, h]) => after.get(p) !== h).map(([p]) => p);
  log(`5. restored it in place in ${recoveryMs} ms and compared SHA-256 of every file: ${before.size - mismatched.length}/${before.size} identical`);
  return { dir, repository, passwordFile, workspace, snapshotId, files: before.size, identical: before.size - mismatched.length, mismatched, backupMs, recoveryMs };
}
