/**
 * @module bench/proc
 * Process and machine helpers shared by the benchmarks: run a command, drop the page cache,
 * read the machine's busy CPU time, sleep synchronously, measure a folder, time a command.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

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

/** Timed is one command's cost under /usr/bin/time. */
export interface Timed {
  wallS: number;
  userS: number;
  sysS: number;
  maxRssKB: number;
  /**
   * CPU seconds the rest of the machine used during the command (busy time from /proc/stat
   * minus the command's own user+sys): kernel writeback, and any other job on the box.
   */
  otherCpuS: number;
}

/**
 * timeCommand runs `cmd` under /usr/bin/time, keeps its stdout and stderr in
 * `logDir/label.*`, and fails on a non-zero exit. Waiting for a quiet machine and dropping
 * the page cache are the caller's.
 */
export function timeCommand(label: string, cmd: string, args: string[], env: NodeJS.ProcessEnv, logDir: string): { m: Timed; stdout: string } {
  const tf = join(logDir, `${label}.time`);
  const busy0 = busyCpuS();
  const r = spawnSync("/usr/bin/time", ["-o", tf, "-f", "%e %U %S %M", cmd, ...args], { encoding: "utf8", env, maxBuffer: 256 * 1024 * 1024 });
  const busy = busyCpuS() - busy0;
  writeFileSync(join(logDir, `${label}.stdout`), r.stdout ?? "");
  writeFileSync(join(logDir, `${label}.stderr`), r.stderr ?? "");
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${label}: ${cmd} ${args.join(" ")} exited ${r.status}\n${(r.stderr ?? "").slice(-3000)}`);
  const last = readFileSync(tf, "utf8").trim().split("\n").at(-1)!;
  const [wallS, userS, sysS, maxRssKB] = last.split(/\s+/).map(Number) as [number, number, number, number];
  return { m: { wallS, userS, sysS, maxRssKB, otherCpuS: Math.max(0, +(busy - userS - sysS).toFixed(2)) }, stdout: r.stdout ?? "" };
}
