import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CONTRACT_SECRET, assertNotifyError, contractMessage, notifierContract } from "../testing/notifierContract.ts";
import { createNotifier } from "./registry.ts";
import { sendOne } from "./send.ts";
import type { AlertMessage, Notifier } from "./types.ts";

function command(cmd: string, timeoutMs = 5000): Notifier {
  return createNotifier({ kind: "command", name: "script", timeoutMs, command: cmd });
}

const q = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

notifierContract("command", async () => {
  const dir = await mkdtemp(join(tmpdir(), "lifeboat-cmd-"));
  const out = join(dir, "in.json");
  const scripts = {
    accept: `cat > ${q(out)}`,
    // The secret sits in the command text, as an inline credential would; errors must not quote it.
    refuse: `TOKEN=${CONTRACT_SECRET}; echo "relay said no" >&2; exit 1`,
    unreachable: `${q(join(dir, "no-such-notifier"))}`,
    silent: "sleep 30",
  };
  return {
    secret: CONTRACT_SECRET,
    notifier: async (scenario) => command(scripts[scenario]),
    async received() {
      const m = JSON.parse(await readFile(out, "utf8")) as AlertMessage;
      return { title: m.title, body: m.text };
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

describe("command", () => {
  let dir: string;
  before(async () => { dir = await mkdtemp(join(tmpdir(), "lifeboat-cmd-")); });
  after(() => rm(dir, { recursive: true, force: true }));

  it("gets the message as JSON on stdin and its fields in LIFEBOAT_* variables", async () => {
    const stdin = join(dir, "stdin.json");
    const env = join(dir, "env.txt");
    const vars = ["EVENT", "SEVERITY", "AGENT", "TITLE", "TEXT", "HOST", "TIME", "TEST"].map((v) => `printf '%s\\n' "LIFEBOAT_${v}=$LIFEBOAT_${v}"`).join("; ");
    const msg = contractMessage({ severity: "resolved", test: true });
    const r = await sendOne(command(`cat > ${q(stdin)}; { ${vars}; } > ${q(env)}; echo delivered; echo "id 7"`), msg, 5000, AbortSignal.timeout(10_000));
    assert.equal(r.detail, "exit 0: id 7");
    assert.deepEqual(JSON.parse(await readFile(stdin, "utf8")), msg);
    const lines = (await readFile(env, "utf8")).split("LIFEBOAT_").slice(1).map((l) => l.replace(/\n$/, ""));
    assert.deepEqual(lines, [
      "EVENT=backup_failed", "SEVERITY=resolved", "AGENT=wren", `TITLE=${msg.title}`, `TEXT=${msg.text}`,
      "HOST=box-1", "TIME=2025-06-01T03:00:00.000Z", "TEST=1",
    ]);
  });

  it("reports a non-zero exit with its code and the last line of stderr", async () => {
    const n = command("echo 'first line' >&2; echo 'smtp relay refused: quota' >&2; exit 7");
    const err = assertNotifyError(await sendOne(n, contractMessage(), 5000, AbortSignal.timeout(10_000)).catch((e: unknown) => e), n, "rejected", CONTRACT_SECRET);
    assert.equal(err.message, 'command "script": the command exited with code 7: smtp relay refused: quota');
  });

  it("does not fail when the command ignores stdin", async () => {
    const big = contractMessage({ text: "x".repeat(1 << 20) });
    assert.equal((await sendOne(command("exit 0"), big, 5000, AbortSignal.timeout(10_000))).detail, "exit 0");
  });

  it("kills the whole process group on timeout, not just the shell", async () => {
    const pidFile = join(dir, "pid");
    const n = command(`sleep 30 & echo $! > ${q(pidFile)}; wait`, 300);
    const err = await sendOne(n, contractMessage(), 300, AbortSignal.timeout(10_000)).catch((e: unknown) => e);
    assert.match(assertNotifyError(err, n, "timeout", CONTRACT_SECRET).message, /did not finish within 300 ms and was killed/);
    const pid = Number((await readFile(pidFile, "utf8")).trim());
    await waitGone(pid);
  });
});

/** waitGone resolves once `pid` has exited; it fails the test after 2 s. */
async function waitGone(pid: number): Promise<void> {
  for (const t0 = Date.now(); Date.now() - t0 < 2000; await new Promise((r) => setTimeout(r, 20))) {
    if (!running(pid)) return;
  }
  assert.fail(`process ${pid} (started by the command) is still running`);
}

/** running is false for a process that is gone or a zombie (exited, waiting for a slow init to reap it). */
function running(pid: number): boolean {
  if (existsSync("/proc/self/stat")) {
    try {
      return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
