/**
 * @module doctor/disk.test
 * One finding per file system, naming every folder on it; thresholds decide the level.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { checkDisk, DISK_THRESHOLDS } from "./disk.ts";
import { tempDir } from "./_testkit.ts";

test("folders on one disk share a finding; a repository not created yet is measured at its parent", async () => {
  const t = await tempDir("disk");
  try {
    const targets = [{ label: "repository", path: join(t.dir, "repo", "not", "yet"), repository: true }, { label: "agent a", path: t.dir }];
    const found = await checkDisk(targets, { ...DISK_THRESHOLDS, minFree: 0, minRatio: 0, critical: 0 });
    assert.equal(found.length, 1, JSON.stringify(found));
    assert.equal(found[0]!.level, "ok");
    assert.match(found[0]!.message, new RegExp(`^repository, agent a: .* free of .* \\(\\d+%\\) at ${t.dir}$`));
  } finally {
    await t.cleanup();
  }
});

test("below the warning thresholds: warn with a fix for the repository's disk; below critical: error", async () => {
  const t = await tempDir("disk");
  try {
    const repo = [{ label: "repository", path: t.dir, repository: true }];
    const low = await checkDisk(repo, { minFree: Number.MAX_SAFE_INTEGER, minRatio: 0, critical: 0 });
    assert.equal(low[0]!.level, "warn");
    assert.match(low[0]!.fix ?? "", /lifeboat forget --prune/);
    const ratio = await checkDisk([{ label: "agent a", path: t.dir }], { minFree: 0, minRatio: 1.01, critical: 0 });
    assert.equal(ratio[0]!.level, "warn");
    assert.match(ratio[0]!.fix ?? "", /agent on a full disk/);
    const full = await checkDisk(repo, { minFree: 0, minRatio: 0, critical: Number.MAX_SAFE_INTEGER });
    assert.equal(full[0]!.level, "error");
  } finally {
    await t.cleanup();
  }
});
