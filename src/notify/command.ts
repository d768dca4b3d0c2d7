/**
 * @module notify/command
 * The command notifier: `/bin/sh -c <command>` with the AlertMessage as JSON on stdin and
 * its main fields in LIFEBOAT_* variables, for anything lifeboat has no transport for.
 * The shell runs in its own process group and the whole group is killed on timeout or
 * abort, so a `curl` started by the script does not outlive the send. Errors never quote the
 * command: it may carry a credential inline.
 */
import { spawn } from "node:child_process";
import { NotifyError, oneLine } from "./errors.ts";
import { truncate } from "./render.ts";
import type { AlertMessage, CommandConfig, Notifier, SendResult } from "./types.ts";

// Linux refuses one environment string over 128 KiB; stdin carries the full text.
const MAX_ENV_TEXT = 16 * 1024;

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** createCommandNotifier returns a notifier that runs cfg.command once per message. */
export function createCommandNotifier(cfg: CommandConfig): Notifier {
  return {
    name: cfg.name,
    kind: "command",
    timeoutMs: cfg.timeoutMs,
    send: (msg, signal) => sendCommand(cfg, msg, signal),
  };
}

async function sendCommand(cfg: CommandConfig, msg: AlertMessage, signal: AbortSignal): Promise<SendResult> {
  const r = await run(cfg, msg, signal);
  if (r.code === 0) {
    const last = lastLine(r.stdout);
    return { detail: `exit 0${last ? `: ${truncate(last, { max: 200, unit: "utf16" })}` : ""}` };
  }
  const last = lastLine(r.stderr);
  const tail = last ? `: ${truncate(last, { max: 300, unit: "utf16" })}` : "";
  const cause = new Error(`exit ${r.code ?? r.signal}: ${r.stderr.slice(-2000)}`);
  if (r.code === 127 || r.code === 126) {
    throw new NotifyError(cfg, "unreachable", `the command ${r.code === 127 ? "was not found" : "is not executable"} (exit ${r.code})${tail}`, { cause });
  }
  const why = r.signal ? `was killed by ${r.signal}` : `exited with code ${r.code}`;
  throw new NotifyError(cfg, "rejected", `the command ${why}${tail}`, { cause });
}

/** commandEnv is the process environment plus the message's LIFEBOAT_* variables. */
export function commandEnv(msg: AlertMessage): NodeJS.ProcessEnv {
  return {
    ...process.env,
    LIFEBOAT_EVENT: msg.event,
    LIFEBOAT_SEVERITY: msg.severity,
    LIFEBOAT_AGENT: msg.agent ?? "",
    LIFEBOAT_TITLE: oneLine(msg.title),
    LIFEBOAT_TEXT: truncate(msg.text, { max: MAX_ENV_TEXT, unit: "utf8" }),
    LIFEBOAT_HOST: msg.host,
    LIFEBOAT_TIME: msg.time,
    LIFEBOAT_TEST: msg.test ? "1" : "",
  };
}

function run(cfg: CommandConfig, msg: AlertMessage, signal: AbortSignal): Promise<Exit> {
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const child = spawn("/bin/sh", ["-c", cfg.command], { env: commandEnv(msg), stdio: ["pipe", "pipe", "pipe"], detached: true });
    const out = { stdout: "", stderr: "" };
    child.stdout.on("data", (d: Buffer) => { out.stdout = (out.stdout + d.toString("utf8")).slice(-8192); });
    child.stderr.on("data", (d: Buffer) => { out.stderr = (out.stderr + d.toString("utf8")).slice(-8192); });
    // A command that never reads stdin closes it early; that EPIPE is not a failure.
    child.stdin.on("error", () => undefined);
    child.stdin.end(`${JSON.stringify(msg)}\n`);
    const onAbort = () => {
      killGroup(child.pid);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    child.on("error", (err) => {
      signal.removeEventListener("abort", onAbort);
      reject(new NotifyError(cfg, "unreachable", `cannot start /bin/sh: ${err.message}`, { cause: err }));
    });
    child.on("close", (code, sig) => {
      signal.removeEventListener("abort", onAbort);
      resolve({ code, signal: sig, ...out });
    });
  });
}

/** killGroup ends the shell and everything it started (its process group, thanks to detached). */
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // The group is already gone.
  }
}

function lastLine(s: string): string {
  return s.trim().split("\n").at(-1)?.trim() ?? "";
}
