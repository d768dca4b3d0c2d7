/**
 * @module repository/records
 * Signed records: small documents that belong to no snapshot (drift approvals, drill
 * results). Each is sealed like every object and named by the hash of its bytes, and also
 * carries an HMAC under the record purpose key over its canonical JSON. Records of one
 * kind and subject form a chain (seq, prev), so a record removed from the middle, edited,
 * or copied from another subject is reported as tampering, never silently used.
 */
import { timingSafeEqual } from "node:crypto";
import { recordKey, recordMac } from "../crypto/keys.ts";
import { IntegrityError } from "../errors/index.ts";
import type { Repository } from "./repository.ts";

/** SignedRecord is the stored document; `body` is the kind's own payload. */
export interface SignedRecord<T> {
  version: 1;
  kind: string;
  /** What the record is about (an agent name). */
  subject: string;
  /** 1 for the first record of (kind, subject), then +1. */
  seq: number;
  /** The id of the previous record of (kind, subject), or null for the first and for a restart. */
  prev: string | null;
  /** A restart disowns every earlier record of (kind, subject): how a person recovers a chain that was tampered with. */
  restart?: true;
  time: string;
  body: T;
  hmac: string;
}

export interface LoadedRecord<T> {
  id: string;
  record: SignedRecord<T>;
}

/** RecordProblem is a record that is there but cannot be trusted, with why. */
export interface RecordProblem {
  id: string;
  problem: string;
  /** The chain number involved, when known: a restart must number itself past it. */
  seq?: number;
}

export interface RecordChain<T> {
  /** Trusted records of (kind, subject), oldest first. */
  records: LoadedRecord<T>[];
  /** Damaged, forged or missing links; any entry means the chain was tampered with. */
  tampered: RecordProblem[];
}

/** The repository slice records need. */
export interface RecordRepo {
  readonly secret: Uint8Array;
  loadObject<T>(type: "record", name: string, signal?: AbortSignal): Promise<T>;
  saveObject(type: "record", value: unknown, signal?: AbortSignal): Promise<string>;
  listNames(type: "record", signal?: AbortSignal): Promise<string[]>;
}

/** canonical is the signed text: every field but the HMAC, in a fixed order. */
function canonical(r: Omit<SignedRecord<unknown>, "hmac">): string {
  return JSON.stringify([r.version, r.kind, r.subject, r.seq, r.prev, r.restart === true, r.time, sortKeys(r.body)]);
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v === null || typeof v !== "object") return v;
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
}

/**
 * macMatches is also false for a record the chain logic could not sort and link (wrong field
 * types) and for a body too deeply nested to canonicalise (appendRecord could not have
 * signed it): either crashed loadChains before (found by test/reliability/fuzz-keys.test.ts).
 */
function macMatches(key: Uint8Array, r: SignedRecord<unknown>): boolean {
  const typed = r.version === 1 && Number.isSafeInteger(r.seq) && r.seq >= 1 && (r.prev === null || typeof r.prev === "string")
    && typeof r.time === "string" && (r.restart === undefined || r.restart === true) && typeof r.hmac === "string";
  if (!typed) return false;
  let want: Buffer;
  try {
    want = Buffer.from(recordMac(key, canonical(r)), "hex");
  } catch {
    return false;
  }
  const got = Buffer.from(r.hmac, "hex");
  return got.length === want.length && timingSafeEqual(got, want);
}

/** loadChain reads every record of `kind` about `subject`, verifying each and the links between them. */
export async function loadChain<T>(repo: RecordRepo, kind: string, subject: string, signal?: AbortSignal): Promise<RecordChain<T>> {
  const all = await loadChains<T>(repo, kind, signal, subject);
  return all.chains.get(subject) ?? { records: [], tampered: all.damaged };
}

/**
 * loadChains reads every record of `kind` once and returns one chain per subject (status
 * shows every agent's last drill from one pass). Records that do not decrypt belong to no
 * known chain: they are returned as `damaged` and in every chain's `tampered`.
 */
export async function loadChains<T>(repo: RecordRepo, kind: string, signal?: AbortSignal, only?: string): Promise<{ chains: Map<string, RecordChain<T>>; damaged: RecordProblem[] }> {
  const key = recordKey(repo.secret);
  const bySubject = new Map<string, LoadedRecord<T>[]>();
  const forged = new Map<string, RecordProblem[]>();
  const damaged: RecordProblem[] = [];
  for (const id of await repo.listNames("record", signal)) {
    let record: SignedRecord<T>;
    try {
      record = await repo.loadObject<SignedRecord<T>>("record", id, signal);
    } catch (err) {
      // Which kind a damaged record was cannot be known: every reader must hear of it.
      if (err instanceof IntegrityError) { damaged.push({ id, problem: err.message }); continue; }
      throw new Error(`load record ${id}`, { cause: err });
    }
    if (record?.kind !== kind || typeof record.subject !== "string" || (only !== undefined && record.subject !== only)) continue;
    if (!macMatches(key, record)) {
      forged.set(record.subject, [...(forged.get(record.subject) ?? []), { id, problem: `record ${id.slice(0, 8)} has a signature that does not match its content` }]);
      continue;
    }
    bySubject.set(record.subject, [...(bySubject.get(record.subject) ?? []), { id, record }]);
  }
  const chains = new Map<string, RecordChain<T>>();
  for (const subject of new Set([...bySubject.keys(), ...forged.keys()])) {
    const mine = bySubject.get(subject) ?? [];
    mine.sort((a, b) => a.record.seq - b.record.seq || a.record.time.localeCompare(b.record.time));
    const from = mine.findLastIndex((r) => r.record.restart === true);
    const live = from < 0 ? mine : mine.slice(from);
    chains.set(subject, { records: live, tampered: [...damaged, ...(forged.get(subject) ?? []), ...brokenLinks(live)] });
  }
  return { chains, damaged };
}

/** brokenLinks finds records whose predecessor is missing: a deletion from the chain. */
function brokenLinks<T>(chain: LoadedRecord<T>[]): RecordProblem[] {
  const ids = new Set(chain.map((r) => r.id));
  const out: RecordProblem[] = [];
  for (const { id, record } of chain) {
    const first = record.seq === 1 || record.restart === true;
    if (first ? record.prev !== null : record.prev === null || !ids.has(record.prev)) {
      out.push({ id, seq: record.seq, problem: `record ${id.slice(0, 8)} (number ${record.seq}) follows a record that is missing from the repository` });
    }
  }
  return out;
}

/**
 * appendRecord signs and stores the next record of (kind, subject) after `after` (the newest
 * trusted one, or null). With `restart`, the record starts the chain afresh after the
 * highest number `after` had, so records left from before are ignored from now on.
 */
export async function appendRecord<T>(repo: RecordRepo, kind: string, subject: string, body: T, after: LoadedRecord<T> | null, signal?: AbortSignal, opts: { restart?: boolean; seq?: number } = {}): Promise<LoadedRecord<T>> {
  const seq = Math.max(opts.seq ?? 0, after?.record.seq ?? 0) + 1;
  const unsigned = {
    version: 1 as const, kind, subject, seq, prev: opts.restart ? null : after?.id ?? null, time: new Date().toISOString(), body,
    ...(opts.restart ? { restart: true as const } : {}),
  };
  const record: SignedRecord<T> = { ...unsigned, hmac: recordMac(recordKey(repo.secret), canonical(unsigned)) };
  const id = await repo.saveObject("record", record, signal);
  return { id, record };
}
