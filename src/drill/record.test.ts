/**
 * @module drill/record.test
 * Drill results as signed records: the newest per agent comes back from one pass, a deleted
 * record is reported as untrusted, and the next drill restarts the chain so it is trusted again.
 */
import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { createTestRepo } from "../testing/repo.ts";
import { lastDrills, saveDrill } from "./record.ts";
import type { DrillReport } from "./types.ts";

const report = (agent: string, n: number, ok = true): DrillReport => ({
  agent, snapshot: "ab".repeat(32), snapshotTime: "2026-11-22T00:00:00.000Z", host: "vm", ok, fromScratch: false,
  time: `2026-11-22T0${n}:00:00.000Z`, recoveryMs: n * 100, cleanupMs: 1, items: [], health: [], warnings: [], sandbox: null, databases: [],
});

test("lastDrills returns each agent's newest drill; a cut chain is untrusted until the next drill restarts it", async () => {
  const t = await createTestRepo();
  try {
    const first = await saveDrill(t.repo, report("wren", 1));
    await saveDrill(t.repo, report("wren", 2, false));
    await saveDrill(t.repo, report("scout", 3));
    let last = await lastDrills(t.repo);
    assert.deepEqual([...last.keys()].sort(), ["scout", "wren"]);
    assert.equal(last.get("wren")!.report.recoveryMs, 200);
    assert.equal(last.get("wren")!.report.ok, false);
    assert.equal(last.get("wren")!.untrusted, 0);

    await rm(join(t.path, "records", first));
    last = await lastDrills(t.repo);
    assert.ok(last.get("wren") === undefined || last.get("wren")!.untrusted > 0, "a record cut from the chain is reported");
    assert.equal(last.get("scout")!.untrusted, 0, "another agent's chain is not affected");

    await saveDrill(t.repo, report("wren", 4));
    last = await lastDrills(t.repo);
    assert.equal(last.get("wren")!.report.recoveryMs, 400);
    assert.equal(last.get("wren")!.untrusted, 0, "the next drill restarts the chain");
  } finally {
    await t.repo.close();
    await t.cleanup();
  }
});
