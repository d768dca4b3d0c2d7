/**
 * @module bench/proc
 * Process and machine helpers shared by the benchmarks: run a command, drop the page cache,
 * read the machine's busy CPU time, sleep synchronously, measure a folder.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";

/** sh runs a command and returns its stdout; a non-zero exit throws with the output's tail. */
export function sh(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 512 * 1024 * 1024, ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}:\n${(r.stdout + r.stderr).trim().slice(-2000)}`);
  return r.stdout;
}

export function tryRead(path: string): string {
  try { return readFileSync(path, "utf8"); } catch { return ""; }
}

/** canDropCaches is true when this process may drop the page cache (root on Linux). */
export function canDropCaches(): boolean {
  try { writeFileSync("/proc/sys/vm/drop_caches", "3"); return true; } catch { return false; }
}

export function dropCaches(): void {
  spawnSync("sync");
  writeFileSync("/proc/sys/vm/drop_caches", "3");
}

/** busyCpuS returns the machine's busy CPU seconds so far (all cores; idle and iowait excluded). */
export function busyCpuS(): number {
  const f = tryRead("/proc/stat").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = f;
  return (user + nice + system + irq + softirq + steal) / 100; // USER_HZ is 100 on Linux
}

export function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export function duBytes(path: string): number {
  return Number(sh("du", ["-sb", path]).split(/\s+/)[0]);
}
