/**
 * @module doctor/program
 * Whether the program a shell command starts exists, without running it: a command item or
 * hook that names a program missing on this machine fails every backup, and running it to
 * find out could have side effects (a hook may stop the agent).
 */
import { access, constants, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { delimiter, isAbsolute, join, resolve } from "node:path";

// Words /bin/sh handles itself, or that start a compound command: nothing to look up.
const SHELL_WORDS = new Set([
  ".", ":", "[", "!", "{", "(", "alias", "break", "case", "cd", "command", "continue", "echo", "eval", "exec", "exit",
  "export", "false", "for", "if", "printf", "pwd", "read", "return", "set", "shift", "source", "test", "trap", "true",
  "ulimit", "umask", "unset", "until", "wait", "while",
]);

/**
 * programOf returns the program a command line starts: its first word after `VAR=value`
 * assignments, unquoted and with `~/` expanded. Undefined when it cannot be known without
 * a shell (a variable, a substitution) or when the shell itself runs the first word.
 */
export function programOf(command: string, home = homedir()): string | undefined {
  for (const raw of command.trim().split(/\s+/)) {
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(raw)) continue;
    const word = raw.replace(/^(["'])(.*)\1$/, "$2").replace(/[;|&]+$/, "");
    if (word === "" || /[$`*?]/.test(word) || /^["'(]/.test(word) || SHELL_WORDS.has(word)) return undefined;
    return word.startsWith("~/") ? join(home, word.slice(2)) : word;
  }
  return undefined;
}

/**
 * findProgram resolves `program` as /bin/sh would: a name with a slash against `cwd`, else
 * each PATH folder. Returns the path, or undefined when nothing executable is there.
 */
export async function findProgram(program: string, opts: { cwd?: string; path?: string } = {}): Promise<string | undefined> {
  if (program.includes("/")) {
    const p = isAbsolute(program) ? program : resolve(opts.cwd ?? process.cwd(), program);
    return (await isExecutable(p)) ? p : undefined;
  }
  for (const dir of (opts.path ?? process.env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const p = join(dir, program);
    if (await isExecutable(p)) return p;
  }
  return undefined;
}

async function isExecutable(p: string): Promise<boolean> {
  const st = await stat(p).catch(() => null);
  if (st === null || !st.isFile()) return false;
  return access(p, constants.X_OK).then(() => true, () => false);
}
