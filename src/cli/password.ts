/**
 * @module cli/password
 * Where the repository password comes from, in order: --password-file,
 * LIFEBOAT_PASSWORD_FILE, LIFEBOAT_PASSWORD, then a prompt that does not echo (only on a
 * terminal). A cron job with none of these fails at once with a one-line hint.
 */
import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { LifeboatError } from "../errors/index.ts";

export async function readPasswordFile(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new LifeboatError(`cannot read password file ${path}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`, { cause });
  }
  const pw = text.replace(/\r?\n$/, "");
  if (pw.length === 0) throw new LifeboatError(`password file ${path} is empty`);
  return pw;
}

/** getPassword resolves the password; `confirm` asks twice (for init and new keys). */
export async function getPassword(opts: { passwordFile?: string | undefined; prompt?: string; confirm?: boolean }): Promise<string> {
  const file = opts.passwordFile ?? process.env.LIFEBOAT_PASSWORD_FILE;
  if (file) return readPasswordFile(file);
  if (process.env.LIFEBOAT_PASSWORD) return process.env.LIFEBOAT_PASSWORD;
  if (!process.stdin.isTTY) {
    throw new LifeboatError("no password given", { hint: "set LIFEBOAT_PASSWORD_FILE (or LIFEBOAT_PASSWORD), or run on a terminal to be asked" });
  }
  const pw = await promptHidden(opts.prompt ?? "enter password for repository: ");
  if (opts.confirm && (await promptHidden("enter password again: ")) !== pw) throw new LifeboatError("passwords do not match");
  if (pw.length === 0) throw new LifeboatError("empty password");
  return pw;
}

/** promptHidden reads one line from the terminal with echo off. */
export function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    let buf = "";
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off("data", onData);
      process.stderr.write("\n");
      if (err) reject(err);
      else resolve(buf);
    };
    const onData = (d: Buffer) => {
      for (const ch of d.toString("utf8")) {
        if (ch === "\r" || ch === "\n") return done();
        if (ch === "\u0003") return done(Object.assign(new Error("interrupted"), { name: "AbortError" }));
        if (ch === "\u007f") buf = buf.slice(0, -1);
        else buf += ch;
      }
    };
    stdin.on("data", onData);
  });
}

/** generatePassword writes a strong random password to `path` (mode 0600, never overwriting). */
export async function generatePassword(path: string): Promise<string> {
  const pw = randomBytes(32).toString("base64url");
  try {
    await writeFile(path, pw + "\n", { mode: 0o600, flag: "wx" });
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new LifeboatError(code === "EEXIST" ? `${path} already exists; refusing to overwrite a password file` : `cannot write ${path}: ${code}`, { cause });
  }
  return pw;
}
