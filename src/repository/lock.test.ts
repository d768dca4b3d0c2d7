/**
 * @module repository/lock.test
 * The lock protocol on an in-memory backend: shared locks coexist, exclusive ones exclude
 * everything (LockError, exit code 11), --lock-wait retries until the holder lets go,
 * stale locks (dead pid on this host, or not refreshed within staleMs) are ignored, an
 * unreadable lock counts as live, and a held lock is refreshed by replacing its object.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Backend, FileInfo } from "../backends/backend.ts";
import { createLocalBackend } from "../backends/local/index.ts";
import { createMemBackend } from "../backends/mem/index.ts";
import { ExitCode, LockError } from "../errors/index.ts";
import { acquireLock, DEFAULT_LOCK_TIMINGS, isStale, listLocks, lockTimings, type LockInfo, type LockTimings } from "./lock.ts";
import { decodeObject, encodeObject, sha256hex } from "./objects.ts";

// Short pauses keep the suite fast; staleness stays at the real 30 minutes unless a test says otherwise.
const FAST: LockTimings = { ...DEFAULT_LOCK_TIMINGS, settleMs: 5, retryMs: 20 };
// No Linux pid can be this large (pid_max is at most 2^22), so this process is certainly dead.
const DEAD_PID = 2 ** 31 - 2;

async function setup(): Promise<{ be: Backend; key: Uint8Array }> {
  const be = createMemBackend();
  await be.create();
  return { be, key: randomBytes(32) };
}

const lockNames = async (be: Backend, key: Uint8Array) => (await listLocks(be, key, FAST)).map((l) => l.name).sort();

/** plantLock writes a lock object as another process would have, with `over` applied. */
async function plantLock(be: Backend, key: Uint8Array, over: Partial<LockInfo>): Promise<string> {
  const now = new Date().toISOString();
  const info: LockInfo = { time: now, created: now, exclusive: true, host: hostname(), pid: process.pid, username: "other", nonce: "00", ...over };
  const bytes = encodeObject(key, "lock", info);
  const name = sha256hex(bytes);
  await be.save({ type: "lock", name }, bytes);
  return name;
}

async function lockError(p: Promise<unknown>): Promise<LockError> {
  const err = await p.then(() => assert.fail("the lock was granted"), (e: unknown) => e);
  assert.ok(err instanceof LockError, `expected LockError, got ${String(err)}`);
  assert.equal(err.exitCode, ExitCode.lockFailed);
  assert.equal(err.exitCode, 11);
  assert.match(err.message, /repository is locked/);
  return err;
}

test("shared locks coexist, and each release removes only its own object", async () => {
  const { be, key } = await setup();
  const a = await acquireLock(be, key, { exclusive: false, timings: FAST });
  const b = await acquireLock(be, key, { exclusive: false, timings: FAST });
  assert.deepEqual(await lockNames(be, key), [a.objectName, b.objectName].sort());
  await a.release();
  assert.deepEqual(await lockNames(be, key), [b.objectName]);
  await b.release();
  assert.deepEqual(await lockNames(be, key), []);
});

test("an exclusive lock blocks shared and exclusive lockers, and a shared lock blocks an exclusive one", async () => {
  const { be, key } = await setup();
  const ex = await acquireLock(be, key, { exclusive: true, timings: FAST });
  const err = await lockError(acquireLock(be, key, { exclusive: false, timings: FAST }));
  assert.match(err.message, new RegExp(`an exclusive lock held by pid ${process.pid}`));
  await lockError(acquireLock(be, key, { exclusive: true, timings: FAST }));
  assert.deepEqual(await lockNames(be, key), [ex.objectName], "a refused locker leaves no lock object behind");
  await ex.release();

  const sh = await acquireLock(be, key, { exclusive: false, timings: FAST });
  const err2 = await lockError(acquireLock(be, key, { exclusive: true, timings: FAST }));
  assert.match(err2.message, /a shared lock held by pid/);
  assert.deepEqual(await lockNames(be, key), [sh.objectName]);
  await sh.release();
  // Once released, the exclusive lock is granted.
  await (await acquireLock(be, key, { exclusive: true, timings: FAST })).release();
});

test("two exclusive lockers racing never both get the lock", async () => {
  const { be, key } = await setup();
  for (let round = 0; round < 5; round++) {
    const results = await Promise.allSettled([
      acquireLock(be, key, { exclusive: true, timings: FAST }),
      acquireLock(be, key, { exclusive: true, timings: FAST }),
    ]);
    const won = results.filter((r) => r.status === "fulfilled");
    assert.ok(won.length <= 1, "at most one exclusive lock is granted");
    for (const r of results) if (r.status === "rejected") assert.ok(r.reason instanceof LockError);
    for (const r of won) await r.value.release();
    assert.deepEqual(await lockNames(be, key), [], "losers removed their lock objects");
  }
});

test("on a local folder (no listing lag, no settle pause) racing lockers still exclude each other", async () => {
  const dir = await mkdtemp(join(tmpdir(), "lb-lock-"));
  try {
    const be = createLocalBackend(dir);
    await be.create();
    assert.equal(be.properties.listLagMs, 0);
    const key = randomBytes(32);
    for (let round = 0; round < 20; round++) {
      const exclusiveFirst = round % 2 === 0;
      const results = await Promise.allSettled([
        acquireLock(be, key, { exclusive: true, timings: DEFAULT_LOCK_TIMINGS }),
        acquireLock(be, key, { exclusive: !exclusiveFirst, timings: DEFAULT_LOCK_TIMINGS }),
        acquireLock(be, key, { exclusive: false, timings: DEFAULT_LOCK_TIMINGS }),
      ]);
      const won = results.flatMap((r, i) => (r.status === "fulfilled" ? [{ lock: r.value, exclusive: i === 0 || (i === 1 && !exclusiveFirst) }] : []));
      if (won.some((w) => w.exclusive)) assert.equal(won.length, 1, "an exclusive lock was granted beside another lock");
      for (const r of results) if (r.status === "rejected") assert.ok(r.reason instanceof LockError);
      for (const w of won) await w.lock.release();
      assert.deepEqual(await lockNames(be, key), [], "losers removed their lock objects");
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a lock object removed while it is being taken (unlock --remove-all) is written again, not an ENOENT", async () => {
  const { be: base, key } = await setup();
  let removed = 0;
  const be: Backend = {
    ...base,
    async save(h, body, o) {
      await base.save(h, body, o);
      if (h.type === "lock" && removed++ === 0) await base.remove(h); // gone before our stat
    },
  };
  const lock = await acquireLock(be, key, { exclusive: false, timings: FAST });
  assert.equal(removed, 2, "a second lock object was written");
  assert.equal((await lockNames(base, key)).length, 1, "and it is there");
  await lock.release();
  assert.deepEqual(await lockNames(base, key), []);
});

test("waitMs retries until the holder releases, then grants the lock", async () => {
  const { be, key } = await setup();
  const holder = await acquireLock(be, key, { exclusive: true, timings: FAST });
  let released = false;
  const waiting = acquireLock(be, key, { exclusive: false, waitMs: 30_000, timings: FAST }).then((l) => {
    assert.ok(released, "the waiter got its lock only after the holder released");
    return l;
  });
  await sleep(100); // several retry rounds while the holder still holds
  released = true;
  await holder.release();
  const got = await waiting;
  assert.deepEqual(await lockNames(be, key), [got.objectName]);
  await got.release();
});

test("waitMs gives up with LockError when the holder keeps the lock", async () => {
  const { be, key } = await setup();
  const holder = await acquireLock(be, key, { exclusive: false, timings: FAST });
  await lockError(acquireLock(be, key, { exclusive: true, waitMs: 100, timings: FAST }));
  await holder.release();
});

test("a lock whose pid is dead on this host is stale and ignored, even by an exclusive locker", async () => {
  const { be, key } = await setup();
  const dead = await plantLock(be, key, { pid: DEAD_PID, exclusive: true });
  const [found] = await listLocks(be, key, FAST);
  assert.equal(found?.stale, true);
  const ex = await acquireLock(be, key, { exclusive: true, timings: FAST });
  assert.deepEqual(await lockNames(be, key), [dead, ex.objectName].sort(), "stale locks are left for `unlock` to remove");
  await ex.release();
});

test("a lock from another host is live while fresh and stale once older than staleMs", async () => {
  const { be, key } = await setup();
  // The pid cannot be checked on another host, so only its age can make it stale.
  await plantLock(be, key, { host: `not-${hostname()}`, pid: DEAD_PID, exclusive: true });
  await lockError(acquireLock(be, key, { exclusive: false, timings: FAST }));
  const short: LockTimings = { ...FAST, staleMs: 50 };
  await sleep(80);
  await (await acquireLock(be, key, { exclusive: false, timings: short })).release();

  const old = new Date(Date.now() - 31 * 60_000).toISOString();
  assert.equal(isStale({ time: old, created: old, exclusive: true, host: "elsewhere", pid: 1, username: "u", nonce: "" }, Date.now(), DEFAULT_LOCK_TIMINGS.staleMs), true);
  const recent = new Date(Date.now() - 29 * 60_000).toISOString();
  assert.equal(isStale({ time: recent, created: old, exclusive: true, host: "elsewhere", pid: 1, username: "u", nonce: "" }, Date.now(), DEFAULT_LOCK_TIMINGS.staleMs), false);
  // A live local process is not stale however old its lock, until staleMs passes.
  assert.equal(isStale({ time: recent, created: old, exclusive: true, host: hostname(), pid: process.pid, username: "u", nonce: "" }, Date.now(), DEFAULT_LOCK_TIMINGS.staleMs), false);
});

test("an unreadable lock object counts as live and blocks even a shared locker", async () => {
  const { be, key } = await setup();
  await be.save({ type: "lock", name: "ab".repeat(32) }, randomBytes(100));
  const err = await lockError(acquireLock(be, key, { exclusive: false, timings: FAST }));
  assert.match(err.message, /an unreadable lock abababab/);
});

test("a held lock is refreshed: a new object with a later time replaces the old one; release removes it", async () => {
  const { be, key } = await setup();
  const lock = await acquireLock(be, key, { exclusive: false, timings: { ...FAST, refreshMs: 30 } });
  const first = lock.objectName;
  const firstInfo = decodeObject<LockInfo>(key, "lock", await be.load({ type: "lock", name: first }));
  const deadline = Date.now() + 10_000;
  while (lock.objectName === first && Date.now() < deadline) await sleep(10);
  assert.notEqual(lock.objectName, first, "the lock object was replaced");
  const current = lock.objectName;
  const names = await lockNames(be, key);
  assert.ok(!names.includes(first), "the old object is removed");
  assert.ok(names.includes(current), "the new object is stored");
  const info = decodeObject<LockInfo>(key, "lock", await be.load({ type: "lock", name: current }));
  assert.equal(info.created, firstInfo.created);
  assert.equal(info.nonce, firstInfo.nonce);
  assert.ok(Date.parse(info.time) > Date.parse(firstInfo.time), "the refreshed lock has a later time");
  await lock.release();
  assert.deepEqual(await lockNames(be, key), []);
});

test("LIFEBOAT_LOCK_REFRESH_MS shortens the refresh interval and nothing else", () => {
  const saved = process.env.LIFEBOAT_LOCK_REFRESH_MS;
  try {
    process.env.LIFEBOAT_LOCK_REFRESH_MS = "250";
    assert.deepEqual(lockTimings(), { ...DEFAULT_LOCK_TIMINGS, refreshMs: 250 });
    process.env.LIFEBOAT_LOCK_REFRESH_MS = "nonsense";
    assert.deepEqual(lockTimings(), DEFAULT_LOCK_TIMINGS);
    delete process.env.LIFEBOAT_LOCK_REFRESH_MS;
    assert.deepEqual(lockTimings(), DEFAULT_LOCK_TIMINGS);
  } finally {
    if (saved === undefined) delete process.env.LIFEBOAT_LOCK_REFRESH_MS;
    else process.env.LIFEBOAT_LOCK_REFRESH_MS = saved;
  }
});

/** agedBackend reports `name`'s modification time `ageMs` in the past, as a remote store whose object was written then. */
function agedBackend(be: Backend, name: string, ageMs: number): Backend {
  const older = (fi: FileInfo): FileInfo => (fi.name === name && fi.mtimeMs !== undefined ? { ...fi, mtimeMs: fi.mtimeMs - ageMs } : fi);
  return {
    ...be,
    stat: async (h, o) => older(await be.stat(h, o)),
    async *list(type, o) {
      for await (const fi of be.list(type, o)) yield older(fi);
    },
  };
}

test("clock skew: a fresh lock from a host whose clock is 2 hours behind still blocks", async () => {
  const { be, key } = await setup();
  // Its own time says 2 hours old; the storage wrote it just now.
  const behind = new Date(Date.now() - 2 * 3600_000).toISOString();
  await plantLock(be, key, { host: `not-${hostname()}`, time: behind, created: behind });
  await lockError(acquireLock(be, key, { exclusive: false, timings: FAST }));
});

test("clock skew: an abandoned lock from a host whose clock is 2 hours ahead goes stale by the storage's clock", async () => {
  const { be, key } = await setup();
  const ahead = new Date(Date.now() + 2 * 3600_000).toISOString();
  const name = await plantLock(be, key, { host: `not-${hostname()}`, time: ahead, created: ahead });
  const aged = agedBackend(be, name, 40 * 60_000); // last refreshed 40 minutes ago on the storage clock
  const got = await acquireLock(aged, key, { exclusive: true, timings: FAST });
  await got.release();
});

test("a lock removed by someone else aborts its `lost` signal at the next refresh", async () => {
  const { be, key } = await setup();
  const lock = await acquireLock(be, key, { exclusive: false, timings: { ...FAST, refreshMs: 20 } });
  await be.remove({ type: "lock", name: lock.objectName }); // as `unlock --remove-all` on another host
  const deadline = Date.now() + 5_000;
  while (!lock.lost.aborted && Date.now() < deadline) await sleep(10);
  assert.ok(lock.lost.aborted, "lost must fire");
  assert.ok(lock.lost.reason instanceof LockError);
  assert.match((lock.lost.reason as Error).message, /lost the repository lock/);
  assert.deepEqual(await lockNames(be, key), [], "no new lock object is written for a lost lock");
  await lock.release();
});
