/**
 * @module util/process
 * Whether a process id names a live process on this host (for stale locks and pid files).
 */

/** pidAlive: signal 0 probes without touching the process; EPERM still means it exists. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
