/**
 * @module doctor/cli.test
 * `lifeboat doctor` end to end, spawned from source: exit 0 on a healthy config with a
 * fresh backup (the password file named by the config), exit 1 with the finding and its
 * fix when an item is gone, and a --json document that parses.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { workspace } from "../testing/fixtures/index.ts";
import { tempDir, writeConfig } from "./_testkit.ts";

const MAIN = resolve(import.meta.dirname, "../cli/main.ts");

function lifeboat(dir: string, args: string[]) {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("LIFEBOAT_") && !k.startsWith("NODE_TEST") && k !== "NODE_OPTIONS") env[k] = v;
  Object.assign(env, { HOME: join(dir, "home"), XDG_CACHE_HOME: join(dir, "cache"), XDG_CONFIG_HOME: join(dir, "config"), LIFEBOAT_INSECURE_TEST_KDF: "1" });
  const r = spawnSync(process.execPath, [MAIN, "--config", join(dir, "lifeboat.yaml"), ...args], { cwd: dir, env, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("lifeboat doctor: 0 when healthy, 1 with the finding and its fix when an item is gone, --json parses", async () => {
  const t = await tempDir("doctor-cli");
  try {
    await mkdir(join(t.dir, "home"));
    await workspace(join(t.dir, "owl"));
    await writeFile(join(t.dir, "notes.md"), "# notes\n- keep\n");
    await writeFile(join(t.dir, "password"), "doctor test password\n", { mode: 0o600 });
    await writeConfig(t.dir, [
      "repository: { url: ./repo, password_file: ./password }",
      "agents:",
      "  - name: owl",
      "    preset: workspace",
      "    root: ./owl",
      "    items:",
      "      - { name: notes, kind: files, path: ../notes.md }",
      "",
    ].join("\n"));
    for (const args of [["init"], ["backup"]]) {
      const r = lifeboat(t.dir, args);
      assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
    }

    const good = lifeboat(t.dir, ["doctor"]);
    assert.equal(good.code, 0, good.stdout + good.stderr);
    assert.match(good.stdout, /^✓ config: .*valid, 1 agent\(s\): owl$/m);
    assert.match(good.stdout, /^✓ freshness \[owl\]: last snapshot [0-9a-f]{8} is 0m old/m);
    const json = JSON.parse(lifeboat(t.dir, ["doctor", "--json"]).stdout) as { ok: boolean; findings: { level: string; check: string }[] };
    assert.equal(json.ok, true);
    assert.deepEqual(json.findings.filter((f) => f.level === "error"), []);
    assert.equal(lifeboat(t.dir, ["doctor", "-q"]).stdout, "", "quiet and healthy: silent");

    await rm(join(t.dir, "notes.md"));
    const bad = lifeboat(t.dir, ["doctor"]);
    assert.equal(bad.code, 1, bad.stdout + bad.stderr);
    assert.match(bad.stdout, /^✗ items \[owl\]: notes: .*\/notes\.md does not exist\n {4}fix: restore or recreate it/m);
    assert.match(bad.stdout, /\n1 error\n$/);
    const badJson = lifeboat(t.dir, ["doctor", "--json", "--agent", "owl"]);
    assert.equal(badJson.code, 1);
    const doc = JSON.parse(badJson.stdout) as { ok: boolean; errors: number; findings: { level: string; check: string; item?: string; fix?: string }[] };
    assert.deepEqual([doc.ok, doc.errors], [false, 1]);
    assert.deepEqual(doc.findings.filter((f) => f.level === "error").map((f) => [f.check, f.item]), [["items", "notes"]]);
  } finally {
    await t.cleanup();
  }
});
