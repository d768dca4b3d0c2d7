/**
 * @module config/errors.test
 * Every way a config file can be wrong yields one ConfigError whose message names the file,
 * the line and column and the key path, with all issues on `issues` in file order.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ConfigError, parseConfig, type ConfigIssue } from "./index.ts";

const FILE = "lifeboat.yaml";

function issues(text: string): ConfigIssue[] {
  try {
    parseConfig(text, FILE, { home: "/home/ada" });
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    assert.equal(err.name, "ConfigError");
    assert.ok(!err.message.includes("\n"), "one-line message");
    return err.issues;
  }
  assert.fail("expected a ConfigError");
}

function only(text: string): string {
  const list = issues(text);
  assert.equal(list.length, 1, JSON.stringify(list));
  return `${list[0]!.line}:${list[0]!.column} ${list[0]!.path}: ${list[0]!.message}`;
}

const agent = (extra: string) => `agents:
  - name: wren
    preset: openclaw
    root: ~/.openclaw
${extra}`;

test("bad YAML reports the line of the syntax error", () => {
  const list = issues("agents:\n  - name: a\n    root: [x\n  - name: b\n");
  assert.equal(list[0]?.path, "");
  assert.match(list[0]!.message, /^YAML syntax: /);
  assert.ok(list[0]!.line >= 3, `line ${list[0]!.line}`);
  assert.match(only("a: 1\na: 2\n"), /^2:1 : YAML syntax: Map keys must be unique/);
});

test("unknown keys are errors at the key's line, with a suggestion for a typo", () => {
  assert.equal(only(agent("    pidfiles: [x]\n")), "5:5 agents[0].pidfiles: unknown key (did you mean pid_files?)");
  assert.equal(only(agent("    items:\n      - { name: n, kind: files, path: x, exlude: [] }\n")), "6:42 agents[0].items[0].exlude: unknown key (did you mean exclude?)");
  assert.equal(only("agents: []\nbackups: 3\n"), "2:1 backups: unknown key");
});

test("a wrong item kind lists the kinds", () => {
  const text = agent("    items:\n      - { name: n, kind: file, path: x }\n");
  assert.equal(only(text), "6:26 agents[0].items[0].kind: expected one of files|sqlite|postgres|secret|command");
  assert.throws(() => parseConfig(text, FILE), {
    message: "lifeboat.yaml:6:26: agents[0].items[0].kind: expected one of files|sqlite|postgres|secret|command",
  });
  assert.match(only(agent("    items:\n      - { name: n, path: x }\n")), /^6:9 agents\[0\]\.items\[0\]\.kind: missing; expected one of files\|/);
});

test("a bad duration names the key", () => {
  assert.equal(only(agent("    hooks:\n      before: { command: x, timeout: 5 min }\n")), "6:38 agents[0].hooks.before.timeout: expected a duration such as 500ms, 30s, 5m or 1h30m");
  assert.equal(only(agent("    hooks:\n      after:\n        command: x\n        timeout: 60\n")), "8:18 agents[0].hooks.after.timeout: expected a duration with a unit, such as 60s");
  assert.equal(only(agent("    items:\n      - { name: c, kind: command, command: x, timeout: 0s }\n")), "6:56 agents[0].items[0].timeout: timeout must be more than 0");
});

test("duplicate agent and item names point at the second one", () => {
  assert.equal(
    only(agent("  - name: wren\n    preset: workspace\n    root: /w\n")),
    '5:11 agents[1].name: duplicate agent name "wren" (first defined on line 2)',
  );
  assert.equal(
    only(agent("    items:\n      - { name: n, kind: secret, path: a }\n      - { name: n, kind: secret, path: b }\n")),
    '7:17 agents[0].items[1].name: duplicate item name "n" (first defined on line 6)',
  );
});

test("a missing root names the agent's line; an empty one names the key", () => {
  assert.equal(only("agents:\n  - name: a\n    preset: workspace\n"), "2:5 agents[0].root: missing required key");
  assert.equal(only("agents:\n  - name: a\n    preset: workspace\n    root:\n"), "4:5 agents[0].root: expected string, got an empty value");
  assert.equal(only('agents:\n  - name: a\n    preset: workspace\n    root: ""\n'), "4:11 agents[0].root: must not be empty");
});

test("wrong types and bad names", () => {
  assert.equal(only("agents:\n  name: a\n"), "2:3 agents: expected a list, got a mapping");
  assert.equal(only("- a\n"), "1:1 : expected a mapping with repository: and agents:, got a list");
  assert.equal(only(agent("    skip: memory\n")), "5:11 agents[0].skip: expected a list, got string");
  assert.equal(only("agents:\n  - { name: Wren, preset: p, root: /r }\n"), "2:13 agents[0].name: agent name must match [a-z0-9][a-z0-9._-]{0,63}");
  assert.equal(only(agent("    items:\n      - { name: n, kind: files, path: x, class: notes }\n")), "6:49 agents[0].items[0].class: expected one of secret|config|database|identity|memory|transcripts|state|other");
});

test("several issues: sorted by line, the message counts the rest", () => {
  const text = "agents:\n  - name: a\n    preset: p\n    root: /r\n    color: red\n  - name: B\n    preset: p\n    root: /r\n";
  const list = issues(text);
  assert.deepEqual(list.map((i) => i.line), [5, 6]);
  assert.throws(() => parseConfig(text, FILE), (err: ConfigError) => {
    assert.equal(err.message, "lifeboat.yaml:5:5: agents[0].color: unknown key (and 1 more)");
    assert.match(err.hint ?? "", /lifeboat doctor/);
    return true;
  });
});
