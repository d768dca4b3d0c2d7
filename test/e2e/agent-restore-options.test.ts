/**
 * @module test/e2e/agent-restore-options.test
 * Issue 3, "Must show" 6, on a team of two (an OpenClaw agent whose files name absolute
 * paths, and a NanoClaw agent) backed up with one `lifeboat backup`:
 * - `restore --target` puts an OpenClaw agent under another root, rewrites sessions.json's
 *   sessionFile paths (and openclaw.json's workspace) to the new root, restores every other
 *   file byte-identical, and leaves the original root alone;
 * - `backup --skip ITEM` leaves the item out of the snapshot's manifest;
 * - `restore --only a,b` restores just those items, `restore --skip a,b` all but those.
 */
import assert from "node:assert/strict";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { nanoclawV1, openclawFiles } from "../../src/testing/fixtures/index.ts";
import {
  assertRestored, capturedFiles, createAgentWorld, latestManifest, recordState, treeState, wipe,
  type AgentState, type AgentWorld,
} from "./agent-helpers.ts";
import type { AgentManifest } from "../../src/model/agent.ts";
import { assertNoStackTrace, summaryOf } from "./helpers.ts";

interface RestoreSummary { items: { name: string; dest: string; verified: string }[]; notes: string[] }

const OPENCLAW_LEFT_OUT = [
  /\.lock$/, /-(?:wal|shm)$/, /^logs\//, /^telegram\/update-offset-[^/]+\.json$/, /^cron\/runs\//,
  /^backups\/[^/]+-openclaw-backup\.tar\.gz$/, /(?:^|\/)node_modules\//, /^plugin-skills\//, /^memory\/[^/]+\.sqlite$/,
];

describe("restore to another root, --only, --skip, and backup --skip", { timeout: 300_000 }, () => {
  let w: AgentWorld;
  let ocRoot: string;
  let ncRoot: string;
  let ncDirs: string[];
  let ocState: AgentState;
  let ocManifest: AgentManifest;
  let ncManifest: AgentManifest;
  let ncTree: Awaited<ReturnType<typeof treeState>>;
  /** The full snapshot of andy (later ones leave items out). */
  let andySnapshot: string;

  before(async () => {
    w = await createAgentWorld();
    // No `home`: openclaw.json names the workspace by absolute path, as it does outside ~.
    ocRoot = join(w.dir, "srv", "old-box", ".openclaw");
    await openclawFiles(ocRoot, { agents: 1 });
    ncRoot = join(w.home, "nanoclaw");
    ncDirs = [ncRoot, join(w.home, ".config", "nanoclaw")];
    await nanoclawV1(ncRoot, { home: w.home, messages: 300 });
    await w.writeConfig([
      { name: "wren", preset: "openclaw", root: ocRoot },
      { name: "andy", preset: "nanoclaw", root: ncRoot },
    ]);
    const ocTree = await treeState(ocRoot);
    ncTree = await treeState(...ncDirs);
    await w.ok(["backup"]);
    ocManifest = await latestManifest(w, "wren");
    ocState = { ...(await recordState([ocRoot], ocManifest, w.dir)), tree: ocTree };
    ncManifest = await latestManifest(w, "andy");
    andySnapshot = (await w.snapshots()).find((s) => s.agent === "andy")!.id;
  });

  after(() => w?.cleanup());

  it("restore --target moves an OpenClaw agent and rewrites sessions.json's sessionFile paths to the new root", async () => {
    const target = join(w.dir, "new-box", ".openclaw");
    const res = await w.ok(["restore", "latest", "--agent", "wren", "--target", target]);
    assertNoStackTrace(res.stderr);
    assert.match(res.stdout, new RegExp(`note: rewrote paths from ${ocRoot} to ${target} in agents/main/sessions/sessions\\.json`));

    const sessionsFile = join(target, "agents", "main", "sessions", "sessions.json");
    const sessionsText = await readFile(sessionsFile, "utf8");
    assert.ok(!sessionsText.includes(ocRoot), "no path under the old root left in sessions.json");
    const sessions = JSON.parse(sessionsText) as Record<string, { sessionFile: string }>;
    const files = Object.values(sessions).map((s) => s.sessionFile);
    assert.ok(files.length >= 3, `sessions: ${files.length}`);
    for (const f of files) {
      assert.ok(f.startsWith(join(target, "agents", "main", "sessions") + "/"), `sessionFile ${f} under the new root`);
      assert.ok((await stat(f)).isFile(), `${f} exists`);
    }
    const config = await readFile(join(target, "openclaw.json"), "utf8");
    assert.ok(!config.includes(ocRoot), "openclaw.json names no path under the old root");
    assert.ok(config.includes(`workspace: "${join(target, "workspace")}"`), "workspace points into the new root");
    assert.match(config, /^\/\/ OpenClaw config \(JSON5\)\. Edited by hand: keep the comments\./, "comments kept");

    // Everything else arrived unchanged; the two rewritten files are checked above.
    await assertRestored(ocState, ocManifest, {
      leftOut: OPENCLAW_LEFT_OUT, moved: { from: ocRoot, to: target },
      rewritten: [join(ocRoot, "agents", "main", "sessions", "sessions.json"), join(ocRoot, "openclaw.json")],
    });
    assert.deepEqual(await treeState(ocRoot), ocState.tree, "the original root is untouched");
  });

  it("backup --skip ITEM leaves the item out of the manifest", async () => {
    const res = await w.ok(["backup", "--agent", "andy", "--skip", "groups", "--json"]);
    const s = summaryOf<{ agents: { agent: string; items: string[]; skipped: { name: string; reason: string }[] }[] }>(res);
    assert.equal(s.agents.length, 1, "only the agent asked for");
    assert.ok(!s.agents[0]!.items.includes("groups"));
    assert.ok(s.agents[0]!.items.includes("messages-db") && s.agents[0]!.items.includes("env"));
    assert.deepEqual(s.agents[0]!.skipped, [{ name: "groups", reason: "skipped on request" }]);
    const listed = (await w.snapshots()).filter((sn) => sn.agent === "andy").at(-1)!;
    assert.ok(!listed.manifest!.items.some((i) => i.name === "groups"), "not in the stored manifest");
    assert.ok(listed.manifest!.skipped.some((k) => k.name === "groups"));
    assert.deepEqual(listed.manifest!.items.map((i) => i.name), ncManifest.items.map((i) => i.name).filter((n) => n !== "groups"));
  });

  /** filesOf lists the files the named items captured (absolute paths). */
  function filesOf(names: string[]): string[] {
    const c = capturedFiles(ncManifest, ncTree);
    const sqlite = ncManifest.items.filter((i) => i.kind === "sqlite" && names.includes(i.name)).map((i) => i.source);
    return [...[...c].filter(([, v]) => names.includes(v.item)).map(([p]) => p), ...sqlite].sort();
  }

  async function filesNow(): Promise<string[]> {
    return [...(await treeState(...ncDirs))].filter(([, e]) => e.type === "file").map(([p]) => p).sort();
  }

  it("restore --only a,b restores just those items", async () => {
    await wipe(...ncDirs);
    const res = await w.ok(["restore", andySnapshot, "--agent", "andy", "--only", "env,groups", "--json"]);
    const s = summaryOf<RestoreSummary>(res);
    assert.deepEqual(s.items.map((i) => i.name), ["env", "groups"], "secrets first, then the rest");
    const want = filesOf(["env", "groups"]);
    assert.ok(want.length > 5);
    assert.deepEqual(await filesNow(), want);
    for (const p of want) assert.equal((await treeState(...ncDirs)).get(p)?.sha256, ncTree.get(p)?.sha256, p);
    assert.equal(((await stat(join(ncRoot, ".env"))).mode & 0o777), 0o600);
  });

  it("restore --skip a,b restores everything but those items", async () => {
    await wipe(...ncDirs);
    const res = await w.ok(["restore", andySnapshot, "--agent", "andy", "--skip", "groups,messages-db", "--json"]);
    const s = summaryOf<RestoreSummary>(res);
    const all = ncManifest.items.map((i) => i.name);
    const rest = all.filter((n) => n !== "groups" && n !== "messages-db");
    assert.deepEqual(s.items.map((i) => i.name).sort(), [...rest].sort());
    assert.deepEqual(await filesNow(), filesOf(rest));
    await assert.rejects(stat(join(ncRoot, "groups")), { code: "ENOENT" });
    await assert.rejects(stat(join(ncRoot, "store", "messages.db")), { code: "ENOENT" });
    assert.ok((await stat(join(w.home, ".config", "nanoclaw", "sender-allowlist.json"))).isFile(), "items outside the root come back too");
  });
});
