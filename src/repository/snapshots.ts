/**
 * @module repository/snapshots
 * Loading, finding and saving snapshot documents. A snapshot is saved only after the
 * index covering its blobs is durable; readers list snapshots before loading the index.
 */
import { IntegrityError, LifeboatError } from "../errors/index.ts";
import type { Snapshot } from "../model/index.ts";
import type { Repository } from "./repository.ts";

export interface LoadSnapshotsResult {
  snapshots: Snapshot[];
  damaged: IntegrityError[];
}

/** loadSnapshots returns every readable snapshot, oldest first, and the damaged ones. */
export async function loadSnapshots(repo: Repository, signal?: AbortSignal): Promise<LoadSnapshotsResult> {
  const names = await repo.listNames("snapshot", signal);
  const snapshots: Snapshot[] = [];
  const damaged: IntegrityError[] = [];
  for (const name of names) {
    try {
      const sn = validateSnapshot(await repo.loadObject<unknown>("snapshot", name, signal));
      snapshots.push({ ...sn, id: name });
    } catch (err) {
      if (repo.backend.isNotFound(err)) continue; // forgotten while we listed
      damaged.push(err instanceof IntegrityError ? err : new IntegrityError(`snapshot ${name}`, (err as Error).message, err));
    }
  }
  snapshots.sort((a, b) => Date.parse(a.time) - Date.parse(b.time) || a.id!.localeCompare(b.id!));
  return { snapshots, damaged };
}

const HEX_ID = /^[0-9a-f]{64}$/;
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isStrings = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === "string");
const optional = (v: unknown, ok: (v: unknown) => boolean) => v === undefined || ok(v);

/**
 * validateSnapshot checks a decrypted document's shape before anyone uses it: the filters,
 * listings, restore and export read these fields unchecked, so a malformed snapshot is
 * reported as damaged here instead of crashing them (test/reliability/fuzz.test.ts).
 */
export function validateSnapshot(doc: unknown): Snapshot {
  const s = isObj(doc) ? doc : {};
  const bad = ([
    ["time", typeof s.time === "string" && Number.isFinite(Date.parse(s.time))], ["host", typeof s.host === "string"],
    ["username", typeof s.username === "string"], ["paths", isStrings(s.paths) && (s.paths as string[]).every((p) => p.startsWith("/"))],
    ["tags", isStrings(s.tags)], ["tree", typeof s.tree === "string" && HEX_ID.test(s.tree)],
    ["parent", optional(s.parent, (v) => typeof v === "string")], ["agent", optional(s.agent, (v) => typeof v === "string")],
    ["toolVersion", optional(s.toolVersion, (v) => typeof v === "string")], ["chunkers", optional(s.chunkers, isObj)],
    ["summary", isObj(s.summary) && Object.values(s.summary).every((v) => typeof v === "number")],
    ["manifest", optional(s.manifest, validManifest)],
  ] as const).find(([, ok]) => !ok);
  if (bad) throw new Error(`malformed snapshot: ${bad[0]} is missing or of the wrong type`);
  return s as unknown as Snapshot;
}

function validManifest(m: unknown): boolean {
  return isObj(m) && typeof m.agent === "string" && typeof m.root === "string" && Array.isArray(m.skipped) && isStrings(m.notCovered)
    && Array.isArray(m.items) && m.items.every((i) => isObj(i) && typeof i.name === "string" && typeof i.kind === "string"
      && typeof i.class === "string" && typeof i.source === "string" && isObj(i.sha256));
}

export interface SnapshotFilter {
  host?: string | undefined;
  paths?: string[] | undefined;
  tags?: string[] | undefined;
  agent?: string | undefined;
}

export function matchesFilter(sn: Snapshot, f: SnapshotFilter): boolean {
  if (f.host && sn.host !== f.host) return false;
  if (f.agent && sn.agent !== f.agent) return false;
  if (f.paths && !samePaths(sn.paths, f.paths)) return false;
  if (f.tags && !f.tags.every((t) => sn.tags.includes(t))) return false;
  return true;
}

export function samePaths(a: string[], b: string[]): boolean {
  const x = [...a].sort();
  const y = [...b].sort();
  return x.length === y.length && x.every((p, i) => p === y[i]);
}

/**
 * findSnapshot resolves "latest" or a unique id prefix. A damaged snapshot named exactly
 * is reported as damaged, not as missing.
 */
export async function findSnapshot(repo: Repository, ref: string, filter: SnapshotFilter = {}, signal?: AbortSignal): Promise<Snapshot> {
  const { snapshots, damaged } = await loadSnapshots(repo, signal);
  if (ref === "latest") {
    const hit = snapshots.filter((s) => matchesFilter(s, filter)).at(-1);
    if (!hit) throw new LifeboatError("no snapshot found", { hint: "run `lifeboat snapshots` to list them" });
    return hit;
  }
  if (!/^[0-9a-f]{1,64}$/.test(ref)) throw new LifeboatError(`"${ref}" is not a snapshot id or "latest"`);
  const hits = snapshots.filter((s) => s.id!.startsWith(ref));
  const bad = damaged.filter((d) => d.object.startsWith(`snapshot ${ref}`));
  if (hits.length === 1 && bad.length === 0) return hits[0]!;
  if (hits.length + bad.length > 1) throw new LifeboatError(`snapshot prefix "${ref}" is ambiguous; give more characters`);
  if (bad[0]) throw new LifeboatError(`snapshot ${ref} is damaged: ${bad[0].message}`, { cause: bad[0] });
  throw new LifeboatError(`no snapshot with id ${ref}`, { hint: "run `lifeboat snapshots` to list them" });
}

export async function saveSnapshot(repo: Repository, sn: Snapshot, signal?: AbortSignal): Promise<string> {
  const { id: _omit, ...doc } = sn;
  return repo.saveObject("snapshot", doc, signal);
}
