/**
 * @module config/lookup.test
 * findConfigPath's order: --config, LIFEBOAT_CONFIG, ./lifeboat.yaml, the per-user file.
 * Every test passes env, cwd and home explicitly, so the real home is never read.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultConfigPath, findConfigPath } from "./index.ts";

async function withDirs(fn: (d: { cwd: string; home: string; other: string }) => Promise<void>): Promise<void> {
  const base = await mkdtemp(join(tmpdir(), "lifeboat-lookup-"));
  const d = { cwd: join(base, "project"), home: join(base, "home"), other: join(base, "other") };
  try {
    for (const p of Object.values(d)) await mkdir(p);
    await fn(d);
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

const touch = async (p: string) => {
  await mkdir(join(p, ".."), { recursive: true });
  await writeFile(p, "agents: []\n");
};

test("each place wins over the ones after it", () =>
  withDirs(async ({ cwd, home, other }) => {
    const user = join(home, ".config", "lifeboat", "config.yaml");
    const local = join(cwd, "lifeboat.yaml");
    const envFile = join(other, "env.yaml");
    const flagFile = join(other, "flag.yaml");
    for (const p of [user, local, envFile, flagFile]) await touch(p);
    const env = { LIFEBOAT_CONFIG: envFile };
    assert.equal(findConfigPath({ flag: flagFile, env, cwd, home }), flagFile);
    assert.equal(findConfigPath({ env, cwd, home }), envFile);
    assert.equal(findConfigPath({ env: {}, cwd, home }), local);
    assert.equal(findConfigPath({ env: { LIFEBOAT_CONFIG: "" }, cwd: other, home }), user);
    assert.equal(findConfigPath({ env: {}, cwd: other, home: other }), null);
  }));

test("relative and ~ paths in --config and LIFEBOAT_CONFIG", () =>
  withDirs(async ({ cwd, home }) => {
    await touch(join(cwd, "conf", "a.yaml"));
    await touch(join(home, "b.yaml"));
    assert.equal(findConfigPath({ flag: "conf/a.yaml", env: {}, cwd, home }), join(cwd, "conf", "a.yaml"));
    assert.equal(findConfigPath({ env: { LIFEBOAT_CONFIG: "~/b.yaml" }, cwd, home }), join(home, "b.yaml"));
  }));

test("an explicit file that does not exist is an error, not a fallback", () =>
  withDirs(async ({ cwd, home }) => {
    await touch(join(cwd, "lifeboat.yaml"));
    assert.throws(() => findConfigPath({ flag: "missing.yaml", env: {}, cwd, home }), {
      name: "LifeboatError",
      message: `config file ${join(cwd, "missing.yaml")} (from --config) does not exist`,
    });
    assert.throws(() => findConfigPath({ env: { LIFEBOAT_CONFIG: "/nonexistent/x.yaml" }, cwd, home }), /\(from LIFEBOAT_CONFIG\) does not exist/);
    assert.throws(() => findConfigPath({ flag: home, env: {}, cwd, home }), /is not a file/);
  }));

test("XDG_CONFIG_HOME moves the per-user file", () =>
  withDirs(async ({ cwd, home, other }) => {
    const xdg = join(other, "lifeboat", "config.yaml");
    await touch(xdg);
    await touch(join(home, ".config", "lifeboat", "config.yaml"));
    assert.equal(findConfigPath({ env: { XDG_CONFIG_HOME: other }, cwd, home }), xdg);
    assert.equal(defaultConfigPath({ env: {}, home }), join(home, ".config", "lifeboat", "config.yaml"));
    assert.equal(defaultConfigPath({ env: { XDG_CONFIG_HOME: other }, home }), xdg);
  }));
