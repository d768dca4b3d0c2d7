/**
 * @module doctor/_testkit
 * Shared by the doctor tests: throwaway folders, an agent built from a preset the way the
 * CLI builds it, and a DoctorContext over a config file and a local repository, without
 * a command line in between.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expandAgent } from "../agent/expand.ts";
import type { AgentConfig, Item } from "../agent/types.ts";
import { createLocalBackend } from "../backends/local/index.ts";
import { loadConfig } from "../config/index.ts";
import { LifeboatError } from "../errors/index.ts";
import { openRepository } from "../repository/open.ts";
import type { DoctorContext } from "./types.ts";

export interface TempDir {
  dir: string;
  cleanup(): Promise<void>;
}

export async function tempDir(prefix = "doctor"): Promise<TempDir> {
  const dir = await mkdtemp(join(tmpdir(), `lifeboat-${prefix}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** presetAgent expands `preset` over `root`, with extra config items. */
export function presetAgent(name: string, preset: string, root: string, items: Item[] = []): Promise<AgentConfig> {
  return expandAgent({ name, preset, root, items, skip: [], hooks: {}, pidFiles: [] });
}

/** customAgent is an agent made of exactly `items`. */
export function customAgent(name: string, root: string, items: Item[], extra: Partial<AgentConfig> = {}): AgentConfig {
  return { name, preset: "custom", root, items, skip: [], hooks: {}, pidFiles: [], ...extra };
}

/** writeConfig writes lifeboat.yaml into `dir` and returns its path. */
export async function writeConfig(dir: string, text: string): Promise<string> {
  const path = join(dir, "lifeboat.yaml");
  await writeFile(path, text);
  return path;
}

/** contextFor checks `configPath` (none: no config) against the repository at `repo` opened with `password`. */
export function contextFor(o: { configPath?: string; repo?: string; password?: string; now?: () => number; agents?: string[] }): DoctorContext {
  return {
    config: () => (o.configPath === undefined ? Promise.resolve(null) : loadConfig(o.configPath)),
    location: async () => {
      if (o.repo === undefined) throw new LifeboatError("no repository given", { hint: "pass --repo LOCATION" });
      return o.repo;
    },
    openRepo: () => openRepository(createLocalBackend(o.repo!), o.password ?? "test password", { cacheDir: null }),
    ...(o.now !== undefined ? { now: o.now } : {}),
    ...(o.agents !== undefined ? { agents: o.agents } : {}),
  };
}
