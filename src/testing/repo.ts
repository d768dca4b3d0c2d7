/**
 * @module testing/repo
 * createTestRepo: a repository in a fresh temporary folder with a low-cost KDF (restic's
 * TestUseLowSecurityKDFParameters), for tests only.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalBackend } from "../backends/local/index.ts";
import { TEST_SCRYPT } from "../crypto/kdf.ts";
import { initRepository, openRepository } from "../repository/open.ts";
import type { Repository } from "../repository/repository.ts";
import type { ConfigOptions } from "../repository/config.ts";

export interface TestRepo {
  dir: string;
  path: string;
  password: string;
  repo: Repository;
  /** reopen opens the same repository again (fresh in-memory index). */
  reopen(): Promise<Repository>;
  cleanup(): Promise<void>;
}

export async function createTestRepo(opts: ConfigOptions = {}): Promise<TestRepo> {
  const dir = await mkdtemp(join(tmpdir(), "lifeboat-test-"));
  const path = join(dir, "repo");
  const password = "test password";
  const repo = await initRepository(createLocalBackend(path), password, { ...opts, kdf: TEST_SCRYPT, cacheDir: null });
  return {
    dir, path, password, repo,
    reopen: () => openRepository(createLocalBackend(path), password, { cacheDir: null }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
