/**
 * @module daemon/child
 * Runs one job as a lifeboat child process and stops it politely. The child gets its own
 * process group, so a Ctrl-C at the daemon's terminal reaches the daemon only; the daemon
 * then sends the job exactly one SIGTERM (a lifeboat command unwinds on the first one:
 * locks released, no half snapshot) and SIGKILLs the group only after the grace period.
 * A second signal would make the child exit at once, without unwinding.
 */
import { spawn } from "node:child_process";

export interface ChildSpec {
  /** [program, ...args]. */
  argv: [string, ...string[]];
  env: NodeJS.ProcessEnv;
  /** Working folder (default: this process's). */
  cwd?: string;
  /** Aborting stops the child: SIGTERM, then SIGKILL after graceMs. */
  signal: AbortSignal;
  graceMs: number;
  /** Stop the child the same way after this long. */
  timeoutMs?: number | undefined;
}

export interface ChildResult {
  /** The exit code; 130 when stopped by the daemon, 137 when it had to be killed. */
  exitCode: number;
  stdout: string;
  /** The end of stderr (enough for the error line). */
  stderr: string;
  /** Stopped because the daemon was stopping. */
  interrupted: boolean;
  timedOut: boolean;
}

const STDERR_KEEP = 16 * 1024;
const STDOUT_KEEP = 4 * 1024 * 1024;

/** runChild starts the process and resolves when it has exited; it never rejects for the child's own failure. */
export function runChild(spec: ChildSpec): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const [cmd, ...args] = spec.argv;
    const child = spawn(cmd, args, { env: spec.env, cwd: spec.cwd, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let stdout = "";
    let stderr = "";
    let interrupted = false;
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding("utf8").on("data", (s: string) => { if (stdout.length < STDOUT_KEEP) stdout += s; });
    child.stderr.setEncoding("utf8").on("data", (s: string) => { stderr = (stderr + s).slice(-STDERR_KEEP); });
    const stop = () => {
      if (killTimer || child.exitCode !== null) return;
      signalGroup(child.pid, "SIGTERM");
      killTimer = setTimeout(() => signalGroup(child.pid, "SIGKILL"), spec.graceMs);
    };
    const onAbort = () => { interrupted = true; stop(); };
    spec.signal.addEventListener("abort", onAbort, { once: true });
    if (spec.signal.aborted) onAbort();
    const timeout = spec.timeoutMs ? setTimeout(() => { timedOut = true; stop(); }, spec.timeoutMs) : undefined;
    child.on("error", (err) => {
      cleanup();
      reject(new Error(`start ${cmd}`, { cause: err }));
    });
    child.on("close", (code, sig) => {
      cleanup();
      resolve({ exitCode: code ?? (sig === "SIGKILL" ? 137 : 128 + 15), stdout, stderr, interrupted, timedOut });
    });
    function cleanup() {
      spec.signal.removeEventListener("abort", onAbort);
      clearTimeout(killTimer);
      clearTimeout(timeout);
    }
  });
}

/** signalGroup signals the child's whole process group (its own children, e.g. pg_dump, too). */
function signalGroup(pid: number | undefined, sig: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    // The main process first: a lifeboat command forwards the stop to what it started itself.
    process.kill(sig === "SIGKILL" ? -pid : pid, sig);
  } catch {
    /* already gone */
  }
}
