/**
 * @module drift/baseline.test
 * Building the next approval from the state just captured (all of it, or some paths with
 * the rest carried forward), and the rollback guard: an approval number this machine has
 * seen that is gone from the repository is reported, per repository and agent.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { approvalBody, baselineState, rememberApproval, rollbackProblem, type Approval, type ApprovalBody } from "./baseline.ts";
import type { AgentState, TableEntry } from "./types.ts";

const SNAP = "5a".repeat(32);
const OLD = "01".repeat(32);

function entry(rel: string, sha: string, size: number, snapshot?: string): TableEntry {
  return { item: "workspace", rel, sha256: sha.repeat(64 / sha.length), size, ...(snapshot ? { snapshot } : {}) };
}

function state(files: Record<string, TableEntry>, databases: Record<string, Record<string, number>> = {}): AgentState {
  return { files: new Map(Object.entries(files)), databases: new Map(Object.entries(databases)) };
}

function approval(seq: number, body?: ApprovalBody): Approval {
  return {
    id: seq.toString(16).padStart(64, "0"),
    record: { version: 1, kind: "drift-approval", subject: "wren", seq, prev: null, time: "2026-11-20T10:00:00.000Z", body: body ?? approvalBody(null, state({}), OLD, "all", "ana", "first"), hmac: "00" },
  };
}

test("approvalBody with scope all takes every file and database of the new state", () => {
  const prev = approvalBody(null, state({ "gone.md": entry("gone.md", "aa", 1) }), OLD, "all", "ana", "first");
  const next = state(
    { "SOUL.md": entry("SOUL.md", "bb", 10, SNAP), "memory/a.md": entry("memory/a.md", "cc", 20) },
    { messages: { chats: 3, messages: 120 } },
  );
  const body = approvalBody(prev, next, SNAP, "all", "ana@host", "after the 2026.11 update");
  assert.deepEqual(body, {
    by: "ana@host", reason: "after the 2026.11 update", snapshot: SNAP, scope: "all",
    files: {
      "SOUL.md": { item: "workspace", rel: "SOUL.md", sha256: "b".repeat(64), size: 10, snapshot: SNAP },
      // A file from the live disk has no snapshot of its own: it is in the snapshot just taken.
      "memory/a.md": { item: "workspace", rel: "memory/a.md", sha256: "c".repeat(64), size: 20, snapshot: SNAP },
    },
    databases: { messages: { chats: 3, messages: 120 } },
  });
  assert.ok(!("gone.md" in body.files), "scope all replaces the baseline whole");
});

test("approvalBody with no previous approval approves everything whatever the scope", () => {
  const next = state({ "SOUL.md": entry("SOUL.md", "bb", 10), "AGENTS.md": entry("AGENTS.md", "dd", 5) });
  const body = approvalBody(null, next, SNAP, ["SOUL.md"], "ana", "first");
  assert.equal(body.scope, "all");
  assert.deepEqual(Object.keys(body.files).sort(), ["AGENTS.md", "SOUL.md"]);
});

test("approvalBody of some paths carries the rest of the previous baseline forward", () => {
  const prev = approvalBody(null, state(
    { "SOUL.md": entry("SOUL.md", "11", 1, OLD), "AGENTS.md": entry("AGENTS.md", "22", 2, OLD), "memory/a.md": entry("memory/a.md", "33", 3, OLD) },
    { messages: { messages: 100 }, tasks: { tasks: 5 } },
  ), OLD, "all", "ana", "first");
  const next = state(
    // Everything changed on disk, but only SOUL.md and the messages database are approved.
    { "SOUL.md": entry("SOUL.md", "44", 4, SNAP), "AGENTS.md": entry("AGENTS.md", "55", 5, SNAP), "memory/a.md": entry("memory/a.md", "66", 6, SNAP) },
    { messages: { messages: 150 }, tasks: { tasks: 0 } },
  );
  const body = approvalBody(prev, next, SNAP, ["SOUL.md", "messages"], "bo", "new tone");
  assert.deepEqual(body.scope, ["SOUL.md", "messages"]);
  assert.equal(body.by, "bo");
  assert.equal(body.reason, "new tone");
  assert.equal(body.snapshot, SNAP);
  assert.deepEqual(body.files["SOUL.md"], { item: "workspace", rel: "SOUL.md", sha256: "4".repeat(64), size: 4, snapshot: SNAP });
  assert.deepEqual(body.files["AGENTS.md"], prev.files["AGENTS.md"], "not in scope: the old approved version stays");
  assert.deepEqual(body.files["memory/a.md"], prev.files["memory/a.md"]);
  assert.deepEqual(body.databases, { messages: { messages: 150 }, tasks: { tasks: 5 } });
  // The previous approval is not changed in place.
  assert.equal(prev.files["SOUL.md"]!.sha256, "1".repeat(64));
  assert.deepEqual(prev.databases.messages, { messages: 100 });
});

test("approvalBody of some paths drops a path gone from the new state and adds a new one", () => {
  const prev = approvalBody(null, state({ "SOUL.md": entry("SOUL.md", "11", 1, OLD), "old-notes.md": entry("old-notes.md", "22", 2, OLD) }), OLD, "all", "ana", "first");
  const next = state({ "SOUL.md": entry("SOUL.md", "11", 1, SNAP), "new-notes.md": entry("new-notes.md", "33", 3, SNAP) });
  const body = approvalBody(prev, next, SNAP, ["old-notes.md", "new-notes.md"], "ana", "moved notes");
  assert.deepEqual(Object.keys(body.files).sort(), ["SOUL.md", "new-notes.md"]);
  assert.equal(body.files["SOUL.md"]!.snapshot, OLD, "SOUL.md was not in scope");
  assert.equal(body.files["new-notes.md"]!.snapshot, SNAP);
  assert.ok("old-notes.md" in prev.files, "the previous body still has it");
  // A path in scope that neither side has changes nothing.
  assert.deepEqual(approvalBody(prev, next, SNAP, ["never.md"], "ana", "x").files, prev.files);
});

test("baselineState turns an approval back into a comparable state", () => {
  const next = state({ "SOUL.md": entry("SOUL.md", "bb", 10, SNAP) }, { messages: { messages: 1 } });
  const a = approval(1, approvalBody(null, next, SNAP, "all", "ana", "first"));
  const back = baselineState(a);
  assert.deepEqual([...back.files], [["SOUL.md", { item: "workspace", rel: "SOUL.md", sha256: "b".repeat(64), size: 10, snapshot: SNAP }]]);
  assert.deepEqual([...back.databases], [["messages", { messages: 1 }]]);
  back.files.get("SOUL.md")!.size = 999;
  assert.equal(a.record.body.files["SOUL.md"]!.size, 10, "the state is a copy");
});

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "lifeboat-baseline-"));
  try { await fn(dir); } finally { await rm(dir, { recursive: true, force: true }); }
}

test("rollbackProblem: nothing seen yet is no problem, with or without approvals", async () => {
  await withDir(async (dir) => {
    assert.equal(await rollbackProblem(dir, "repo1", "wren", undefined), null);
    assert.equal(await rollbackProblem(dir, "repo1", "wren", approval(1)), null);
  });
});

test("rollbackProblem: a newest approval older than one seen here is reported; as new or newer is fine", async () => {
  await withDir(async (dir) => {
    const sd = join(dir, "state"); // created on first use
    await rememberApproval(sd, "repo1", "wren", approval(3));
    assert.equal(await rollbackProblem(sd, "repo1", "wren", approval(3)), null);
    assert.equal(await rollbackProblem(sd, "repo1", "wren", approval(4)), null);

    const p = await rollbackProblem(sd, "repo1", "wren", approval(2));
    assert.ok(p);
    assert.equal(p.seq, 3);
    assert.match(p.problem, /approval number 3 was seen on this machine but is gone from the repository \(newest there: 2\)/);

    const none = await rollbackProblem(sd, "repo1", "wren", undefined);
    assert.match(none?.problem ?? "", /newest there: 0/, "every approval deleted is a rollback too");

    const mode = (await stat(join(sd, "approvals-seen.json"))).mode & 0o777;
    assert.equal(mode, 0o600);
    assert.deepEqual(await readdir(sd), ["approvals-seen.json"]);
  });
});

test("rememberApproval keeps the highest number seen, per repository and agent", async () => {
  await withDir(async (dir) => {
    await rememberApproval(dir, "repo1", "wren", approval(5));
    await rememberApproval(dir, "repo1", "wren", approval(2)); // an older one read later does not lower it
    assert.equal((await rollbackProblem(dir, "repo1", "wren", approval(4)))?.seq, 5);

    // Another agent, or the same agent in another repository, has its own count.
    assert.equal(await rollbackProblem(dir, "repo1", "heron", approval(1)), null);
    assert.equal(await rollbackProblem(dir, "repo2", "wren", approval(1)), null);
    await rememberApproval(dir, "repo2", "wren", approval(7));
    assert.equal((await rollbackProblem(dir, "repo2", "wren", approval(6)))?.seq, 7);
    assert.equal((await rollbackProblem(dir, "repo1", "wren", approval(6))), null);
  });
});
