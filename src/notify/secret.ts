/**
 * @module notify/secret
 * Reads a notifier's secret (bot token, ntfy token, SMTP password) when a message is sent,
 * not when the config loads: a rotated token file is picked up without a restart, and a
 * config that names a missing secret still loads for commands that never notify.
 * Errors name where the secret was looked for (`token_file /etc/…`), never its value.
 */
import { readFile } from "node:fs/promises";
import { NotifyError, type Who } from "./errors.ts";
import type { SecretRef } from "./types.ts";

/** SecretLabel says whose secret this is and its key in lifeboat.yaml ("token", "password"). */
export interface SecretLabel extends Who {
  readonly key: string;
}

/** describeSecret renders where a secret comes from for messages: `token_file /etc/tg`, `password_env SMTP_PASS`. */
export function describeSecret(ref: SecretRef, key: string): string {
  if ("env" in ref) return `${key}_env ${ref.env}`;
  if ("file" in ref) return `${key}_file ${ref.file}`;
  return `${key} in lifeboat.yaml`;
}

/**
 * readSecret returns the secret `ref` points to: an environment variable, a file (one
 * trailing newline removed, as `echo` and editors add it) or a literal. A missing or empty
 * secret is a NotifyError with problem "config" and a one-line fix.
 */
export async function readSecret(ref: SecretRef, what: SecretLabel, signal?: AbortSignal): Promise<string> {
  signal?.throwIfAborted();
  const where = describeSecret(ref, what.key);
  if ("env" in ref) {
    const v = process.env[ref.env];
    if (v === undefined || v === "") {
      throw configError(what, `${where} is not set: export ${ref.env} in lifeboat's environment, or use ${what.key}_file`, `environment variable ${ref.env} is ${v === undefined ? "unset" : "empty"}`);
    }
    return v;
  }
  if ("file" in ref) return await readSecretFile(ref.file, what, where, signal);
  if (ref.value === "") throw configError(what, `${where} is empty: set ${what.key}_file or ${what.key}_env`, "empty literal");
  return ref.value;
}

async function readSecretFile(file: string, what: SecretLabel, where: string, signal?: AbortSignal): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, { encoding: "utf8", signal });
  } catch (err) {
    signal?.throwIfAborted();
    const code = (err as NodeJS.ErrnoException).code ?? "error";
    const fix = code === "ENOENT" ? "create it (chmod 600) or fix the path" : code === "EACCES" ? "let lifeboat's user read it" : "fix the file";
    throw new NotifyError(what, "config", `cannot read ${where} (${code}): ${fix}`, { cause: err });
  }
  const secret = text.replace(/\r?\n$/, "");
  if (secret.trim() === "") throw configError(what, `${where} is empty: write the ${what.key} into it`, "empty file");
  return secret;
}

function configError(what: SecretLabel, message: string, reason: string): NotifyError {
  return new NotifyError(what, "config", message, { cause: new Error(reason) });
}
