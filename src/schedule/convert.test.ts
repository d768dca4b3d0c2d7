/**
 * @module schedule/convert.test
 * `schedule:` as parseConfig loads it: defaults (machine zone, catch-up on, grace 2m,
 * prune after forget), subsets, keep rules, the health address; and every mistake as one
 * issue with its line: unknown zone, bad cron, duplicate names, keys on the wrong job kind,
 * a forget without rules, an unknown agent, a health endpoint off loopback. Also the
 * command each job kind runs, and the rotation of check slices.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ConfigError, parseConfig } from "../config/index.ts";
import { commandLine, jobArgs } from "./args.ts";
import { parseHealth } from "./convert.ts";
import { machineTimeZone } from "./next.ts";
import { nextSlice } from "./state.ts";

const FILE = "/etc/lifeboat/lifeboat.yaml";
const AGENTS = "agents:\n  - { name: wren, preset: workspace, root: /srv/wren }\n";

function issues(text: string): string[] {
  try {
    parseConfig(AGENTS + text, FILE, { home: "/home/ada" });
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.issues.map((i) => `${i.line} ${i.path}: ${i.message}`);
  }
  assert.fail("expected a ConfigError");
}

test("a schedule converts with its defaults", () => {
  const c = parseConfig(`${AGENTS}schedule:
  jobs:
    - { name: hourly, job: backup, cron: "0 * * * *", agent: wren }
    - { name: weekly-check, job: check, cron: "0 4 * * 0", subset: 1/7 }
    - { name: spot-check, job: check, cron: "0 5 * * *", subset: 5%, catch_up: false, timeout: 1h }
    - { name: retention, job: forget, cron: "30 3 * * *", keep: { hourly: 24, daily: 7, within: 2d } }
`, FILE);
  const s = c.schedule!;
  assert.equal(s.timeZone, machineTimeZone());
  assert.equal(s.timeZoneGiven, false);
  assert.equal(s.catchUp, true);
  assert.equal(s.graceMs, 120_000);
  assert.equal(s.health, undefined);
  assert.deepEqual(s.jobs.map((j) => [j.name, j.catchUp, commandLine(j, 3)]), [
    ["hourly", true, "lifeboat backup --agent wren"],
    ["weekly-check", true, "lifeboat check --read-data-subset 3/7"],
    ["spot-check", false, "lifeboat check --read-data-subset 5%"],
    ["retention", true, "lifeboat forget --keep-hourly 24 --keep-daily 7 --keep-within 2d --prune"],
  ]);
  assert.equal(s.jobs[2]!.timeoutMs, 3_600_000);
  assert.equal(parseConfig(AGENTS, FILE).schedule, undefined, "no schedule: section, no schedule");
});

test("every job kind runs its lifeboat command", () => {
  const base = { name: "x", cron: "* * * * *", prune: false, catchUp: true };
  assert.deepEqual(jobArgs({ ...base, kind: "transcripts" }), ["transcripts", "sync"]);
  assert.deepEqual(jobArgs({ ...base, kind: "drift", agent: "wren" }), ["drift", "--agent", "wren"]);
  assert.deepEqual(jobArgs({ ...base, kind: "drill" }), ["drill"]);
  assert.deepEqual(jobArgs({ ...base, kind: "prune" }), ["prune"]);
  assert.deepEqual(jobArgs({ ...base, kind: "status" }), ["status", "--notify"]);
  assert.deepEqual(jobArgs({ ...base, kind: "forget", keep: { last: 3 } }), ["forget", "--keep-last", "3"]);
  assert.deepEqual(jobArgs({ ...base, kind: "check" }), ["check"]);
});

test("a rotating check reads slice 1, 2, ... T, then 1 again", () => {
  const seen: number[] = [];
  let state: { slice?: number } | undefined;
  for (let i = 0; i < 5; i++) {
    const n = nextSlice(state, 3);
    seen.push(n);
    state = { slice: n };
  }
  assert.deepEqual(seen, [1, 2, 3, 1, 2]);
  assert.equal(nextSlice({ slice: 9 }, 3), 1, "T made smaller: start over");
});

test("time zone, cron, grace and health are checked with their lines", () => {
  assert.deepEqual(issues(`schedule:
  time_zone: Mars/Olympus
  health: 0.0.0.0:9555
  jobs:
    - { name: a, job: backup, cron: "61 * * * *" }
`), [
    '4 schedule.time_zone: unknown time zone "Mars/Olympus" (use an IANA name such as Europe/Berlin or UTC)',
    '5 schedule.health: health must listen on loopback (127.0.0.1, localhost or [::1]), not "0.0.0.0": it is unauthenticated',
    '7 schedule.jobs[0].cron: invalid cron expression "61 * * * *": Invalid value for minute: 61',
  ]);
  assert.deepEqual(issues("schedule:\n  grace: soon\n  jobs: []\n"), ["4 schedule.grace: expected a duration such as 30s, 5m or 1h30m"]);
});

test("keys on the wrong job kind, duplicates, forget without rules and unknown agents are issues", () => {
  assert.deepEqual(issues(`schedule:
  jobs:
    - { name: a, job: backup, cron: "0 * * * *", subset: 1/7, agent: scout }
    - { name: a, job: forget, cron: "0 3 * * *", prune: false }
    - { name: p, job: prune, cron: "0 5 * * *", keep: { daily: 1 }, agent: wren }
`), [
    "5 schedule.jobs[0].subset: subset applies to check jobs only",
    '5 schedule.jobs[0].agent: no agent named "scout" (configured: wren)',
    '6 schedule.jobs[1].name: duplicate job name "a"',
    "6 schedule.jobs[1].job: a forget job needs keep: rules, e.g. keep: { daily: 7, weekly: 4 }",
    "7 schedule.jobs[2].keep: keep applies to forget jobs only",
    "7 schedule.jobs[2].agent: agent applies to backup, drift, drill and transcripts jobs only",
  ]);
  assert.deepEqual(issues('schedule:\n  jobs:\n    - { name: a, job: backup, cron: "0 * * * *", heartbeat: "ftp://x" }\n'),
    ["5 schedule.jobs[0].heartbeat: expected an http(s) URL"]);
  assert.deepEqual(issues('schedule:\n  jobs:\n    - { name: a, job: nap, cron: "0 * * * *" }\n').length, 1);
});

test("parseHealth takes a port, or a loopback host and port", () => {
  assert.deepEqual(parseHealth(9555), { host: "127.0.0.1", port: 9555 });
  assert.deepEqual(parseHealth("localhost:80"), { host: "localhost", port: 80 });
  assert.deepEqual(parseHealth("[::1]:9555"), { host: "::1", port: 9555 });
  assert.match(parseHealth("192.168.1.2:9555") as string, /loopback/);
  assert.match(parseHealth("127.0.0.1:99999") as string, /expected/);
});
