import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { hermes, nanoclawV1, nanoclawV2, openclawFiles, openclawSqlite, workspace } from "../testing/fixtures/index.ts";
import { describeDetection, detectAgent, findRunning } from "./detect.ts";

let tmp: string;
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), "lifeboat-detect-"));
});
after(() => rm(tmp, { recursive: true, force: true }));

describe("detectAgent picks the right preset for every fixture", () => {
  const cases: [string, (dir: string, home: string) => Promise<unknown>, string, string][] = [
    ["openclaw files", (d) => openclawFiles(d), "openclaw", "files"],
    ["openclaw sqlite", (d) => openclawSqlite(d), "openclaw", "sqlite"],
    ["nanoclaw v1", (d, home) => nanoclawV1(d, { home, messages: 100 }), "nanoclaw", "v1"],
    ["nanoclaw v2", (d, home) => nanoclawV2(d, { home }), "nanoclaw", "v2"],
    ["hermes", (d) => hermes(d), "hermes", ""],
    ["workspace", (d) => workspace(d), "workspace", ""],
  ];
  for (const [label, make, preset, variant] of cases) {
    test(label, async () => {
      const dir = join(tmp, label.replace(/ /g, "-"));
      const home = join(tmp, `${label.replace(/ /g, "-")}-home`);
      await make(dir, home);
      const r = await detectAgent(dir, { home });
      assert.equal(r?.preset, preset);
      assert.equal(r?.plan.variant, variant);
      assert.ok(r.evidence.length > 0);
      assert.equal(r.candidates[0]?.preset, preset);
      for (const s of r.sizes) assert.ok(s.exists, `${s.name} exists`);
    });
  }
});

describe("what detect reports for OpenClaw P1", () => {
  let dir: string;
  before(async () => {
    dir = join(tmp, "p1");
    await openclawFiles(dir);
  });

  test("present volatile paths and regenerable skips, with reasons", async () => {
    const r = (await detectAgent(dir))!;
    const reasons = new Map(r.excluded.map((l) => [l.reason, l]));
    assert.ok(reasons.get("logs: regenerated, often large")?.examples.includes("logs/"));
    assert.equal(reasons.get("lock file: belongs to a running process")?.count, 1);
    assert.ok(reasons.get("SQLite write-ahead log: the database is captured through the engine")?.examples.includes("memory/main.sqlite-wal"));
    assert.ok(reasons.has("installed packages: reinstall with npm"));
    assert.ok(reasons.has("Telegram update offset: a restored offset replays or skips updates (§1.2)"), "preset reasons, not 'excluded by GLOB'");
    assert.ok(!r.excluded.some((l) => l.reason.startsWith("captured by item")), "paths other items capture are not 'left out'");
    assert.deepEqual(r.skip, ["memory-index-main"]);
    assert.deepEqual(r.externalLinks, ["workspace/skills/calendar -> /opt/openclaw-shared/skills/calendar"]);
    assert.ok(r.excluded.some((l) => l.examples.includes("plugin-skills/") && l.reason.startsWith("generated symlink index")));
    const wal = r.sizes.find((s) => s.name === "memory-index-main");
    assert.ok((wal?.walBytes ?? 0) > 0, "a live database shows its WAL");
  });

  test("describeDetection prints items, exclusions, skips, not-covered and rewrites", async () => {
    const text = describeDetection((await detectAgent(dir))!);
    assert.match(text, /^openclaw \(files\) agent at .*, confidence 1\.00$/m);
    assert.match(text, /^ {2}sessions-main +files +transcripts +\d+ files, .*agents\/main\/sessions$/m);
    assert.match(text, /^ {2}memory-index-main .*\[skipped: regenerable\]$/m);
    assert.match(text, /^Leaves out:$/m);
    assert.match(text, /logs\/ \(1 file, .*; state\): logs: regenerated, often large/);
    assert.match(text, /item memory-index-main: regenerable, skipped by default/);
    assert.match(text, /^Not covered by any backup:$/m);
    assert.match(text, /agents\/\*\/sessions\/sessions\.json \(sessionFile\)/);
    assert.match(text, /^Not running/m);
  });

  test("a live pid makes it running; a stale session lock does not", async () => {
    assert.deepEqual(await findRunning(dir, ["gateway.pid", "agents/*/sessions/*.jsonl.lock"]), []);
    await writeFile(join(dir, "gateway.pid"), `${process.pid}\n`);
    try {
      const r = (await detectAgent(dir))!;
      assert.deepEqual(r.running, [{ file: join(dir, "gateway.pid"), pid: process.pid }]);
      assert.match(describeDetection(r), new RegExp(`^ {2}process ${process.pid} \\(`, "m"));
    } finally {
      await rm(join(dir, "gateway.pid"));
    }
  });
});

describe("detectAgent edge cases", () => {
  test("a home folder is searched for .openclaw", async () => {
    const home = join(tmp, "home-a");
    await openclawFiles(join(home, ".openclaw"));
    const r = await detectAgent(home);
    assert.equal(r?.preset, "openclaw");
    assert.equal(r?.root, join(home, ".openclaw"));
  });

  test("an unknown folder gives null; a forced preset is used as asked", async () => {
    const dir = join(tmp, "nothing");
    await mkdir(dir);
    await writeFile(join(dir, "data.bin"), "x");
    assert.equal(await detectAgent(dir), null);
    const forced = await detectAgent(dir, { preset: "workspace" });
    assert.equal(forced?.preset, "workspace");
    assert.equal(forced?.confidence, 0);
    await assert.rejects(detectAgent(dir, { preset: "letta" }), /unknown preset letta/);
  });

  test("NanoClaw: root-level runtime folders are reported as left out by no item", async () => {
    const dir = join(tmp, "nc");
    await nanoclawV1(dir, { home: join(tmp, "nc-home"), messages: 20 });
    const r = (await detectAgent(dir, { home: join(tmp, "nc-home") }))!;
    const ipc = r.excluded.find((l) => l.item === null && l.examples.includes("data/ipc/"));
    assert.equal(ipc?.count, 2);
    assert.equal(ipc?.reason, "inter-process messages in flight");
  });
});
