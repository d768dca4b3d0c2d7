/**
 * @module export/secrets
 * How secret items go into an export: age-encrypted to a recipient or a passphrase (the
 * default the user must choose), or plain with --plain-secrets. Encryption happens in
 * memory (secrets are small .env-like files), so a secret's plaintext never touches disk.
 */
import { readFile } from "node:fs/promises";
import { Encrypter } from "age-encryption";
import { LifeboatError } from "../errors/index.ts";

/** SecretMode is how secrets are written: encrypted (with a label for messages), or plain. */
export type SecretMode =
  | { kind: "age"; label: string; encrypt(data: Uint8Array): Promise<Uint8Array> }
  | { kind: "plain" };

export interface SecretFlags {
  encryptSecrets?: string | undefined;
  plainSecrets?: boolean | undefined;
  passphraseFile?: string | undefined;
}

export const PASSPHRASE_ENV = "LIFEBOAT_EXPORT_PASSPHRASE";

const CHOOSE = "secrets must be encrypted: pass --encrypt-secrets age:RECIPIENT or --encrypt-secrets passphrase, or --plain-secrets to write them unencrypted";

/**
 * secretMode turns the flags into a SecretMode. `hasSecrets` false (the export holds no
 * secret item) makes the choice unnecessary; a given --encrypt-secrets is still checked.
 */
export async function secretMode(f: SecretFlags, hasSecrets: boolean, signal?: AbortSignal): Promise<SecretMode> {
  if (f.encryptSecrets && f.plainSecrets) throw new LifeboatError("give --encrypt-secrets or --plain-secrets, not both");
  if (f.plainSecrets) return { kind: "plain" };
  if (!f.encryptSecrets) {
    if (!hasSecrets) return { kind: "plain" };
    throw new LifeboatError(CHOOSE, { hint: "see `lifeboat export --help` and docs/export.md" });
  }
  if (f.encryptSecrets === "passphrase") return passphraseMode(await readPassphrase(f.passphraseFile, signal));
  if (f.encryptSecrets.startsWith("age:")) return recipientMode(f.encryptSecrets.slice(4));
  throw new LifeboatError(`--encrypt-secrets ${f.encryptSecrets}: expected age:RECIPIENT (an age1... public key) or passphrase`);
}

function recipientMode(recipient: string): SecretMode {
  const e = new Encrypter();
  try {
    e.addRecipient(recipient.trim());
  } catch (cause) {
    throw new LifeboatError(`--encrypt-secrets age:${recipient}: not an age recipient (${(cause as Error).message})`, {
      hint: "pass the public key `age-keygen` printed (age1...), e.g. --encrypt-secrets age:age1ql3z7hjy54pw3...", cause,
    });
  }
  return { kind: "age", label: `age recipient ${recipient.slice(0, 12)}...`, encrypt: (d) => e.encrypt(d) };
}

function passphraseMode(pass: string): SecretMode {
  const e = new Encrypter();
  e.setPassphrase(pass);
  return { kind: "age", label: "passphrase", encrypt: (d) => e.encrypt(d) };
}

/** readPassphrase takes the passphrase from --passphrase-file or LIFEBOAT_EXPORT_PASSPHRASE (no prompt yet). */
async function readPassphrase(file: string | undefined, signal?: AbortSignal): Promise<string> {
  let pass: string | undefined;
  if (file) {
    const text = await readFile(file, { encoding: "utf8", signal }).catch((cause: unknown) => {
      throw new LifeboatError(`cannot read --passphrase-file ${file}: ${(cause as Error).message}`, { cause });
    });
    pass = text.replace(/\r?\n$/, "");
  } else {
    pass = process.env[PASSPHRASE_ENV];
  }
  if (!pass) {
    throw new LifeboatError(`--encrypt-secrets passphrase needs a passphrase: set ${PASSPHRASE_ENV} or pass --passphrase-file FILE`);
  }
  return pass;
}
