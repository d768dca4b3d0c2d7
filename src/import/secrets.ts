/**
 * @module import/secrets
 * Decrypts an archive's age-encrypted secrets in memory, with an age identity file
 * (--identity) or a passphrase (--passphrase-file, LIFEBOAT_IMPORT_PASSPHRASE). The
 * plaintext goes only into the (encrypted) repository and the restored file: never a
 * temporary file.
 */
import { readFile } from "node:fs/promises";
import { Decrypter } from "age-encryption";
import { LifeboatError } from "../errors/index.ts";

export interface SecretKeys {
  identityFile?: string | undefined;
  passphraseFile?: string | undefined;
  passphrase?: string | undefined;
}

/** Secrets are read whole into memory to decrypt; more than this is not a secret file. */
export const SECRET_MAX = 64 * 1024 * 1024;

/** loadDecrypter returns a Decrypter with every key given, or null when none is. */
export async function loadDecrypter(k: SecretKeys, signal?: AbortSignal): Promise<Decrypter | null> {
  const d = new Decrypter();
  let any = false;
  if (k.identityFile) {
    for (const id of await readIdentities(k.identityFile, signal)) d.addIdentity(id);
    any = true;
  }
  const pass = k.passphraseFile ? (await readText(k.passphraseFile, "passphrase", signal)).replace(/\r?\n$/, "") : k.passphrase;
  if (pass) {
    d.addPassphrase(pass);
    any = true;
  }
  return any ? d : null;
}

async function readIdentities(path: string, signal?: AbortSignal): Promise<string[]> {
  const lines = (await readText(path, "identity", signal)).split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"));
  const ids = lines.filter((l) => l.startsWith("AGE-SECRET-KEY-"));
  if (ids.length === 0 || ids.length !== lines.length) {
    throw new LifeboatError(`${path} is not an age identity file`, { hint: "pass the file age-keygen wrote (lines starting AGE-SECRET-KEY-1)" });
  }
  return ids;
}

async function readText(path: string, what: string, signal?: AbortSignal): Promise<string> {
  try {
    return await readFile(path, { encoding: "utf8", signal });
  } catch (err) {
    throw new LifeboatError(`cannot read the ${what} file ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/** decryptSecret opens one .age file; a wrong key or damaged file is a user error naming the entry. */
export async function decryptSecret(d: Decrypter, archive: string, entry: string, bytes: Uint8Array): Promise<Uint8Array> {
  try {
    return await d.decrypt(bytes);
  } catch (err) {
    throw new LifeboatError(`import: cannot decrypt '${entry}' in ${archive}: ${(err as Error).message}`, {
      cause: err, hint: "pass the age identity (--identity FILE) or passphrase (--passphrase-file FILE) the export used; nothing was written",
    });
  }
}
