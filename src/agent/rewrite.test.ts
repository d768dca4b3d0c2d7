import assert from "node:assert/strict";
import { chmod, cp, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { openclawFiles } from "../testing/fixtures/index.ts";
import { parseJson5 } from "./presets/_json5.ts";
import { pathRewritesFor } from "./presets/index.ts";
import { openclaw } from "./presets/openclaw.ts";
import { rewritePaths, rewriteText } from "./rewrite.ts";

let tmp: string;
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), "lifeboat-rewrite-"));
});
after(() => rm(tmp, { recursive: true, force: true }));

describe("rewritePaths after restoring OpenClaw to another root", () => {
  test("sessionFile and config paths move; other absolute paths are reported", async () => {
    const oldRoot = join(tmp, "old", ".openclaw");
    const newRoot = join(tmp, "new-home", ".openclaw");
    const fx = await openclawFiles(oldRoot);
    const plan = await openclaw.plan(oldRoot);
    await cp(oldRoot, newRoot, { recursive: true, verbatimSymlinks: true });
    const r = await rewritePaths(newRoot, plan.pathRewrites, oldRoot, newRoot);

    assert.deepEqual(r.rewritten, ["agents/main/sessions/sessions.json", "openclaw.json"]);
    assert.deepEqual(r.failed, []);
    const sessions = JSON.parse(await readFile(join(newRoot, "agents/main/sessions/sessions.json"), "utf8")) as Record<string, { sessionFile: string }>;
    const files = Object.values(sessions).map((s) => s.sessionFile).sort();
    assert.deepEqual(files, fx.transcripts.map((t) => t.replace(oldRoot, newRoot)).sort());
    const config = await readFile(join(newRoot, "openclaw.json"), "utf8");
    assert.ok(config.startsWith("// OpenClaw config (JSON5). Edited by hand: keep the comments."), "comments survive");
    assert.ok(config.includes(`workspace: "${join(newRoot, "workspace")}", // as the wizard writes it`));
    assert.equal((parseJson5(config) as { agents: { defaults: { workspace: string } } }).agents.defaults.workspace, join(newRoot, "workspace"));

    // Transcripts record their cwd: history, reported but not changed.
    assert.ok(r.otherAbsolutePaths.includes(join(oldRoot, "workspace")));
    assert.ok(r.seenIn.some((s) => s.file.startsWith("agents/main/sessions/") && s.file.endsWith(".jsonl")));
    assert.ok(!r.seenIn.some((s) => s.file === "agents/main/sessions/sessions.json"));
  });

  test("a rewrite keeps the file mode; a second run finds nothing to do", async () => {
    const oldRoot = join(tmp, "o2");
    const newRoot = join(tmp, "n2");
    await openclawFiles(oldRoot);
    const plan = await openclaw.plan(oldRoot);
    await cp(oldRoot, newRoot, { recursive: true, verbatimSymlinks: true });
    await chmod(join(newRoot, "openclaw.json"), 0o640);
    assert.equal((await rewritePaths(newRoot, plan.pathRewrites, oldRoot, newRoot)).rewritten.length, 2);
    assert.equal((await stat(join(newRoot, "openclaw.json"))).mode & 0o777, 0o640);
    assert.deepEqual((await rewritePaths(newRoot, plan.pathRewrites, oldRoot, newRoot)).rewritten, []);
  });

  test("a file the rewrite would break is left alone and reported", async () => {
    const dir = join(tmp, "broken");
    await mkdir(join(dir, "agents", "main", "sessions"), { recursive: true });
    const bad = '{"sessionFile": "/old/a.jsonl", oops}';
    await writeFile(join(dir, "agents", "main", "sessions", "sessions.json"), bad);
    const r = await rewritePaths(dir, [{ files: "agents/*/sessions/sessions.json", format: "json", keys: ["sessionFile"], why: "" }], "/old", "/new");
    assert.deepEqual(r.rewritten, []);
    assert.equal(r.failed[0]?.file, "agents/main/sessions/sessions.json");
    assert.equal(await readFile(join(dir, "agents", "main", "sessions", "sessions.json"), "utf8"), bad);
    assert.deepEqual(r.otherAbsolutePaths, ["/old/a.jsonl"]);
  });

  test("restoring below the old root does not report the new paths", async () => {
    const dir = join(tmp, "nested");
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "a.jsonl"), '{"cwd":"/srv/agent/restored/workspace"}\n{"cwd":"/srv/agent/workspace"}\n');
    const r = await rewritePaths(dir, [], "/srv/agent", "/srv/agent/restored");
    assert.deepEqual(r.otherAbsolutePaths, ["/srv/agent/workspace"]);
  });
});

test("pathRewritesFor serves restore from the manifest's preset name alone", async () => {
  const oldRoot = join(tmp, "by-name-old");
  const newRoot = join(tmp, "by-name-new");
  await openclawFiles(oldRoot);
  await cp(oldRoot, newRoot, { recursive: true, verbatimSymlinks: true });
  const r = await rewritePaths(newRoot, pathRewritesFor("openclaw"), oldRoot, newRoot);
  assert.deepEqual(r.rewritten, ["agents/main/sessions/sessions.json", "openclaw.json"]);
  assert.deepEqual(pathRewritesFor("nanoclaw"), []);
  assert.deepEqual(pathRewritesFor("no-such-preset"), []);
});

describe("rewriteText", () => {
  const from = "/home/sam/.openclaw";
  const to = "/home/alex/.openclaw";

  test("only the named keys, only under the old root, at a path boundary", () => {
    const text = '{"sessionFile": "/home/sam/.openclaw/agents/main/sessions/a.jsonl", "cwd": "/home/sam/.openclaw/workspace", "x": {"sessionFile":"/home/sam/.openclaw-old/b.jsonl"}, "y": {"sessionFile": "/elsewhere/c.jsonl"}}';
    assert.equal(rewriteText(text, ["sessionFile"], from, to), text.replace("/home/sam/.openclaw/agents", "/home/alex/.openclaw/agents"));
  });

  test("JSON5: unquoted keys and single quotes; escapes are kept valid", () => {
    const text = "{ workspace: '/home/sam/.openclaw/work space', agentDir: \"/home/sam/.openclaw\" }";
    assert.equal(rewriteText(text, ["workspace", "agentDir"], from, to, "json5"), "{ workspace: '/home/alex/.openclaw/work space', agentDir: \"/home/alex/.openclaw\" }");
    assert.equal(rewriteText('{"sessionFile": "/home/sam/.openclaw/a.jsonl"}', ["sessionFile"], from, '/tmp/it"s'), '{"sessionFile": "/tmp/it\\"s/a.jsonl"}');
  });

  test("a key inside a string value is not a key", () => {
    const text = JSON.stringify({ note: '{"sessionFile": "/home/sam/.openclaw/a.jsonl"}' });
    assert.equal(rewriteText(text, ["sessionFile"], from, to), text);
  });
});
