/**
 * @module doctor/repository.test
 * Opening the repository (each failure with its own fix) and each agent's last snapshot:
 * none is an error, older than 26 h warns, pre-restore safety snapshots do not count.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { hostname } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../config/index.ts";
import type { Snapshot } from "../model/index.ts";
import { saveSnapshot } from "../repository/snapshots.ts";
import { PRE_RESTORE_TAG } from "../restore/safety.ts";
import { createTestRepo } from "../testing/index.ts";
import { checkFreshness, formatAge } from "./freshness.ts";
import { checkRepository, localPath } from "./repository.ts";
import { contextFor } from "./_testkit.ts";

const HOUR = 3_600_000;

function snapshot(agent: string, time: number, tags: string[] = []): Snapshot {
  return {
    time: new Date(time).toISOString(), host: hostname(), username: "u", paths: ["/a"], tags: [agent, ...tags], agent,
    tree: "0".repeat(64), toolVersion: "0", chunkers: {},
    summary: { files: 0, dirs: 0, bytes: 0, filesNew: 0, filesChanged: 0, filesUnmodified: 0, blobsNew: 0, bytesNew: 0, bytesStored: 0, errors: 0, durationMs: 0 },
  };
}

test("repository: opens; wrong password, missing repository and no location each get their fix", async () => {
  const tr = await createTestRepo();
  try {
    const good = await checkRepository(contextFor({ repo: tr.path, password: tr.password }));
    assert.deepEqual(good.findings.map((f) => f.level), ["ok"]);
    await good.repo?.close();
    const wrong = await checkRepository(contextFor({ repo: tr.path, password: "nope" }));
    assert.equal(wrong.repo, undefined);
    assert.match(wrong.findings[0]!.message, /wrong password/);
    assert.match(wrong.findings[0]!.fix ?? "", /password_file/);
    const missing = await checkRepository(contextFor({ repo: join(tr.dir, "nothing"), password: tr.password }));
    assert.match(missing.findings[0]!.message, /no repository at/);
    assert.match(missing.findings[0]!.fix ?? "", /lifeboat init/);
    const none = await checkRepository(contextFor({}));
    assert.deepEqual(none.findings.map((f) => [f.level, f.message, f.fix]), [["error", "no repository given", "pass --repo LOCATION"]]);
    const hidden = await checkRepository({ ...contextFor({}), location: () => Promise.reject(new ConfigError([])) });
    assert.deepEqual(hidden.findings, [], "an invalid config is reported by the config check alone");
  } finally {
    await tr.cleanup();
  }
});

test("freshness: fresh is ok, older than the agent's warn age warns, none (or only pre-restore) is an error", async () => {
  const tr = await createTestRepo();
  try {
    const now = Date.parse("2026-11-22T12:00:00Z");
    await saveSnapshot(tr.repo, snapshot("fresh", now - 40 * HOUR));
    await saveSnapshot(tr.repo, snapshot("fresh", now - 2 * HOUR));
    const STALE_MS = 26 * HOUR;
    await saveSnapshot(tr.repo, snapshot("stale", now - STALE_MS - HOUR));
    await saveSnapshot(tr.repo, snapshot("stale", now - HOUR, [PRE_RESTORE_TAG]));
    await saveSnapshot(tr.repo, snapshot("undone", now - HOUR, [PRE_RESTORE_TAG]));
    const found = await checkFreshness(tr.repo, ["fresh", "stale", "undone", "never"], now, (a) => (a === "fresh" ? 3 * HOUR : STALE_MS));
    assert.deepEqual(found.map((f) => [f.agent, f.level]), [["fresh", "ok"], ["stale", "warn"], ["undone", "error"], ["never", "error"]]);
    assert.match(found[0]!.message, /^last snapshot [0-9a-f]{8} is 2h00m old \(2026-11-22T10:00:00\.000Z\)$/);
    assert.match(found[1]!.message, /is 1d03h old/);
    assert.match(found[1]!.fix ?? "", /scheduled backup/);
    assert.deepEqual([found[3]!.message, found[3]!.fix], ["no snapshot yet", "run `lifeboat backup --agent never`, then schedule it (cron or a systemd timer)"]);
  } finally {
    await tr.cleanup();
  }
});

test("formatAge and localPath", () => {
  assert.deepEqual([formatAge(59_000), formatAge(61 * 60_000), formatAge(50 * HOUR)], ["0m", "1h01m", "2d02h"]);
  assert.equal(localPath("local:/srv/x"), "/srv/x");
  assert.equal(localPath("/srv/x"), "/srv/x");
  assert.equal(localPath("sftp:host:/x"), undefined);
  assert.equal(localPath(""), undefined);
});
