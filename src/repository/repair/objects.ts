/**
 * @module repository/repair/objects
 * Finds the unpacked objects that no longer verify and cannot be rebuilt from anything
 * else: key files (named by the SHA-256 of their bytes, so checked without any key) and
 * signed records. `check` reports them; repair says what to do about each. Damaged
 * snapshots come from loadSnapshots; damaged index objects are rebuilt from the packs.
 */
import { parseKeyFile } from "../../crypto/keyfile.ts";
import { IntegrityError } from "../../errors/index.ts";
import { sha256hex } from "../objects.ts";
import type { Repository } from "../repository.ts";
import { errorMessage, type DamagedObject } from "./types.ts";

/** damagedKeys lists key files whose bytes do not match their name or do not parse. */
export async function damagedKeys(repo: Repository, signal?: AbortSignal): Promise<DamagedObject[]> {
  const out: DamagedObject[] = [];
  for (const name of await repo.listNames("key", signal)) {
    let bytes: Uint8Array;
    try {
      bytes = await repo.backend.load({ type: "key", name }, undefined, { signal });
    } catch (err) {
      if (repo.backend.isNotFound(err)) continue; // removed while we listed
      throw new Error(`read key ${name}`, { cause: err });
    }
    const problem = keyProblem(name, bytes);
    if (problem !== null) out.push({ id: name, message: problem });
  }
  return out;
}

function keyProblem(name: string, bytes: Uint8Array): string | null {
  if (sha256hex(bytes) !== name) return "stored bytes do not match their name (damaged): its password no longer opens the repository";
  try {
    parseKeyFile(bytes);
    return null;
  } catch (err) {
    return `does not parse: ${errorMessage(err)}`;
  }
}

/** damagedRecords lists signed records whose bytes do not match their name or do not decrypt. */
export async function damagedRecords(repo: Repository, signal?: AbortSignal): Promise<DamagedObject[]> {
  const out: DamagedObject[] = [];
  for (const name of await repo.listNames("record", signal)) {
    try {
      await repo.loadObject("record", name, signal);
    } catch (err) {
      if (repo.backend.isNotFound(err)) continue;
      if (!(err instanceof IntegrityError)) throw new Error(`read record ${name}`, { cause: err });
      out.push({ id: name, message: err.message.replace(`${err.object}: `, "") });
    }
  }
  return out;
}

/** asDamaged turns an IntegrityError about `<type> <id>` into a DamagedObject. */
export function asDamaged(err: IntegrityError): DamagedObject {
  const id = err.object.split(" ")[1] ?? err.object;
  return { id, message: err.message.replace(`${err.object}: `, "") };
}
