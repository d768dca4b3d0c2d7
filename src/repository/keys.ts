/**
 * @module repository/keys
 * Managing key files of an open repository: list, add, remove. Each key file wraps the
 * same master secret under a different password.
 */
import { parseKeyFile, type KeyFile } from "../crypto/keyfile.ts";
import type { ScryptParams } from "../crypto/kdf.ts";
import { LifeboatError } from "../errors/index.ts";
import { saveKeyFile } from "./open.ts";
import type { Repository } from "./repository.ts";

export interface KeyInfo {
  id: string;
  current: boolean;
  created: string;
  host: string;
  username: string;
  kdf: string;
}

export async function listKeys(repo: Repository, signal?: AbortSignal): Promise<KeyInfo[]> {
  const out: KeyInfo[] = [];
  for (const name of await repo.listNames("key", signal)) {
    let kf: KeyFile;
    try {
      kf = parseKeyFile(await repo.backend.load({ type: "key", name }, undefined, { signal }));
    } catch {
      out.push({ id: name, current: false, created: "", host: "", username: "", kdf: "damaged" });
      continue;
    }
    out.push({ id: name, current: name === repo.keyName, created: kf.created, host: kf.host, username: kf.username, kdf: `scrypt N=${kf.N} r=${kf.r} p=${kf.p}` });
  }
  return out.sort((a, b) => a.created.localeCompare(b.created));
}

export function addKey(repo: Repository, password: string, kdf: ScryptParams, signal?: AbortSignal): Promise<string> {
  return saveKeyFile(repo.backend, repo.secret, password, kdf, signal);
}

/** resolveKey finds a key by unique id prefix. */
export async function resolveKey(repo: Repository, prefix: string, signal?: AbortSignal): Promise<string> {
  const hits = (await repo.listNames("key", signal)).filter((n) => n.startsWith(prefix));
  if (hits.length !== 1) throw new LifeboatError(hits.length === 0 ? `no key with id ${prefix}` : `key prefix ${prefix} is ambiguous`);
  return hits[0]!;
}

/** removeKey deletes a key file; never the one in use, so the repository stays openable. */
export async function removeKey(repo: Repository, name: string, signal?: AbortSignal): Promise<void> {
  if (name === repo.keyName) {
    throw new LifeboatError("refusing to remove the key this session opened the repository with", { hint: "use `lifeboat key passwd` to change it" });
  }
  await repo.backend.remove({ type: "key", name }, { signal });
}
