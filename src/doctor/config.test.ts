/**
 * @module doctor/config.test
 * An invalid file gives one finding per issue and no agents; each agent is expanded on its
 * own, so one bad agent does not hide the others.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { checkConfig } from "./config.ts";
import { contextFor, tempDir, writeConfig } from "./_testkit.ts";

test("every issue of an invalid file is its own error finding, and no agent is checked", async () => {
  const t = await tempDir("config");
  try {
    const path = await writeConfig(t.dir, "agents:\n  - name: Wren\n    root: /x\n    colour: red\n");
    const { findings, agents } = await checkConfig(contextFor({ configPath: path }));
    assert.deepEqual(findings.map((f) => [f.level, f.check]), [["error", "config"], ["error", "config"], ["error", "config"]]);
    assert.match(findings[0]!.message, /lifeboat\.yaml:2:5: agents\[0\]\.preset: missing required key/);
    assert.match(findings[2]!.message, /lifeboat\.yaml:4:5: agents\[0\]\.colour: unknown key/);
    assert.match(findings[0]!.fix ?? "", /docs\/config\.md/);
    assert.deepEqual(agents.agents, []);
  } finally {
    await t.cleanup();
  }
});

test("a missing root names its line; an unknown preset names the agent; the good agent still expands", async () => {
  const t = await tempDir("config");
  try {
    await mkdir(join(t.dir, "good"));
    await mkdir(join(t.dir, "odd"));
    const path = await writeConfig(t.dir, [
      "agents:",
      "  - { name: good, preset: workspace, root: ./good }",
      "  - { name: lost, preset: workspace, root: ./lost }",
      "  - { name: odd, preset: nosuch, root: ./odd }",
      "",
    ].join("\n"));
    const { findings, agents } = await checkConfig(contextFor({ configPath: path }));
    assert.deepEqual(findings.map((f) => [f.level, f.agent]), [["error", "lost"], ["error", "odd"]]);
    assert.match(findings[0]!.message, /lifeboat\.yaml:3:\d+: agents\[1\]\.root: .*\/lost does not exist/);
    assert.match(findings[1]!.message, /unknown preset "nosuch"/);
    assert.match(findings[1]!.fix ?? "", /known presets: .*workspace/);
    assert.deepEqual(agents.agents.map((a) => a.name), ["good"]);
    assert.deepEqual(agents.names, ["good", "lost", "odd"], "the lost agent's snapshots are still reported");
  } finally {
    await t.cleanup();
  }
});

test("a valid file is one ok finding; --agent picks, an unknown name is an error; no file or no agents warns", async () => {
  const t = await tempDir("config");
  try {
    await mkdir(join(t.dir, "a"));
    const path = await writeConfig(t.dir, "agents:\n  - { name: a, preset: workspace, root: ./a }\n");
    const all = await checkConfig(contextFor({ configPath: path }));
    assert.deepEqual(all.findings.map((f) => [f.level, f.message]), [["ok", `${path}: valid, 1 agent(s): a`]]);
    const picked = await checkConfig(contextFor({ configPath: path, agents: ["a", "zed"] }));
    assert.deepEqual(picked.findings.map((f) => [f.level, f.message, f.fix]), [["error", `no agent zed in ${path}`, "configured: a"]]);
    assert.deepEqual(picked.agents.names, ["a"]);
    assert.deepEqual((await checkConfig(contextFor({}))).findings.map((f) => f.level), ["warn"]);
    const empty = await writeConfig(t.dir, "repository: { url: /srv/x }\n");
    assert.match((await checkConfig(contextFor({ configPath: empty }))).findings[0]!.message, /no agents configured/);
  } finally {
    await t.cleanup();
  }
});
