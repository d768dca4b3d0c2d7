/**
 * @module repository/records.test
 * Signed records on a real local repository: a chain of (kind, subject) round-trips in
 * order with its links; other kinds and subjects are left alone; a damaged file, a body
 * edited under the old signature, a deleted middle record and a record signed by another
 * repository are each reported as tampering and never returned as trusted; a restart
 * disowns the broken past; and a repository older than the `records/` folder still works.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createTestRepo, type TestRepo } from "../testing/repo.ts";
import { appendRecord, loadChain, type LoadedRecord, type RecordRepo } from "./records.ts";

const KIND = "drift-approval";
const SUBJECT = "wren";

interface Body { note: string; n: number }

async function withRepo(fn: (t: TestRepo) => Promise<void>): Promise<void> {
  const t = await createTestRepo();
  try { await fn(t); } finally { await t.cleanup(); }
}

/** appendChain stores `n` records of (KIND, SUBJECT), each after the previous one. */
async function appendChain(repo: RecordRepo, n: number): Promise<LoadedRecord<Body>[]> {
  const out: LoadedRecord<Body>[] = [];
  for (let i = 1; i <= n; i++) out.push(await appendRecord<Body>(repo, KIND, SUBJECT, { note: `approval ${i}`, n: i }, out.at(-1) ?? null));
  return out;
}

const recordFile = (t: TestRepo, id: string) => join(t.path, "records", id);

test("appendRecord/loadChain: records come back oldest first, numbered 1, 2, 3, each linked to the one before", async () => {
  await withRepo(async (t) => {
    const saved = await appendChain(t.repo, 3);
    assert.deepEqual(saved.map((r) => r.record.seq), [1, 2, 3]);
    assert.deepEqual(saved.map((r) => r.record.prev), [null, saved[0]!.id, saved[1]!.id]);
    assert.deepEqual((await readdir(join(t.path, "records"))).sort(), saved.map((r) => r.id).sort(), "one file per record, named by its id");

    // Read through a freshly opened repository: nothing is held in memory.
    const chain = await loadChain<Body>(await t.reopen(), KIND, SUBJECT);
    assert.deepEqual(chain.tampered, []);
    assert.deepEqual(chain.records.map((r) => r.id), saved.map((r) => r.id));
    assert.deepEqual(chain.records.map((r) => r.record.body), [{ note: "approval 1", n: 1 }, { note: "approval 2", n: 2 }, { note: "approval 3", n: 3 }]);
    assert.deepEqual(chain.records, saved);
    for (const r of chain.records) {
      assert.equal(r.record.kind, KIND);
      assert.equal(r.record.subject, SUBJECT);
      assert.equal(r.record.version, 1);
      assert.match(r.record.hmac, /^[0-9a-f]{64}$/);
      assert.equal(r.record.restart, undefined);
    }
  });
});

test("loadChain of a kind or subject with no records is empty, not an error", async () => {
  await withRepo(async (t) => {
    assert.deepEqual(await loadChain(t.repo, KIND, SUBJECT), { records: [], tampered: [] });
  });
});

test("records of another kind or another subject are ignored, neither trusted nor reported", async () => {
  await withRepo(async (t) => {
    const mine = await appendChain(t.repo, 2);
    const otherKind = await appendRecord(t.repo, "drill-result", SUBJECT, { ok: true }, null);
    const otherSubject = await appendRecord<Body>(t.repo, KIND, "heron", { note: "heron's", n: 1 }, null);

    const chain = await loadChain<Body>(t.repo, KIND, SUBJECT);
    assert.deepEqual(chain.tampered, []);
    assert.deepEqual(chain.records.map((r) => r.id), mine.map((r) => r.id));

    const heron = await loadChain<Body>(t.repo, KIND, "heron");
    assert.deepEqual(heron, { records: [otherSubject], tampered: [] });
    const drills = await loadChain(t.repo, "drill-result", SUBJECT);
    assert.deepEqual(drills.records.map((r) => r.id), [otherKind.id]);
    assert.equal(otherKind.record.seq, 1, "each (kind, subject) numbers its own chain");
  });
});

test("a damaged record file is reported as tampered (for every reader) and is not trusted", async () => {
  await withRepo(async (t) => {
    const [r1, r2, r3] = await appendChain(t.repo, 3);
    const file = recordFile(t, r2!.id);
    const bytes = await readFile(file);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    await writeFile(file, bytes);

    const chain = await loadChain<Body>(t.repo, KIND, SUBJECT);
    assert.deepEqual(chain.records.map((r) => r.id), [r1!.id, r3!.id]);
    const damaged = chain.tampered.find((p) => p.id === r2!.id);
    assert.ok(damaged, JSON.stringify(chain.tampered));
    assert.match(damaged.problem, /damaged|truncated/);
    // The record after it now follows a record that cannot be trusted: a broken link too.
    const link = chain.tampered.find((p) => p.id === r3!.id);
    assert.ok(link, JSON.stringify(chain.tampered));
    assert.equal(link.seq, 3);
    assert.match(link.problem, /missing/);

    // Which kind the damaged record was cannot be known, so another chain hears of it too.
    const other = await loadChain(t.repo, "drill-result", "someone-else");
    assert.deepEqual(other.records, []);
    assert.deepEqual(other.tampered.map((p) => p.id), [r2!.id]);
  });
});

test("a record re-sealed with a changed body under the old signature is tampered: its signature does not match", async () => {
  await withRepo(async (t) => {
    const [r1, r2, r3] = await appendChain(t.repo, 3);
    // The attacker holds the repository key (can seal objects) but not the record key.
    const forged = await t.repo.saveObject("record", { ...r3!.record, body: { note: "approve the poisoned SOUL.md", n: 3 } });
    await rm(recordFile(t, r3!.id));

    const chain = await loadChain<Body>(t.repo, KIND, SUBJECT);
    assert.deepEqual(chain.records.map((r) => r.id), [r1!.id, r2!.id]);
    assert.equal(chain.tampered.length, 1, JSON.stringify(chain.tampered));
    assert.equal(chain.tampered[0]!.id, forged);
    assert.match(chain.tampered[0]!.problem, /signature that does not match/);
  });
});

test("changing only the seq, prev or subject under the old signature is caught too", async () => {
  await withRepo(async (t) => {
    const [r1] = await appendChain(t.repo, 1);
    const bumped = await t.repo.saveObject("record", { ...r1!.record, seq: 7 });
    const moved = await t.repo.saveObject("record", { ...r1!.record, subject: "heron" });

    const chain = await loadChain<Body>(t.repo, KIND, SUBJECT);
    assert.deepEqual(chain.records.map((r) => r.id), [r1!.id]);
    assert.deepEqual(chain.tampered.map((p) => p.id), [bumped]);
    const heron = await loadChain<Body>(t.repo, KIND, "heron");
    assert.deepEqual(heron.records, []);
    assert.deepEqual(heron.tampered.map((p) => p.id), [moved], "a record copied to another subject is not that subject's");
  });
});

test("deleting a record from the middle of the chain reports the next one as following a missing record", async () => {
  await withRepo(async (t) => {
    const [r1, r2, r3, r4] = await appendChain(t.repo, 4);
    await rm(recordFile(t, r2!.id));

    const chain = await loadChain<Body>(t.repo, KIND, SUBJECT);
    assert.deepEqual(chain.records.map((r) => r.id), [r1!.id, r3!.id, r4!.id]);
    assert.equal(chain.tampered.length, 1, JSON.stringify(chain.tampered));
    assert.equal(chain.tampered[0]!.id, r3!.id);
    assert.equal(chain.tampered[0]!.seq, 3);
    assert.match(chain.tampered[0]!.problem, /number 3\b.*missing/);
  });
});

test("deleting the first record is caught: number 2 follows a record that is gone", async () => {
  await withRepo(async (t) => {
    const [r1, r2] = await appendChain(t.repo, 2);
    await rm(recordFile(t, r1!.id));
    const chain = await loadChain<Body>(t.repo, KIND, SUBJECT);
    assert.deepEqual(chain.tampered.map((p) => p.id), [r2!.id]);
  });
});

test("restart: a restart record disowns the earlier ones, their broken links are no longer reported, and seq continues past opts.seq", async () => {
  await withRepo(async (t) => {
    const [, r2, r3] = await appendChain(t.repo, 3);
    await rm(recordFile(t, r2!.id));
    const before = await loadChain<Body>(t.repo, KIND, SUBJECT);
    assert.deepEqual(before.tampered.map((p) => p.seq), [3]);

    // What `drift accept --force` does: number the restart past every number seen.
    const highest = Math.max(...before.records.map((r) => r.record.seq), ...before.tampered.map((p) => p.seq ?? 0));
    const restart = await appendRecord<Body>(t.repo, KIND, SUBJECT, { note: "reviewed", n: 99 }, before.records.at(-1) ?? null, undefined, { restart: true, seq: highest });
    assert.equal(restart.record.seq, 4);
    assert.equal(restart.record.prev, null, "a restart links to nothing");
    assert.equal(restart.record.restart, true);

    const after = await loadChain<Body>(t.repo, KIND, SUBJECT);
    assert.deepEqual(after.tampered, []);
    assert.deepEqual(after.records.map((r) => r.id), [restart.id], "records before the restart are not trusted any more");
    assert.equal(r3!.record.seq, 3);

    // The chain goes on normally from the restart.
    const next = await appendRecord<Body>(t.repo, KIND, SUBJECT, { note: "later", n: 100 }, after.records.at(-1)!);
    assert.equal(next.record.seq, 5);
    assert.equal(next.record.prev, restart.id);
    const later = await loadChain<Body>(t.repo, KIND, SUBJECT);
    assert.deepEqual(later.tampered, []);
    assert.deepEqual(later.records.map((r) => r.id), [restart.id, next.id]);
  });
});

test("opts.seq above the last record's number wins; below it, the record still numbers after `after`", async () => {
  await withRepo(async (t) => {
    const [, r2] = await appendChain(t.repo, 2);
    const high = await appendRecord<Body>(t.repo, KIND, SUBJECT, { note: "x", n: 0 }, r2!, undefined, { restart: true, seq: 10 });
    assert.equal(high.record.seq, 11);
    const low = await appendRecord<Body>(t.repo, KIND, SUBJECT, { note: "y", n: 0 }, high, undefined, { restart: true, seq: 1 });
    assert.equal(low.record.seq, 12);
    const chain = await loadChain<Body>(t.repo, KIND, SUBJECT);
    assert.deepEqual(chain.records.map((r) => r.id), [low.id], "the newest restart is where the chain starts");
    assert.deepEqual(chain.tampered, []);
  });
});

test("a record signed under another repository's secret is rejected", async () => {
  const a = await createTestRepo();
  const b = await createTestRepo();
  try {
    const [r1] = await appendChain(a.repo, 1);
    assert.notDeepEqual(Buffer.from(a.repo.secret), Buffer.from(b.repo.secret));
    // Sealed with A's key (so it decrypts in A) but signed with B's record key.
    const intruder: RecordRepo = {
      secret: b.repo.secret,
      loadObject: (type, name, signal) => a.repo.loadObject(type, name, signal),
      saveObject: (type, value, signal) => a.repo.saveObject(type, value, signal),
      listNames: (type, signal) => a.repo.listNames(type, signal),
    };
    const forged = await appendRecord<Body>(intruder, KIND, SUBJECT, { note: "from elsewhere", n: 2 }, r1!);

    const chain = await loadChain<Body>(a.repo, KIND, SUBJECT);
    assert.deepEqual(chain.records.map((r) => r.id), [r1!.id]);
    assert.deepEqual(chain.tampered.map((p) => p.id), [forged.id]);
    assert.match(chain.tampered[0]!.problem, /signature/);

    // A record file copied as is from B does not even open in A: reported, not trusted.
    const [fromB] = await appendChain(b.repo, 1);
    await writeFile(recordFile(a, fromB!.id), await readFile(recordFile(b, fromB!.id)));
    const again = await loadChain<Body>(a.repo, KIND, SUBJECT);
    assert.deepEqual(again.records.map((r) => r.id), [r1!.id]);
    assert.ok(again.tampered.some((p) => p.id === fromB!.id), JSON.stringify(again.tampered));
  } finally {
    await a.cleanup();
    await b.cleanup();
  }
});

test("a repository made before records/ existed lists no records and creates the folder on the first save", async () => {
  await withRepo(async (t) => {
    const dir = join(t.path, "records");
    assert.ok((await stat(dir)).isDirectory(), "a new repository has records/");
    await rm(dir, { recursive: true });
    const old = await t.reopen();

    assert.deepEqual(await old.listNames("record"), []);
    assert.deepEqual(await loadChain(old, KIND, SUBJECT), { records: [], tampered: [] });

    const first = await appendRecord<Body>(old, KIND, SUBJECT, { note: "first", n: 1 }, null);
    const st = await stat(dir);
    assert.ok(st.isDirectory());
    assert.equal(st.mode & 0o777, 0o700, "the folder is private like the rest of the repository");
    assert.deepEqual(await readdir(dir), [first.id]);
    const chain = await loadChain<Body>(await t.reopen(), KIND, SUBJECT);
    assert.deepEqual(chain, { records: [first], tampered: [] });
  });
});
