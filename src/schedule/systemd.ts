/**
 * @module schedule/systemd
 * The systemd mode of `schedule install`: unit file text, and checking it with
 * `systemd-analyze verify` where that exists. Two shapes: a user service that runs
 * `lifeboat daemon` all the time (the default), or a oneshot service started every minute
 * by a timer that runs `lifeboat daemon --once` (for machines that should not keep a
 * process around; it runs whatever fell due since the last run).
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { homedir } from "node:os";
import { join } from "node:path";

/** unitBase names this config's units: lifeboat-<8 hex of the config path>, so two configs never share a unit. */
export function unitBase(config: string): string {
  return `lifeboat-${createHash("sha256").update(config).digest("hex").slice(0, 8)}`;
}

/** userUnitDir is $XDG_CONFIG_HOME/systemd/user, else ~/.config/systemd/user. */
export function userUnitDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CONFIG_HOME || join(env.HOME || homedir(), ".config"), "systemd", "user");
}

/** execQuote renders argv for ExecStart=: each word double-quoted where needed; % and $ escaped (systemd specifiers and variables). */
export function execQuote(argv: string[]): string {
  return argv.map((a) => {
    const esc = a.replace(/%/g, "%%").replace(/\$/g, "$$$$");
    return /^[A-Za-z0-9_/.,:=@+-]+$/.test(esc) ? esc : `"${esc.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
  }).join(" ");
}

export interface ServiceSpec {
  config: string;
  argv: string[];
  env: Record<string, string>;
  /** oneshot: started by the timer, runs what is due, exits. */
  oneshot: boolean;
  graceMs: number;
}

/** serviceUnit is the .service text. */
export function serviceUnit(s: ServiceSpec): string {
  const env = Object.entries(s.env).map(([k, v]) => `Environment=${execQuote([`${k}=${v}`])}`);
  // The daemon forwards SIGTERM to its running job and waits `grace`; KillMode=mixed lets it
  // do that (SIGTERM to the daemon only), and systemd kills what is left after TimeoutStopSec.
  const stopSec = Math.ceil(s.graceMs / 1000) + 30;
  return [
    "[Unit]",
    `Description=lifeboat scheduled backups (${s.config})`,
    "",
    "[Service]",
    `Type=${s.oneshot ? "oneshot" : "simple"}`,
    `ExecStart=${execQuote(s.argv)}`,
    ...env,
    "KillMode=mixed",
    `TimeoutStopSec=${stopSec}`,
    ...(s.oneshot ? [] : ["Restart=on-failure", "RestartSec=30"]),
    ...(s.oneshot ? [] : ["", "[Install]", "WantedBy=default.target"]),
    "",
  ].join("\n");
}

/** timerUnit starts the oneshot service every minute (Persistent: a minute missed while off is made up at boot). */
export function timerUnit(config: string, service: string): string {
  return [
    "[Unit]",
    `Description=lifeboat scheduled backups, every minute (${config})`,
    "",
    "[Timer]",
    "OnCalendar=*-*-* *:*:00",
    "AccuracySec=1s",
    "Persistent=true",
    `Unit=${service}`,
    "",
    "[Install]",
    "WantedBy=timers.target",
    "",
  ].join("\n");
}

/** parseUnit reads unit text into section → key → values (repeated keys keep every value). */
export function parseUnit(text: string): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {};
  let section: Record<string, string[]> | undefined;
  for (const [i, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const head = /^\[([A-Za-z]+)\]$/.exec(line);
    if (head) { section = out[head[1]!] ??= {}; continue; }
    const kv = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(line);
    if (!kv || !section) throw new Error(`line ${i + 1}: not a unit file line: ${raw}`);
    (section[kv[1]!] ??= []).push(kv[2]!);
  }
  return out;
}

/**
 * verifyUnits runs `systemd-analyze verify` on unit files; null when the program is
 * missing (the caller falls back to parseUnit). Resolves to its complaint, or "" when clean.
 */
export function verifyUnits(paths: string[], signal: AbortSignal): Promise<string | null> {
  return new Promise((resolve) => {
    execFile("systemd-analyze", ["verify", ...paths], { signal, encoding: "utf8", timeout: 60_000 }, (err, stdout, stderr) => {
      if ((err as NodeJS.ErrnoException | null)?.code === "ENOENT") return resolve(null);
      resolve(err ? (stderr || stdout || err.message).trim() : stderr.trim());
    });
  });
}

/** Systemctl runs `systemctl --user ARGS`; it resolves to an error line, or null when it worked. */
export type Systemctl = (args: string[], signal: AbortSignal) => Promise<string | null>;

export const systemSystemctl: Systemctl = (args, signal) => new Promise((resolve) => {
  execFile("systemctl", ["--user", ...args], { signal, encoding: "utf8", timeout: 60_000 }, (err, _out, stderr) => {
    if (!err) return resolve(null);
    resolve((err as NodeJS.ErrnoException).code === "ENOENT" ? "systemctl is not installed" : stderr.trim() || err.message);
  });
});
