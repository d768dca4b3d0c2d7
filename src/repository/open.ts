/**
 * @module repository/open
 * Creating and opening a repository: key files, the master key, the config object.
 * Distinguishes the three failures a user must tell apart: no repository (exit 10),
 * wrong password (exit 12), damaged config (exit 1).
 */
import type { Backend } from "../backends/backend.ts";
import { deriveMasterKey, newMasterSecret } from "../crypto/keys.ts";
import { parseKeyFile, unwrapSecret, wrapSecret } from "../crypto/keyfile.ts";
import { DEFAULT_SCRYPT, type ScryptParams } from "../crypto/kdf.ts";
import { LifeboatError, RepositoryNotFoundError, WrongPasswordError } from "../errors/index.ts";
import { newConfig, validateConfig, type ConfigOptions, type RepoConfig } from "./config.ts";
import { decodeObject, encodeObject, sha256hex } from "./objects.ts";
import { Repository, type RepositoryOptions } from "./repository.ts";

const CONFIG = { type: "config", name: "" } as const;

export interface InitOptions extends ConfigOptions, RepositoryOptions {
  kdf?: ScryptParams;
}

/** initRepository creates the layout, one key for `password`, and the config object. */
export async function initRepository(be: Backend, password: string, opts: InitOptions = {}): Promise<Repository> {
  if (await exists(be, opts.signal)) {
    throw new LifeboatError(`a repository already exists at ${be.properties.location}`);
  }
  await be.create({ signal: opts.signal });
  const secret = newMasterSecret();
  const key = deriveMasterKey(secret);
  const config = newConfig(opts);
  const keyName = await saveKeyFile(be, secret, password, opts.kdf ?? DEFAULT_SCRYPT, opts.signal);
  // The config is written last: a repository without it is not a repository yet.
  await be.save(CONFIG, encodeObject(key.data, "config", config), { signal: opts.signal });
  return new Repository(be, key, secret, config, { ...opts, keyName });
}

/** saveKeyFile adds a key file for `password`; returns its name. */
export async function saveKeyFile(be: Backend, secret: Uint8Array, password: string, kdf: ScryptParams, signal?: AbortSignal): Promise<string> {
  const bytes = Buffer.from(JSON.stringify(await wrapSecret(secret, password, kdf), null, 2));
  const name = sha256hex(bytes);
  await be.save({ type: "key", name }, bytes, { signal });
  return name;
}

/** openRepository finds a key that `password` opens and loads the config. */
export async function openRepository(be: Backend, password: string, opts: RepositoryOptions = {}): Promise<Repository> {
  if (!(await exists(be, opts.signal))) throw new RepositoryNotFoundError(be.properties.location);
  const { secret, keyName } = await findKey(be, password, opts.signal);
  const key = deriveMasterKey(secret);
  let config: RepoConfig;
  try {
    const bytes = await be.load(CONFIG, undefined, { signal: opts.signal });
    config = validateConfig(decodeObject<RepoConfig>(key.data, "config", bytes));
  } catch (cause) {
    throw new LifeboatError(`repository config at ${be.properties.location} is damaged or unsupported: ${(cause as Error).message}`, {
      cause, hint: "restore the `config` object from a copy of the repository; it cannot be rebuilt",
    });
  }
  return new Repository(be, key, secret, config, { ...opts, keyName });
}

async function findKey(be: Backend, password: string, signal?: AbortSignal): Promise<{ secret: Uint8Array; keyName: string }> {
  // A damaged key file must not hide the others, but if none opens it may be the reason.
  const damaged: string[] = [];
  for await (const fi of be.list("key", { signal })) {
    const bytes = await be.load({ type: "key", name: fi.name }, undefined, { signal });
    const intact = sha256hex(bytes) === fi.name;
    if (!intact) damaged.push(fi.name);
    const secret = await tryKey(bytes, password, intact);
    if (secret) return { secret, keyName: fi.name };
  }
  throw new WrongPasswordError(damaged);
}

/**
 * tryKey unwraps one key file. A damaged one is still tried (its damage may have missed
 * the wrapped secret, which authenticates itself), but whatever its damaged fields make
 * fail (an unknown KDF name, scrypt parameters scrypt refuses) only means it does not open.
 */
async function tryKey(bytes: Uint8Array, password: string, intact: boolean): Promise<Uint8Array | null> {
  let kf;
  try {
    kf = parseKeyFile(bytes);
  } catch {
    return null;
  }
  try {
    return await unwrapSecret(kf, password);
  } catch (err) {
    if (intact) throw err;
    return null;
  }
}

async function exists(be: Backend, signal?: AbortSignal): Promise<boolean> {
  try {
    await be.stat(CONFIG, { signal });
    return true;
  } catch (err) {
    if (be.isNotFound(err)) return false;
    if (err instanceof LifeboatError) throw err; // an access error already says what to do
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOTDIR") {
      throw new RepositoryNotFoundError(`${be.properties.location} (it is a file, not a folder)`, err);
    }
    throw new LifeboatError(`cannot read repository at ${be.properties.location}: ${(err as Error).message}`, { cause: err });
  }
}
