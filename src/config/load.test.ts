/**
 * @module config/load.test
 * A full valid file converts to the AgentConfig-like objects the rest of lifeboat uses:
 * defaults filled in, `~` expanded, relative paths resolved (roots against the file's
 * folder, item paths against the root), durations in ms.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, parseConfig } from "./index.ts";

const HOME = "/home/ada";
const FILE = "/etc/lifeboat/lifeboat.yaml";

const FULL = `repository:
  url: /srv/lifeboat
  password_file: ~/.config/lifeboat/password
agents:
  - name: wren
    preset: openclaw
    root: ~/.openclaw
    skip: [memory-index]
    hooks:
      before: { command: "systemctl --user stop openclaw", timeout: 60s }
      after:  { command: "systemctl --user start openclaw" }
    stop: "systemctl --user stop openclaw"
    start: "systemctl --user start openclaw"
    status: "systemctl --user is-active openclaw"
    pid_files: [gateway.pid]
    items:
      - { name: notes, kind: files, path: ~/notes, include: ["**/*.md"], exclude: [], class: memory }
      - { name: messages, kind: sqlite, path: store/messages.db, class: database }
      - { name: memory-db, kind: postgres, database: memory_db, url: "postgres://127.0.0.1:5432/memory_db", env: { PGUSER: postgres, PGPORT: 5432 }, required: true }
      - { name: env, kind: secret, path: .env }
      - { name: crontab, kind: command, command: "crontab -l", filename: crontab.txt, timeout: 30s }
      - { name: index, kind: files, path: /var/cache/wren, regenerable: true }
      - { name: units, kind: command, command: "systemctl --user cat openclaw" }
  - name: scratch
    preset: workspace
    root: projects/scratch
`;

test("a full file converts to agents with defaults, absolute paths and ms", () => {
  const cfg = parseConfig(FULL, FILE, { home: HOME });
  assert.equal(cfg.path, FILE);
  assert.deepEqual(cfg.repository, { url: "/srv/lifeboat", passwordFile: "/home/ada/.config/lifeboat/password" });
  assert.equal(cfg.agents.length, 2);
  const [wren, scratch] = cfg.agents;
  assert.deepEqual(wren, {
    name: "wren",
    preset: "openclaw",
    root: "/home/ada/.openclaw",
    skip: ["memory-index"],
    hooks: {
      before: { command: "systemctl --user stop openclaw", timeoutMs: 60_000 },
      after: { command: "systemctl --user start openclaw", timeoutMs: 300_000 },
    },
    stop: "systemctl --user stop openclaw",
    start: "systemctl --user start openclaw",
    status: "systemctl --user is-active openclaw",
    pidFiles: ["/home/ada/.openclaw/gateway.pid"],
    items: [
      { name: "notes", kind: "files", class: "memory", regenerable: false, required: true, path: "/home/ada/notes", include: ["**/*.md"], exclude: [] },
      { name: "messages", kind: "sqlite", class: "database", regenerable: false, required: true, path: "/home/ada/.openclaw/store/messages.db" },
      { name: "memory-db", kind: "postgres", class: "database", regenerable: false, required: true, database: "memory_db", url: "postgres://127.0.0.1:5432/memory_db", env: { PGUSER: "postgres", PGPORT: "5432" } },
      { name: "env", kind: "secret", class: "secret", regenerable: false, required: true, path: "/home/ada/.openclaw/.env" },
      { name: "crontab", kind: "command", class: "config", regenerable: false, required: true, command: "crontab -l", filename: "crontab.txt", timeoutMs: 30_000 },
      { name: "index", kind: "files", class: "other", regenerable: true, required: false, path: "/var/cache/wren" },
      { name: "units", kind: "command", class: "config", regenerable: false, required: true, command: "systemctl --user cat openclaw", filename: "units.txt" },
    ],
  });
  // A relative root is relative to the config file's folder, not to the working directory.
  assert.deepEqual(scratch, { name: "scratch", preset: "workspace", root: "/etc/lifeboat/projects/scratch", skip: [], hooks: {}, pidFiles: [], items: [] });
});

test("an empty file, a comment-only file and empty keys are an empty config", () => {
  for (const text of ["", "# nothing yet\n", "agents:\n", "repository:\nagents: []\n"]) {
    const cfg = parseConfig(text, FILE, { home: HOME });
    assert.deepEqual(cfg.agents, [], JSON.stringify(text));
    assert.equal(cfg.repository, undefined);
  }
});

test("~ alone and ~/ expand; ~user and mid-path ~ do not", () => {
  const text = `agents:
  - name: a
    preset: workspace
    root: "~"
    items:
      - { name: x, kind: files, path: ~/x }
      - { name: y, kind: files, path: ~bob/y }
      - { name: z, kind: files, path: data/~/z }
`;
  const [a] = parseConfig(text, FILE, { home: HOME }).agents;
  assert.equal(a?.root, HOME);
  assert.deepEqual(a?.items.map((i) => (i as { path: string }).path), ["/home/ada/x", "/home/ada/~bob/y", "/home/ada/data/~/z"]);
});

test("repository: local paths are made absolute against the file's folder; other schemes are kept", () => {
  const at = (url: string) => parseConfig(`repository: { url: "${url}", password_file: pw }\n`, FILE, { home: HOME }).repository;
  assert.deepEqual(at("repo"), { url: "/etc/lifeboat/repo", passwordFile: "/etc/lifeboat/pw" });
  assert.deepEqual(at("~/repo"), { url: "/home/ada/repo", passwordFile: "/etc/lifeboat/pw" });
  assert.equal(at("local:~/repo")?.url, "local:/home/ada/repo");
  assert.equal(at("sftp:host:/srv/repo")?.url, "sftp:host:/srv/repo");
});

test("YAML anchors and merge keys work (shared hooks across a team)", () => {
  const text = `agents:
  - name: a
    preset: workspace
    root: /a
    hooks: &hooks
      before: { command: pause, timeout: 1m }
  - <<: { preset: workspace, root: /b }
    name: b
    hooks: *hooks
`;
  const [a, b] = parseConfig(text, FILE, { home: HOME }).agents;
  assert.deepEqual(b?.hooks, a?.hooks);
  assert.equal(b?.root, "/b");
});

test("issue() locates later findings in the file", () => {
  const cfg = parseConfig(FULL, FILE, { home: HOME });
  assert.deepEqual(cfg.issue(["agents", 1, "preset"], "unknown preset"), {
    file: FILE, line: 25, column: 13, path: "agents[1].preset", message: "unknown preset",
  });
});

test("loadConfig reads a file; a missing one is a LifeboatError", async () => {
  const dir = await mkdtemp(join(tmpdir(), "lifeboat-config-"));
  try {
    const file = join(dir, "lifeboat.yaml");
    await writeFile(file, "agents:\n  - { name: a, preset: workspace, root: state }\n");
    const cfg = await loadConfig(file, { home: HOME });
    assert.equal(cfg.agents[0]?.root, join(dir, "state"));
    await assert.rejects(loadConfig(join(dir, "nope.yaml")), { name: "LifeboatError", message: /nope\.yaml does not exist/ });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
