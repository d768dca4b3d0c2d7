import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { LifeboatError } from "../errors/index.ts";
import { openclawFiles } from "../testing/fixtures/index.ts";
import { expandAgent } from "./expand.ts";

let tmp: string;
let root: string;
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), "lifeboat-expand-"));
  root = join(tmp, ".openclaw");
  await openclawFiles(root);
});
after(() => rm(tmp, { recursive: true, force: true }));

test("expandAgent: preset items, then config items override by name and add", async () => {
  const a = await expandAgent({
    name: "sam", preset: "openclaw", root,
    items: [
      { kind: "files", name: "workspace", class: "identity", path: "/srv/sam-workspace" },
      { kind: "command", name: "crontab", class: "config", command: "crontab -l", filename: "crontab.txt" },
    ],
    hooks: { before: { command: "openclaw backup sqlite create --global", timeoutMs: 60_000 } },
    stop: "systemctl --user stop openclaw",
  });
  const names = a.items.map((i) => i.name);
  assert.equal(names.filter((n) => n === "workspace").length, 1);
  assert.deepEqual(a.items.find((i) => i.name === "workspace"), { kind: "files", name: "workspace", class: "identity", path: "/srv/sam-workspace" });
  assert.ok(names.indexOf("workspace") < names.indexOf("state"), "an override keeps the preset's position");
  assert.equal(names.at(-1), "crontab", "additions come last");
  assert.equal(a.root, root);
  assert.equal(a.stop, "systemctl --user stop openclaw");
  assert.equal(a.hooks.before?.command, "openclaw backup sqlite create --global");
  assert.deepEqual(a.skip, ["memory-index-main"]);
  assert.ok(a.pidFiles.includes("gateway.pid"));
  assert.ok(a.notCovered?.some((n) => n.includes("Telegram Bot API")), "the preset's notCovered reaches the manifest");
});

test("expandAgent: skip is a union; overriding a skipped item with regenerable false takes it back", async () => {
  const a = await expandAgent({ name: "sam", preset: "openclaw", root, skip: ["sessions-main"] });
  assert.deepEqual(a.skip.sort(), ["memory-index-main", "sessions-main"]);
  const b = await expandAgent({
    name: "sam", preset: "openclaw", root,
    items: [{ kind: "sqlite", name: "memory-index-main", class: "database", path: join(root, "memory", "main.sqlite"), regenerable: false }],
  });
  assert.deepEqual(b.skip, []);
});

test("expandAgent: relative item paths resolve against the root; pid files are a union", async () => {
  const a = await expandAgent({
    name: "sam", preset: "openclaw", root,
    items: [{ kind: "secret", name: "extra-token", class: "secret", path: "tokens/extra.token" }],
    pidFiles: ["/run/openclaw.pid"],
  });
  assert.deepEqual(a.items.find((i) => i.name === "extra-token"), { kind: "secret", name: "extra-token", class: "secret", path: join(root, "tokens", "extra.token") });
  assert.equal(a.pidFiles[0], "/run/openclaw.pid");
  assert.ok(a.pidFiles.includes("gateway.pid"));
});

test("expandAgent: the custom preset has only the config's items", async () => {
  const a = await expandAgent({ name: "x", preset: "custom", root, items: [{ kind: "files", name: "all", class: "other", path: root }] });
  assert.deepEqual(a.items.map((i) => i.name), ["all"]);
  assert.deepEqual(a.skip, []);
});

test("expandAgent: an unknown preset is a LifeboatError listing the known ones", async () => {
  await assert.rejects(expandAgent({ name: "x", preset: "letta", root }), (err: unknown) => {
    assert.ok(err instanceof LifeboatError);
    assert.match(err.message, /agent x: unknown preset "letta"/);
    assert.equal(err.hint, "known presets: openclaw, clawdie, nanoclaw, hermes, workspace, custom");
    return true;
  });
});
