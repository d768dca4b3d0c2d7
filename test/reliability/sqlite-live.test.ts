/**
 * @module test/reliability/sqlite-live.test
 * Issue 9, live SQLite: a NanoClaw agent whose messages.db takes about 200 transactions a
 * second from a separate process (one message each, ids 1, 2, 3, ...) while the CLI backs
 * it up N times back to back. Every snapshot's database, restored in-process, passes
 * `PRAGMA integrity_check` and holds the writer's ids 1..k with no gap, where k lies between
 * the live count just before that backup started and just after it ended (a consistent
 * point in time) and never falls from one snapshot to the next. The writer's real rate and
 * its slowest commit are recorded.
 */
import assert from "node:assert/strict";
import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { after, before, describe, it } from "node:test";
import { createLocalBackend } from "../../src/backends/local/index.ts";
import type { Snapshot } from "../../src/model/index.ts";
import { openRepository } from "../../src/repository/open.ts";
import type { Repository } from "../../src/repository/repository.ts";
import { restoreTreeInto } from "../../src/restore/restore.ts";
import { nanoclawV1 } from "../../src/testing/fixtures/index.ts";
import { createAgentWorld, type AgentWorld } from "../e2e/agent-helpers.ts";
import { LONG, recordResult, SEED, trials } from "./record.ts";
import { startWriter, stopWriter, WRITER_CHAT, type Writer, type WriterStats } from "./sqlite-writer.ts";

/** The long run (npm run reliability) takes as long as its trial counts need. */
const LONG_TIMEOUT = 6 * 3_600_000;

const N = trials(8, 50);
const RATE = 200;

/** writerIds reads the writer's ids, in order, from a database file. */
function writerIds(path: string): number[] {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return (db.prepare(`SELECT CAST(id AS INTEGER) AS n FROM messages WHERE chat_jid = '${WRITER_CHAT}' ORDER BY n`).all() as { n: number }[]).map((r) => r.n);
  } finally {
    db.close();
  }
}

/** liveCount is how many rows the writer has committed, read from the live database. */
function liveCount(path: string): number {
  const db = new DatabaseSync(path, { readOnly: true, timeout: 10_000 });
  try {
    return (db.prepare(`SELECT count(*) AS c FROM messages WHERE chat_jid = '${WRITER_CHAT}'`).get() as { c: number }).c;
  } finally {
    db.close();
  }
}

function integrity(path: string): string {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return (db.prepare("PRAGMA integrity_check").all() as { integrity_check: string }[]).map((r) => r.integrity_check).join("; ");
  } finally {
    db.close();
  }
}

/** capturedDb restores the snapshot's messages-db item in-process and returns the file's path. */
async function capturedDb(repo: Repository, sn: Snapshot, scratch: string): Promise<string> {
  const item = (await repo.loadTree(sn.tree)).nodes.find((n) => n.name === "messages-db");
  assert.ok(item?.subtree, `snapshot ${sn.id!.slice(0, 8)} has no messages-db item`);
  const res = await restoreTreeInto(repo, item.subtree, { target: scratch });
  assert.deepEqual(res.errors, []);
  const [file] = (await readdir(scratch)).filter((f) => f.endsWith(".db"));
  return join(scratch, file!);
}

interface Bound { lo: number; hi: number; code: number | null; stderr: string }

describe("a live SQLite store written ~200 times a second during back-to-back backups", { timeout: LONG ? LONG_TIMEOUT : 1_800_000 }, () => {
  let w: AgentWorld;
  let db: string;
  let writer: Writer | undefined;

  before(async () => {
    w = await createAgentWorld();
    const root = join(w.home, "nanoclaw");
    db = (await nanoclawV1(root, { home: w.home, messages: 500 })).messagesDb;
    await w.writeConfig([{ name: "andy", preset: "nanoclaw", root }]);
  });
  after(async () => {
    if (writer && writer.child.exitCode === null) writer.child.kill("SIGKILL");
    await w?.cleanup();
  });

  it(`${N} backups under the writer: every captured database is intact and a gap-free prefix`, async () => {
    const started = Date.now();
    const bounds: Bound[] = [];
    let stats: WriterStats;
    writer = await startWriter(db, RATE, 20);
    try {
      for (let i = 0; i < N; i++) {
        const lo = liveCount(db);
        const res = await w.cli(["backup", "--json"]);
        bounds.push({ lo, hi: liveCount(db), code: res.code, stderr: res.stderr });
      }
    } finally {
      stats = await stopWriter(writer);
    }
    const { failures, ks } = await verifySnapshots(w, bounds);
    const rate = Math.round((stats.rows / stats.ms) * 1000);
    await recordResult({
      suite: "sqlite-live", what: `a NanoClaw messages.db written at ~${RATE} tx/s by another process during ${N} back-to-back CLI backups: each capture passes integrity_check, holds ids 1..k with no gap, k within the backup's window and non-decreasing`,
      trials: N, failures: failures.length, seed: SEED, ms: Date.now() - started,
      details: [`writer: ${stats.rows} transactions in ${(stats.ms / 1000).toFixed(1)} s = ${rate} tx/s measured; slowest commit ${stats.maxCommitMs} ms`, `captured k per snapshot: ${ks.join(", ")}`, ...failures.slice(0, 5)],
    });
    assert.deepEqual(failures, [], `seed ${SEED}`);
    assert.ok(rate >= RATE / 2, `the writer reached ${rate} tx/s, too far below ${RATE} for the test to mean what it says`);
  });
});

/** verifySnapshots checks each backup's snapshot, oldest first; it returns the failures and each k. */
async function verifySnapshots(w: AgentWorld, bounds: Bound[]): Promise<{ failures: string[]; ks: number[] }> {
  const failures = bounds.flatMap((b, i) => (b.code === 0 ? [] : [`backup ${i} exited ${b.code}: ${b.stderr.slice(0, 200)}`]));
  const snaps = (await w.fullSnapshots()).filter((s) => s.agent === "andy");
  if (snaps.length !== bounds.length) failures.push(`${snaps.length} snapshots for ${bounds.length} backups`);
  const repo = await openRepository(createLocalBackend(w.repo), w.password, { cacheDir: null });
  const ks: number[] = [];
  try {
    await repo.loadIndex();
    for (const [i, sn] of snaps.entries()) {
      const scratch = join(w.dir, `captured-${i}`);
      const file = await capturedDb(repo, sn, scratch);
      const check = integrity(file);
      const ids = writerIds(file);
      const k = ids.length;
      const b = bounds[i]!;
      if (check !== "ok") failures.push(`snapshot ${i}: integrity_check: ${check.slice(0, 200)}`);
      if (ids.some((id, j) => id !== j + 1)) failures.push(`snapshot ${i}: ids are not 1..${k} (first gap after ${ids.findIndex((id, j) => id !== j + 1)})`);
      if (b && (k < b.lo || k > b.hi)) failures.push(`snapshot ${i}: k=${k} outside the backup's window ${b.lo}..${b.hi}`);
      if (k < (ks.at(-1) ?? 0)) failures.push(`snapshot ${i}: k=${k} fell below the previous snapshot's ${ks.at(-1)}`);
      ks.push(k);
      await rm(scratch, { recursive: true, force: true });
    }
  } finally {
    await repo.close();
  }
  return { failures, ks };
}
