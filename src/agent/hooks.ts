/**
 * @module agent/hooks
 * Runs an agent's before/after hooks and its stop/start/status commands with a timeout.
 * A failing hook is an error carrying the end of its output, never a warning.
 */
import { spawn } from "node:child_process";
import { LifeboatError } from "../errors/index.ts";

export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/** runCommand runs `command` with /bin/sh in `cwd`; it never throws for a non-zero exit. */
export function runCommand(command: string, opts: { cwd?: string; timeoutMs?: number; env?: Record<string, string>; signal?: AbortSignal | undefined }): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("/bin/sh", ["-c", command], {
      cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ["ignore", "pipe", "pipe"],
      timeout: opts.timeoutMs, killSignal: "SIGKILL", signal: opts.signal,
    });
    let output = "";
    const keep = (d: Buffer) => { output = (output + d.toString("utf8")).slice(-8192); };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, output }));
  });
}

/** runHook runs a hook and throws a LifeboatError naming it if it fails or times out. */
export async function runHook(label: string, hook: { command: string; timeoutMs: number }, opts: { cwd?: string; env?: Record<string, string>; signal?: AbortSignal | undefined }): Promise<void> {
  let r: CommandResult;
  try {
    r = await runCommand(hook.command, { ...opts, timeoutMs: hook.timeoutMs });
  } catch (cause) {
    throw new LifeboatError(`${label} hook could not start: ${(cause as Error).message}`, { cause });
  }
  if (r.code === 0) return;
  const why = r.signal === "SIGKILL" ? `timed out after ${hook.timeoutMs} ms` : r.signal ? `was killed by ${r.signal}` : `exited with code ${r.code}`;
  const tail = r.output.trim().split("\n").slice(-3).join(" | ");
  throw new LifeboatError(`${label} hook "${hook.command}" ${why}${tail ? `: ${tail}` : ""}`, { hint: "fix the hook or remove it from lifeboat.yaml" });
}
