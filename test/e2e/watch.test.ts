/**
 * @module test/e2e/watch.test
 * Issue 8, continuous capture: `lifeboat watch --delay 1s --min-interval 2s` over a plain
 * workspace agent (owl) and a NanoClaw agent (andy, live store/messages.db). After the
 * snapshots taken at start, an edit of MEMORY.md and a row inserted into messages.db each
 * land in a new `watch` snapshot within seconds (proved by restoring it and reading the bytes
 * and the row back); with nothing changing no further snapshot is taken (lifeboat's own
 * reads of the agent never trigger one); SIGTERM exits 0 and the repository checks clean.
 */
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { appendFile, mkdir, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { nanoclawV1, workspace } from "../../src/testing/fixtures/index.ts";
import { createAgentWorld, type AgentWorld } from "./agent-helpers.ts";
import { spawnCli, writeRandomFile } from "./helpers.ts";

/** How long a change may take to reach a snapshot here: the 1 s delay plus a backup on a loaded test machine. */
const WITHIN_MS = 30_000;

interface Line { message_type: string; agent?: string; snapshot_id?: string; latency_ms?: number; changes?: string[]; [k: string]: unknown }

/** Watcher wraps the running `lifeboat --json watch` and its parsed output lines. */
class Watcher {
  readonly child: ChildProcess;
  readonly lines: Line[] = [];
  stderr = "";
  readonly exited: Promise<number | null>;
  constructor(child: ChildProcess) {
    this.child = child;
    let buf = "";
    child.stdout!.setEncoding("utf8").on("data", (d: string) => {
      buf += d;
      for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
        this.lines.push(JSON.parse(buf.slice(0, i)) as Line);
        buf = buf.slice(i + 1);
      }
    });
    child.stderr!.setEncoding("utf8").on("data", (d: string) => { this.stderr += d; });
    this.exited = new Promise((r) => child.on("close", (code) => r(code)));
  }

  snapshotsOf(agent: string): Line[] {
    return this.lines.filter((l) => l.message_type === "watch_snapshot" && l.agent === agent);
  }

  /** next waits for the n-th snapshot of `agent` (1-based). */
  async next(agent: string, n: number, ms = WITHIN_MS): Promise<Line> {
    const end = Date.now() + ms;
    while (this.snapshotsOf(agent).length < n) {
      if (Date.now() > end || this.child.exitCode !== null) throw new Error(`no snapshot #${n} of ${agent} within ${ms} ms\n${this.stderr}\n${JSON.stringify(this.lines)}`);
      await sleep(50);
    }
    return this.snapshotsOf(agent)[n - 1]!;
  }
}

async function findFile(dir: string, name: string): Promise<string> {
  const hits = (await readdir(dir, { recursive: true })).filter((p) => p === name || p.endsWith(`/${name}`));
  assert.equal(hits.length, 1, `exactly one ${name} under ${dir}: ${hits.join(", ")}`);
  return join(dir, hits[0]!);
}

describe("lifeboat watch", { timeout: 300_000 }, () => {
  let w: AgentWorld;
  let owl: string;
  let andy: string;
  let watcher: Watcher | undefined;

  before(async () => {
    w = await createAgentWorld();
    owl = join(w.home, "owl");
    andy = join(w.home, "nanoclaw");
    await workspace(owl);
    await nanoclawV1(andy, { home: w.home, messages: 300 });
    await w.writeConfig([{ name: "owl", preset: "workspace", root: owl }, { name: "andy", preset: "nanoclaw", root: andy }]);
  });

  after(async () => {
    if (watcher && watcher.child.exitCode === null) watcher.child.kill("SIGKILL");
    await w?.cleanup();
  });

  it("snapshots a MEMORY.md edit and a messages.db row within seconds, and stops cleanly", async (t) => {
    watcher = new Watcher(spawnCli(["--config", w.configFile, "--json", "watch", "--agent", "owl", "--agent", "andy", "--delay", "1s", "--min-interval", "2s"], { cwd: w.dir, env: w.env }));
    // The snapshots taken at start capture what changed while nothing watched.
    await watcher.next("owl", 1, 120_000);
    await watcher.next("andy", 1, 120_000);
    const started = watcher.lines.filter((l) => l.message_type === "watch_started");
    assert.deepEqual(started.map((l) => [l.agent, l.delay_ms, l.min_interval_ms]).sort(), [["andy", 1000, 2000], ["owl", 1000, 2000]]);
    await sleep(2500);

    const marker = `- decided at ${new Date().toISOString()}: ship v2 🚢\n`;
    const edited = Date.now();
    await appendFile(join(owl, "MEMORY.md"), marker);
    const owlSnap = await watcher.next("owl", 2);
    t.diagnostic(`MEMORY.md edit → snapshot in ${Date.now() - edited} ms (latency reported: ${owlSnap.latency_ms} ms)`);
    assert.ok(owlSnap.changes!.includes(join(owl, "MEMORY.md")), JSON.stringify(owlSnap.changes));

    const db = new DatabaseSync(join(andy, "store", "messages.db"));
    db.prepare("INSERT INTO messages (id, chat_jid, sender, sender_name, content, timestamp, is_from_me, is_bot_message) VALUES ('watch-1', 'tg:42', 'sam', 'Sam', 'remember the tomatoes', ?, 0, 0)").run(new Date().toISOString());
    const inserted = Date.now();
    const andySnap = await watcher.next("andy", 2);
    db.close();
    t.diagnostic(`messages.db insert → snapshot in ${Date.now() - inserted} ms`);

    // Quiet agents: nothing more, in particular nothing triggered by lifeboat's own reads. Closing
    // the writer checkpoints its WAL into messages.db, a real change worth at most one snapshot.
    const counts = () => [watcher!.snapshotsOf("owl").length, watcher!.snapshotsOf("andy").length];
    await sleep(5000);
    const quiet = counts();
    t.diagnostic(`snapshots after the changes settled: owl ${quiet[0]}, andy ${quiet[1]}`);
    assert.ok(quiet[0] === 2 && quiet[1]! <= 3, `no snapshot loop: ${quiet.join(", ")}`);
    await sleep(5000);
    assert.deepEqual(counts(), quiet, "no snapshot while nothing changes");

    watcher.child.kill("SIGTERM");
    assert.equal(await watcher.exited, 0, watcher.stderr);
    assert.equal(watcher.lines.at(-1)?.message_type, "watch_stopped");

    const tags = (await w.snapshots()).filter((s) => s.tags.includes("watch"));
    assert.ok(tags.length >= 4, `every watch snapshot is tagged watch (${tags.length})`);
    const outOwl = await mkdtemp(join(w.dir, "owl-restored-"));
    await w.ok(["restore", owlSnap.snapshot_id!, "--target", outOwl]);
    assert.ok((await readFile(await findFile(outOwl, "MEMORY.md"), "utf8")).endsWith(marker), "the snapshot holds the new MEMORY.md bytes");
    const outAndy = await mkdtemp(join(w.dir, "andy-restored-"));
    await w.ok(["restore", andySnap.snapshot_id!, "--target", outAndy]);
    const restored = new DatabaseSync(await findFile(outAndy, "messages.db"), { readOnly: true });
    try {
      const row = restored.prepare("SELECT content FROM messages WHERE id = 'watch-1'").get() as { content: string } | undefined;
      assert.equal(row?.content, "remember the tomatoes", "the snapshot's messages.db holds the new row");
    } finally {
      restored.close();
    }
    await w.ok(["check"]);
  });

  it("SIGTERM during a snapshot aborts it: exit 0, no snapshot, no lock left, check clean", async () => {
    const big = join(w.home, "big");
    await mkdir(big);
    await writeFile(join(big, "MEMORY.md"), "# memory\n");
    await writeRandomFile(join(big, "archive.bin"), 400 * 1024 * 1024);
    const agents = [{ name: "owl", preset: "workspace", root: owl }, { name: "andy", preset: "nanoclaw", root: andy }, { name: "big", preset: "workspace", root: big }];
    await w.writeConfig(agents);
    const before = (await w.snapshots()).length;
    const locks = join(w.repo, "locks");
    const run = new Watcher(spawnCli(["--config", w.configFile, "--json", "watch", "--agent", "big"], { cwd: w.dir, env: w.env }));
    const end = Date.now() + 60_000;
    // The backup holds the repository lock while it runs: stop it then.
    while ((await readdir(locks)).length === 0) {
      assert.ok(Date.now() < end && run.child.exitCode === null, `the watch snapshot never started: ${run.stderr}`);
      await sleep(20);
    }
    run.child.kill("SIGTERM");
    assert.equal(await run.exited, 0, run.stderr);
    assert.equal(run.snapshotsOf("big").length, 0, "the snapshot was abandoned");
    assert.equal((await w.snapshots()).length, before, "no snapshot written");
    assert.deepEqual(await readdir(locks), [], "lock released");
    await w.ok(["check"]);
  });
});
