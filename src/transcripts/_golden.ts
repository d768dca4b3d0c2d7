/**
 * @module transcripts/_golden
 * Test helpers for the transcripts tests: golden files in testdata/ (regenerate with
 * UPDATE_GOLDEN=1 and review the diff), a throwaway folder, and a sync with fixed settings.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { syncTranscripts, type SyncOptions, type SyncResult } from "./sync.ts";
import type { TranscriptSource } from "./types.ts";

export const TESTDATA = join(import.meta.dirname, "testdata");

/** assertGolden compares `actual` with testdata/<name>. */
export async function assertGolden(actual: string, name: string): Promise<void> {
  const path = join(TESTDATA, name);
  if (process.env.UPDATE_GOLDEN === "1") await writeFile(path, actual);
  assert.equal(actual, await readFile(path, "utf8"), `golden file testdata/${name} (UPDATE_GOLDEN=1 rewrites it)`);
}

export async function tempDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `lifeboat-transcripts-${prefix}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** sync runs one sync of agent "test" in Europe/Berlin with state under `dir`/state. */
export function sync(dir: string, sources: TranscriptSource[], extra: Partial<SyncOptions> = {}): Promise<SyncResult> {
  return syncTranscripts({ agent: "test", sources, timeZone: "Europe/Berlin", stateDir: join(dir, "state"), ...extra });
}

/** snapshot reads every file below `dir` (relative path → content), for byte-identical comparisons. */
export async function snapshot(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) out.set(relative(dir, join(e.parentPath, e.name)), await readFile(join(e.parentPath, e.name), "utf8"));
  }
  return out;
}

/** countKeys counts the key comments of `key` in a text (a duplicate shows as 2). */
export function countKeys(text: string, key: string): number {
  return text.split(`<!-- lb:msg ${key} `).length - 1;
}
