/**
 * @module config/write.test
 * addAgent creates a missing file, appends to an existing one keeping its comments, refuses
 * a duplicate, and leaves a file that loads back with the agent in it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { addAgent, loadConfig } from "./index.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "lifeboat-write-"));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test("into a missing file: creates it (and its folder) with a header, mode 0600", () =>
  withDir(async (dir) => {
    const home = join(dir, "home");
    const file = join(home, ".config", "lifeboat", "config.yaml");
    await addAgent(file, { name: "wren", preset: "openclaw", root: "~/.openclaw" }, { home, cwd: dir });
    const text = await readFile(file, "utf8");
    assert.match(text, /^# yaml-language-server: \$schema=.*lifeboat\.schema\.json\n# lifeboat configuration/);
    assert.match(text, /\nagents:\n {2}- name: wren\n {4}preset: openclaw\n {4}root: ~\/\.openclaw\n$/);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const cfg = await loadConfig(file, { home });
    assert.deepEqual(cfg.agents.map((a) => [a.name, a.root]), [["wren", join(home, ".openclaw")]]);
    assert.deepEqual(await readdir(join(home, ".config", "lifeboat")), ["config.yaml"], "no temp file left");
  }));

test("into an existing commented file: comments and layout kept, agent appended", () =>
  withDir(async (dir) => {
    const file = join(dir, "lifeboat.yaml");
    const before = `# team config
repository:
  url: /srv/lifeboat   # the NAS
  password_file: ~/.config/lifeboat/password

agents:
  # the main assistant
  - name: wren
    preset: openclaw
    root: ~/.openclaw
    hooks:
      before: { command: "systemctl --user stop openclaw", timeout: 60s }
    items:
      - { name: notes, kind: files, path: ~/notes, include: ["**/*.md"] }
      - name: crontab
        kind: command
        command: "crontab -l | grep -v '^#' | sort | uniq | awk '{ print $0 }' | tee /dev/null | cat | head -n 1000"
# end of agents
`;
    await writeFile(file, before);
    await addAgent(file, { name: "clawdie", preset: "clawdie", root: join(dir, "home", "clawdie-ai") }, { home: join(dir, "home") });
    const after = await readFile(file, "utf8");
    // Everything before stays byte for byte; the new agent follows the last one.
    const expectedHead = before.replace("# end of agents\n", "");
    assert.ok(after.startsWith(expectedHead), after);
    assert.match(after.slice(expectedHead.length), /^ {2}- name: clawdie\n {4}preset: clawdie\n {4}root: ~\/clawdie-ai\n/);
    assert.match(after, /# end of agents/);
    const cfg = await loadConfig(file, { home: join(dir, "home") });
    assert.deepEqual(cfg.agents.map((a) => a.name), ["wren", "clawdie"]);
  }));

test("agents: [] and a file without agents: get a block list; a relative root is made absolute", () =>
  withDir(async (dir) => {
    const file = join(dir, "lifeboat.yaml");
    for (const start of ["agents: []\n", "repository:\n  url: /srv/r\n"]) {
      await writeFile(file, start);
      await addAgent(file, { name: "a", preset: "workspace", root: "state" }, { home: "/nonexistent", cwd: dir });
      const text = await readFile(file, "utf8");
      assert.match(text, new RegExp(`agents:\\n {2}- name: a\\n {4}preset: workspace\\n {4}root: ${join(dir, "state")}\\n$`), text);
    }
  }));

test("a duplicate name is refused and the file is left alone", () =>
  withDir(async (dir) => {
    const file = join(dir, "lifeboat.yaml");
    const text = "agents:\n  - name: a\n    preset: workspace\n    root: /a\n";
    await writeFile(file, text);
    await assert.rejects(addAgent(file, { name: "a", preset: "openclaw", root: "/b" }), {
      name: "LifeboatError",
      message: `agent "a" is already in ${file} (line 2)`,
    });
    await assert.rejects(addAgent(file, { name: "Bad Name", preset: "openclaw", root: "/b" }), /invalid agent name/);
    assert.equal(await readFile(file, "utf8"), text);
  }));

test("a broken file is reported, not overwritten; a symlinked file is edited through the link", () =>
  withDir(async (dir) => {
    const broken = join(dir, "broken.yaml");
    await writeFile(broken, "agents:\n  - name: a\n   preset: x\n");
    await assert.rejects(addAgent(broken, { name: "b", preset: "p", root: "/b" }), { name: "ConfigError", message: /broken\.yaml:3:\d+: YAML syntax/ });
    const real = join(dir, "real.yaml");
    const link = join(dir, "link.yaml");
    await writeFile(real, "agents:\n");
    await symlink(real, link);
    await addAgent(link, { name: "b", preset: "p", root: "/b" });
    assert.match(await readFile(real, "utf8"), /name: b/);
    assert.ok((await import("node:fs")).lstatSync(link).isSymbolicLink());
  }));

test("the splice follows the file's layout", () =>
  withDir(async (dir) => {
    const file = join(dir, "lifeboat.yaml");
    const add = async (text: string) => {
      await writeFile(file, text);
      await addAgent(file, { name: "new", preset: "p", root: "/n" });
      return await readFile(file, "utf8");
    };
    const NEW = (indent: string) => `${indent}- name: new\n${indent}  preset: p\n${indent}  root: /n\n`;
    // Agents separated by blank lines get one too; comments indented under the last agent stay with it.
    assert.equal(
      await add("agents:\n  - name: a\n    root: /a\n\n  - name: b\n    root: /b\n    # b's note\n# footer\n"),
      `agents:\n  - name: a\n    root: /a\n\n  - name: b\n    root: /b\n    # b's note\n\n${NEW("  ")}# footer\n`,
    );
    assert.equal(await add("agents:\n- name: a\n  root: /a"), `agents:\n- name: a\n  root: /a\n${NEW("")}`);
    assert.equal(await add("agents: []   # none yet\nrepository: {url: /r}\n"), `agents:   # none yet\n${NEW("  ")}repository: {url: /r}\n`);
    assert.equal(await add("agents: ~\n# later\n"), `agents:\n${NEW("  ")}# later\n`);
    assert.equal(await add("repository:\n  url: /r"), `repository:\n  url: /r\nagents:\n${NEW("  ")}`);
    assert.equal(await add("agents:  # none\nother: 1\n"), `agents:  # none\n${NEW("  ")}other: 1\n`);
    assert.equal(await add("agents:\r\n  - name: a\r\n"), `agents:\r\n  - name: a\r\n${NEW("  ").replaceAll("\n", "\r\n")}`);
    // A flow list is re-printed by yaml rather than spliced.
    assert.match(await add("agents: [{name: a, preset: p, root: /a}]\n"), /^agents: \[ \{ name: a, preset: p, root: \/a \}, \{ name: new, preset: p, root: \/n \} \]\n$/);
  }));
