import assert from "node:assert/strict";
import { test } from "node:test";
import type { DaemonEvent } from "./job.ts";
import { superviseWatch } from "./watch.ts";

test("superviseWatch restarts a watcher that exits, and stops when the daemon stops", async () => {
  const events: DaemonEvent[] = [];
  const ac = new AbortController();
  const done = superviseWatch({ entry: ["/bin/sh", "-c"], global: ["echo 'lifeboat: no agents' >&2; exit 3"], env: process.env, signal: ac.signal, graceMs: 1000, restartMs: 50, log: (e) => events.push(e) });
  await new Promise((r) => setTimeout(r, 600));
  ac.abort();
  await done;
  const starts = events.filter((e) => e.message_type === "watch_start").length;
  const warnings = events.filter((e) => e.message_type === "warning");
  assert.ok(starts >= 2, `restarted: ${starts} starts`);
  assert.match(String(warnings[0]?.warning), /exited .*no agents.*restarting in 0 s/);
});

test("superviseWatch stops a running watcher on abort, within the grace period", async () => {
  const ac = new AbortController();
  const started = Date.now();
  const done = superviseWatch({ entry: ["/bin/sh", "-c"], global: ["exec sleep 60"], env: process.env, signal: ac.signal, graceMs: 2000, log: () => undefined });
  await new Promise((r) => setTimeout(r, 200));
  ac.abort();
  await done;
  assert.ok(Date.now() - started < 5000, "the sleeping watcher was stopped, not waited for");
});
