/**
 * @module import/import
 * `lifeboat import`: check the archive's .sha256 sidecar, scan it (every hostile-archive
 * rule, manifest against content), then either add it to a repository as an agent snapshot
 * (--into-repo) or ingest it into a throwaway repository in a 0700 temporary folder and run
 * the agent restore from there: the same ordered, staged, verified restore as
 * `lifeboat restore --agent`. The temporary repository is deleted whatever happens.
 */
import { randomBytes } from "node:crypto";
import { lstat, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { createLocalBackend } from "../backends/local/index.ts";
import { TEST_SCRYPT } from "../crypto/kdf.ts";
import { LifeboatError } from "../errors/index.ts";
import type { AgentConfig } from "../model/agent.ts";
import type { Snapshot } from "../model/index.ts";
import { initRepository } from "../repository/open.ts";
import type { Repository } from "../repository/repository.ts";
import { restoreAgent, type AgentRestoreResult } from "../restore/agent.ts";
import { planRestore } from "../restore/plan.ts";
import { ingestArchive } from "./ingest.ts";
import { DEFAULT_LIMITS, type Limits } from "./reader.ts";
import { scanArchive, type ScanResult } from "./scan.ts";
import { loadDecrypter, type SecretKeys } from "./secrets.ts";

export interface ImportOptions {
  archive: string;
  /** Add to this repository instead of restoring. */
  intoRepo?: Repository | undefined;
  target?: string | undefined;
  /** Agent name for an OpenClaw archive (default "openclaw"). */
  agent?: string | undefined;
  keys: SecretKeys;
  /** Refuse a lifeboat archive without its .sha256 sidecar (default true). */
  requireSha256?: boolean;
  limits?: Partial<Limits>;
  /** The agent's configuration (pid files, status command, PostgreSQL connection), looked up by name. */
  configFor?: ((agent: string) => Promise<AgentConfig | undefined>) | undefined;
  lockWaitMs?: number | undefined;
  signal?: AbortSignal | undefined;
  onLine?(line: string): void;
}

export interface ImportResult {
  format: "lifeboat" | "openclaw";
  agent: string;
  snapshot?: string | undefined;
  target?: string | undefined;
  items: { name: string; dest?: string; verified?: string }[];
  notes: string[];
  restore?: AgentRestoreResult;
}

export async function importArchive(o: ImportOptions): Promise<ImportResult> {
  const sidecar = await readSidecar(o.archive, o.signal);
  const scan = await scanArchive(o.archive, { limits: { ...DEFAULT_LIMITS, ...o.limits }, agent: o.agent, signal: o.signal });
  const notes = checkSidecar(o, scan, sidecar);
  const encrypted = scan.plan.items.filter((i) => i.encryption === "age");
  const decrypter = encrypted.length > 0 ? await loadDecrypter(o.keys, o.signal) : null;
  if (encrypted.length > 0 && !decrypter) {
    throw new LifeboatError(`import: ${o.archive} holds age-encrypted secrets (${encrypted.map((i) => i.name).join(", ")}) and no key was given`, {
      hint: "pass --identity FILE or --passphrase-file FILE (or set LIFEBOAT_IMPORT_PASSPHRASE); nothing was written",
    });
  }
  const base = { format: scan.plan.format, agent: scan.plan.agent, notes };
  const ingest = (repo: Repository) => ingestArchive(repo, o.archive, scan, { layouts: scan.layouts, decrypter, lockWaitMs: o.lockWaitMs, signal: o.signal });
  if (o.intoRepo) {
    const sn = await ingest(o.intoRepo);
    return { ...base, snapshot: sn.id, items: sn.manifest!.items.map((i) => ({ name: i.name })) };
  }
  const target = o.target ?? scan.plan.root;
  return withThrowawayRepo(o.signal, async (repo) => {
    const sn = await ingest(repo);
    await refuseOverwrite(sn, target);
    await repo.loadIndex({ signal: o.signal });
    const config = await o.configFor?.(sn.agent!);
    const res = await restoreAgent(repo, sn, {
      target, config, reloadConfig: () => o.configFor?.(sn.agent!) ?? Promise.resolve(undefined), signal: o.signal, onItem: o.onLine,
    });
    return { ...base, target, items: res.items, notes: [...notes, ...res.notes], restore: res };
  });
}

/** withThrowawayRepo runs fn on a repository in a fresh 0700 folder, deleted afterwards. */
async function withThrowawayRepo<T>(signal: AbortSignal | undefined, fn: (repo: Repository) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "lifeboat-import-"));
  try {
    // A low-cost KDF is enough: the key never leaves this process and the folder is removed.
    const repo = await initRepository(createLocalBackend(join(dir, "repo")), randomBytes(32).toString("hex"), { kdf: TEST_SCRYPT, cacheDir: null, signal });
    try {
      return await fn(repo);
    } finally {
      await repo.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * refuseOverwrite: the restore's pre-restore safety snapshot would land in the throwaway
 * repository and be deleted with it, so an import never replaces existing files.
 */
async function refuseOverwrite(sn: Snapshot, target: string): Promise<void> {
  for (const p of planRestore(sn.manifest!, { target })) {
    if (p.manifest.kind === "postgres") continue;
    const st = await lstat(p.dest).catch(() => null);
    if (!st || (st.isDirectory() && (await readdir(p.dest)).length === 0)) continue;
    throw new LifeboatError(`import: ${p.dest} already exists (item ${p.manifest.name}); import restores only into empty places`, {
      hint: "pass --target EMPTY_DIR, or add the archive with --into-repo and run `lifeboat restore --agent` (it keeps a pre-restore snapshot); nothing was written",
    });
  }
}

async function readSidecar(archive: string, signal?: AbortSignal): Promise<string | null> {
  const text = await readFile(`${archive}.sha256`, { encoding: "utf8", signal }).catch(() => null);
  if (text === null) return null;
  const m = /^([0-9a-fA-F]{64})\b/.exec(text.trim());
  if (!m) throw new LifeboatError(`import refused: ${archive}.sha256 is not in sha256sum format`, { hint: "it should read `<64 hex digits>  <file name>`" });
  return m[1]!.toLowerCase();
}

function checkSidecar(o: ImportOptions, scan: ScanResult, sidecar: string | null): string[] {
  if (sidecar !== null) {
    if (sidecar !== scan.stats.sha256) {
      throw new LifeboatError(`import refused: ${o.archive}: sha256 ${scan.stats.sha256} does not match ${basename(o.archive)}.sha256 (${sidecar})`, {
        hint: "the archive was damaged or changed after export; copy it again; nothing was written",
      });
    }
    return [`sha256 matches ${basename(o.archive)}.sha256`];
  }
  if (scan.plan.format === "lifeboat" && o.requireSha256 !== false) {
    throw new LifeboatError(`import refused: ${o.archive}.sha256 is missing`, { hint: "copy it along with the archive, or pass --no-verify-sha256 to rely on the manifest's per-file sha256 alone" });
  }
  return [`no ${basename(o.archive)}.sha256 beside the archive: its sha256 was not checked`];
}
