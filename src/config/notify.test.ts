/**
 * @module config/notify.test
 * The `notify:` section and each agent's `drift:` and `freshness:` as parseConfig converts
 * them: every notifier kind with its defaults, secrets as references (file paths resolved
 * against the config's folder), durations in ms, routes checked against the notifiers,
 * percentages as fractions, freshness defaults of 2× and 4× the interval; and every mistake
 * reported with its file, line and key.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ConfigError, parseConfig, type ConfigIssue } from "./index.ts";

const HOME = "/home/ada";
const FILE = "/etc/lifeboat/lifeboat.yaml";
const HOUR = 3_600_000;

function issues(text: string): ConfigIssue[] {
  try {
    parseConfig(text, FILE, { home: HOME });
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.issues;
  }
  assert.fail("expected a ConfigError");
}

/** only is the one issue of `text`, as "line:column path: message". */
function only(text: string): string {
  const list = issues(text);
  assert.equal(list.length, 1, JSON.stringify(list));
  const i = list[0]!;
  assert.equal(i.file, FILE);
  return `${i.line}:${i.column} ${i.path}: ${i.message}`;
}

const notify = (body: string) => `notify:\n${body}`;
const agent = (extra: string) => `agents:
  - name: wren
    preset: openclaw
    root: /agents/wren
${extra}`;

test("no notify: section is no notifiers, no routes, a 6h repeat and one failure", () => {
  const cfg = parseConfig("agents: []\n", FILE, { home: HOME });
  assert.deepEqual(cfg.notify, { notifiers: [], routes: {}, repeatMs: 6 * HOUR, failures: 1 });
  assert.deepEqual(parseConfig("notify:\n", FILE, { home: HOME }).notify, cfg.notify);
});

test("every notifier kind converts, with its defaults filled in", () => {
  const cfg = parseConfig(notify(`  notifiers:
    - { name: hook, kind: webhook, url: "https://hooks.example.com/lb", headers: { X-Key: abc } }
    - { name: tg, kind: telegram, token_file: secrets/telegram, chat_id: -100123 }
    - { name: topic, kind: ntfy, topic: lifeboat-alerts, token_env: NTFY_TOKEN, timeout: 30s }
    - { name: pub, kind: ntfy, topic: open, server: "https://ntfy.example.com" }
    - name: mail
      kind: email
      host: smtp.example.com
      from: lifeboat@example.com
      to: [ops@example.com]
      username: lifeboat
      password: hunter2
      ca: ~/certs/relay.pem
    - { name: relay, kind: email, host: localhost, port: 25, security: none, from: a@b, to: [c@d], password_file: /run/secrets/smtp }
    - { name: log, kind: command, command: "logger -t lifeboat", timeout: 1m30s }
  repeat: 2h30m
  failures: 3
`), FILE, { home: HOME });
  assert.deepEqual(cfg.notify, {
    notifiers: [
      { name: "hook", kind: "webhook", timeoutMs: 10_000, url: "https://hooks.example.com/lb", headers: { "X-Key": "abc" } },
      { name: "tg", kind: "telegram", timeoutMs: 10_000, token: { file: "/etc/lifeboat/secrets/telegram" }, chatId: "-100123", api: "https://api.telegram.org" },
      { name: "topic", kind: "ntfy", timeoutMs: 30_000, server: "https://ntfy.sh", topic: "lifeboat-alerts", token: { env: "NTFY_TOKEN" } },
      { name: "pub", kind: "ntfy", timeoutMs: 10_000, server: "https://ntfy.example.com", topic: "open" },
      {
        name: "mail", kind: "email", timeoutMs: 10_000, host: "smtp.example.com", port: 587, security: "starttls",
        from: "lifeboat@example.com", to: ["ops@example.com"], username: "lifeboat", password: { value: "hunter2" }, ca: "/home/ada/certs/relay.pem",
      },
      { name: "relay", kind: "email", timeoutMs: 10_000, host: "localhost", port: 25, security: "none", from: "a@b", to: ["c@d"], password: { file: "/run/secrets/smtp" } },
      { name: "log", kind: "command", timeoutMs: 90_000, command: "logger -t lifeboat" },
    ],
    routes: {},
    repeatMs: 2.5 * HOUR,
    failures: 3,
  });
});

test("a literal token is kept as a value; token_file with ~ is expanded", () => {
  const [tg, nt] = parseConfig(notify(`  notifiers:
    - { name: tg, kind: telegram, token: "123:abc", chat_id: "42", api: "http://127.0.0.1:8081" }
    - { name: nt, kind: ntfy, topic: t, token_file: ~/.ntfy-token }
`), FILE, { home: HOME }).notify.notifiers;
  assert.deepEqual(tg, { name: "tg", kind: "telegram", timeoutMs: 10_000, token: { value: "123:abc" }, chatId: "42", api: "http://127.0.0.1:8081" });
  assert.deepEqual(nt && "token" in nt ? nt.token : undefined, { file: "/home/ada/.ntfy-token" });
});

test("two of token, token_env and token_file is an error at the second one's line", () => {
  assert.equal(only(notify(`  notifiers:
    - name: tg
      kind: telegram
      chat_id: 1
      token_env: TG_TOKEN
      token_file: /run/tg
`)), "7:19 notify.notifiers[0].token_file: give only one of token_env, token_file");
  assert.match(only(notify(`  notifiers:
    - { name: nt, kind: ntfy, topic: t, token: a, token_env: B, token_file: c }
`)), /^3:\d+ notify\.notifiers\[0\]\.token_env: give only one of token, token_env, token_file$/);
  assert.match(only(notify(`  notifiers:
    - { name: m, kind: email, host: h, from: a, to: [b], password: x, password_env: Y }
`)), /^3:\d+ notify\.notifiers\[0\]\.password_env: give only one of password, password_env$/);
});

test("a telegram notifier without a token is an error naming the three ways to give one", () => {
  assert.equal(only(notify(`  notifiers:
    - name: tg
      kind: telegram
      chat_id: 1
`)), "4:13 notify.notifiers[0].kind: a telegram notifier needs token_file, token_env or token");
  // ntfy and email may go without.
  const cfg = parseConfig(notify("  notifiers:\n    - { name: nt, kind: ntfy, topic: t }\n    - { name: m, kind: email, host: h, from: a, to: [b] }\n"), FILE, { home: HOME });
  assert.equal(cfg.notify.notifiers.length, 2);
  assert.ok(cfg.notify.notifiers.every((n) => !("token" in n) && !("password" in n)));
});

test("routes convert as given; a route naming an unknown notifier is an error at its line", () => {
  const ok = parseConfig(notify(`  notifiers:
    - { name: hook, kind: webhook, url: "https://x" }
    - { name: log, kind: command, command: "true" }
  routes:
    drift_found: [hook]
    backup_failed: [hook, log]
`), FILE, { home: HOME });
  assert.deepEqual(ok.notify.routes, { drift_found: ["hook"], backup_failed: ["hook", "log"] });

  assert.throws(() => parseConfig(notify(`  notifiers:
    - { name: hook, kind: webhook, url: "https://x" }
  routes:
    drift_found: [hook, pager]
`), FILE, { home: HOME }), (err: ConfigError) => {
    assert.equal(err.message, `${FILE}:5:25: notify.routes.drift_found[1]: no notifier named "pager" (configured: hook)`);
    return true;
  });
  assert.equal(only(notify("  routes:\n    check_failed:\n      - pager\n")), '4:9 notify.routes.check_failed[0]: no notifier named "pager" (configured: none)');
});

test("a route for an event kind that does not exist is an error", () => {
  assert.match(only(notify("  routes:\n    backup_faild: []\n")), /^3:5 notify\.routes\.backup_faild: unknown key/);
});

test("a telegram notifier without chat_id says the key is missing", () => {
  assert.equal(only(notify("  notifiers:\n    - { name: t, kind: telegram, token: x }\n")), "3:7 notify.notifiers[0].chat_id: missing required key");
});

test("duplicate notifier names are an error at the second one", () => {
  assert.equal(only(notify(`  notifiers:
    - { name: a, kind: command, command: x }
    - { name: a, kind: command, command: y }
`)), '4:15 notify.notifiers[1].name: duplicate notifier name "a"');
});

test("a misspelt key is an unknown key with a suggestion, at its line", () => {
  assert.equal(only(notify("  repet: 1h\n")), "2:3 notify.repet: unknown key (did you mean repeat?)");
  assert.equal(only(notify("  notifiers:\n    - { name: h, kind: webhook, url: u, timout: 5s }\n")), "3:41 notify.notifiers[0].timout: unknown key (did you mean timeout?)");
  assert.equal(only(notify("  notifiers:\n    - { name: h, kind: webhook, url: u, header: {} }\n")), "3:41 notify.notifiers[0].header: unknown key (did you mean headers?)");
  assert.equal(only(notify("  notifiers:\n    - { name: t, kind: telegram, token: x, chat_id: 1, token_fil: y }\n")), "3:56 notify.notifiers[0].token_fil: unknown key (did you mean token_file?)");
  assert.equal(only(agent("    drift:\n      shrinks: 40%\n")), "6:7 agents[0].drift.shrinks: unknown key (did you mean shrink?)");
  assert.equal(only(agent("    freshness:\n      intervall: 6h\n")), "6:7 agents[0].freshness.intervall: unknown key (did you mean interval?)");
  assert.equal(only(agent("    freshness:\n      items:\n        db: { warm: 1d }\n")), "7:15 agents[0].freshness.items.db.warm: unknown key (did you mean warn?)");
});

test("a bad duration in notify: is an error at its line", () => {
  assert.equal(only(notify("  repeat: 1 h\n")), "2:11 notify.repeat: expected a duration such as 500ms, 30s, 5m or 1h30m");
  assert.equal(only(notify("  notifiers:\n    - { name: h, kind: webhook, url: u, timeout: 60 }\n")), "3:50 notify.notifiers[0].timeout: expected a duration with a unit, such as 60s");
  assert.match(only(notify("  failures: 0\n")), /^2:13 notify\.failures: /);
});

test("freshness: the interval defaults to 1h, warn to 2× and critical to 4× the interval", () => {
  const agents = parseConfig(`agents:
  - { name: a, preset: workspace, root: /a, freshness: {} }
  - { name: b, preset: workspace, root: /b, freshness: { interval: 6h } }
  - { name: c, preset: workspace, root: /c, freshness: { interval: 1d, warn: 30h, critical: 3d } }
  - { name: d, preset: workspace, root: /d }
`, FILE, { home: HOME }).agents;
  assert.deepEqual(agents.map((a) => a.freshness), [
    { intervalMs: HOUR, warnMs: 2 * HOUR, criticalMs: 4 * HOUR, items: {} },
    { intervalMs: 6 * HOUR, warnMs: 12 * HOUR, criticalMs: 24 * HOUR, items: {} },
    { intervalMs: 24 * HOUR, warnMs: 30 * HOUR, criticalMs: 72 * HOUR, items: {} },
    undefined,
  ]);
});

test("freshness: a warn beyond the default critical lifts critical to it; items inherit the agent's limits", () => {
  const [a] = parseConfig(agent(`    freshness:
      interval: 1h
      warn: 5h
      items:
        archive: { warn: 2d }
        db: { critical: 12h }
        notes: {}
`), FILE, { home: HOME }).agents;
  assert.deepEqual(a?.freshness, {
    intervalMs: HOUR, warnMs: 5 * HOUR, criticalMs: 5 * HOUR,
    items: {
      archive: { warnMs: 48 * HOUR, criticalMs: 48 * HOUR },
      db: { warnMs: 5 * HOUR, criticalMs: 12 * HOUR },
      notes: { warnMs: 5 * HOUR, criticalMs: 5 * HOUR },
    },
  });
});

test("freshness: critical shorter than warn is an error at critical's line, for the agent and for an item", () => {
  assert.equal(only(agent("    freshness:\n      warn: 2h\n      critical: 1h\n")), "7:17 agents[0].freshness.critical: critical must not be shorter than warn");
  assert.equal(only(agent("    freshness:\n      items:\n        db: { warn: 2d, critical: 1d }\n")), "7:35 agents[0].freshness.items.db.critical: critical must not be shorter than warn");
  assert.match(only(agent("    freshness:\n      interval: hourly\n")), /^6:17 agents\[0\]\.freshness\.interval: expected a duration/);
});

test("drift: shrink is a fraction; 0%, 100% and 150% are errors; a bare number is not a percentage", () => {
  const shrink = (v: string) => parseConfig(agent(`    drift:\n      shrink: ${v}\n`), FILE, { home: HOME }).agents[0]?.drift?.shrink;
  assert.equal(shrink("40%"), 0.4);
  assert.equal(shrink("12.5%"), 0.125);
  assert.equal(shrink("99%"), 0.99);
  assert.equal(only(agent("    drift:\n      shrink: 150%\n")), "6:15 agents[0].drift.shrink: shrink must be between 0% and 100%");
  assert.equal(only(agent("    drift:\n      shrink: 100%\n")), "6:15 agents[0].drift.shrink: shrink must be between 0% and 100%");
  assert.equal(only(agent("    drift:\n      shrink: 0%\n")), "6:15 agents[0].drift.shrink: shrink must be between 0% and 100%");
  assert.equal(only(agent("    drift:\n      shrink: 40\n")), "6:15 agents[0].drift.shrink: expected string, got number");
  assert.equal(only(agent("    drift:\n      shrink: forty%\n")), "6:15 agents[0].drift.shrink: expected a percentage such as 30%");
});

test("drift: the classes map becomes an ordered list of patterns; ignore is kept; absent keys stay absent", () => {
  const [a] = parseConfig(agent(`    drift:
      classes:
        "personas/*/SOUL.md": identity
        "memory/**": memory
        "journal/*.md": continuity
      ignore: ["cache/**", "*.tmp"]
`), FILE, { home: HOME }).agents;
  assert.deepEqual(a?.drift, {
    classes: [
      { pattern: "personas/*/SOUL.md", class: "identity" },
      { pattern: "memory/**", class: "memory" },
      { pattern: "journal/*.md", class: "continuity" },
    ],
    ignore: ["cache/**", "*.tmp"],
  });
  const [b] = parseConfig(agent("    drift: { shrink: 10% }\n"), FILE, { home: HOME }).agents;
  assert.deepEqual(b?.drift, { shrink: 0.1 });
  assert.match(only(agent("    drift:\n      classes: { SOUL.md: soul }\n")), /^6:\d+ agents\[0\]\.drift\.classes\.SOUL\.md: expected one of identity\|memory\|continuity\|config\|secret\|other$/);
});

test("several notify mistakes are all reported, in file order", () => {
  const list = issues(notify(`  notifiers:
    - { name: tg, kind: telegram, chat_id: 1 }
    - { name: nt, kind: ntfy, topic: t, token: a, token_env: B }
  routes:
    backup_failed: [tg, nobody]
`));
  assert.deepEqual(list.map((i) => [i.line, i.path]), [
    [3, "notify.notifiers[0].kind"],
    [4, "notify.notifiers[1].token_env"],
    [6, "notify.routes.backup_failed[1]"],
  ]);
});
