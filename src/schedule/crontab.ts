/**
 * @module schedule/crontab
 * The crontab mode of `schedule install`: one line per job, inside a block marked
 * `# lifeboat:begin <config>` … `# lifeboat:end`, so `schedule remove` deletes exactly
 * those lines and nothing the user wrote around them. Reading and writing the crontab go
 * through a CrontabRunner, so tests use a file instead of the `crontab` program.
 */
import { execFile, spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { LifeboatError } from "../errors/index.ts";

export const END_MARK = "# lifeboat:end";
export const beginMark = (config: string): string => `# lifeboat:begin ${config}`;

/** CrontabRunner reads and replaces the user's crontab. */
export interface CrontabRunner {
  read(signal: AbortSignal): Promise<string>;
  write(text: string, signal: AbortSignal): Promise<void>;
}

/** shQuote quotes one word for /bin/sh (cron runs each line with it). */
export function shQuote(s: string): string {
  return /^[A-Za-z0-9_/.,:=@+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** cronCommand renders argv for a crontab line: shell-quoted, and `%` escaped (cron turns a bare % into a newline). */
export function cronCommand(env: Record<string, string>, argv: string[]): string {
  const vars = Object.entries(env).map(([k, v]) => `${k}=${shQuote(v)}`);
  return [...vars, ...argv.map(shQuote)].join(" ").replace(/%/g, "\\%");
}

/** findBlock locates this config's block: [begin, end] line indexes, or null. */
export function findBlock(lines: string[], config: string): [number, number] | null {
  const begin = lines.indexOf(beginMark(config));
  if (begin < 0) return null;
  const end = lines.indexOf(END_MARK, begin + 1);
  return [begin, end < 0 ? lines.length - 1 : end];
}

/**
 * spliceBlock removes this config's block from a crontab and appends `block` (unless
 * null); other lines, other configs' blocks and the user's own lines stay as they were.
 */
export function spliceBlock(crontab: string, config: string, block: string[] | null): { text: string; removed: string[] } {
  const lines = crontab === "" ? [] : crontab.replace(/\n$/, "").split("\n");
  const at = findBlock(lines, config);
  const removed = at ? lines.splice(at[0], at[1] - at[0] + 1) : [];
  if (block) lines.push(...block);
  return { text: lines.length > 0 ? lines.join("\n") + "\n" : "", removed };
}

/** systemCrontab runs the `crontab` program: `crontab -l` to read, `crontab -` to replace. */
export const systemCrontab: CrontabRunner = {
  read: (signal) => new Promise((resolve, reject) => {
    execFile("crontab", ["-l"], { signal, encoding: "utf8" }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return reject(missing(err));
      // "no crontab for USER" is an empty crontab, not an error.
      if (/no crontab/i.test(stderr)) return resolve("");
      reject(new LifeboatError(`crontab -l failed: ${stderr.trim() || err.message}`, { cause: err }));
    });
  }),
  write: (text, signal) => new Promise((resolve, reject) => {
    const child = spawn("crontab", ["-"], { signal, stdio: ["pipe", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (s: string) => { stderr += s; });
    child.on("error", (err) => reject((err as NodeJS.ErrnoException).code === "ENOENT" ? missing(err) : err));
    child.on("close", (code) => (code === 0 ? resolve() : reject(new LifeboatError(`crontab - failed: ${stderr.trim() || `exit ${code}`}`))));
    child.stdin.end(text);
  }),
};

function missing(cause: unknown): LifeboatError {
  return new LifeboatError("the crontab program is not installed", { hint: "install cron (cronie), or use `lifeboat schedule install --systemd`", cause });
}

/** fileCrontab keeps the crontab in a plain file: for tests, and for machines whose cron reads a file. */
export function fileCrontab(path: string): CrontabRunner {
  return {
    read: (signal) =>
      readFile(path, { encoding: "utf8", signal }).catch((err: NodeJS.ErrnoException) => {
        if (err.code === "ENOENT") return "";
        throw err;
      }),
    write: (text, signal) => writeFile(path, text, { signal, mode: 0o600 }),
  };
}
