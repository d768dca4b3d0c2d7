/**
 * @module test/reliability/fuzz-keys.test
 * Issue 9, fuzzing, continued: what opening a repository and its signed records parse.
 * Signed records (drift approvals)
 * are mutated as stored bytes and as JSON, half of them signed again with the right record
 * key so the chain logic behind the signature sees wrong types too; loadChain must return
 * well-formed records or report tampering. Key files (plain JSON anyone with write access
 * can add) are mutated in shape and in their scrypt parameters: parseKeyFile and
 * unwrapSecret answer or refuse, a bad key file never stops the good one from opening the
 * repository, and listKeys always lists. The repository's sealed `config` object, mutated as
 * bytes and as JSON, opens (and yields a chunker policy) or is refused with a LifeboatError.
 */
import { after, before, describe, it } from "node:test";
import { parseKeyFile, unwrapSecret } from "../../src/crypto/keyfile.ts";
import { createMemBackend } from "../../src/backends/mem/index.ts";
import { listKeys } from "../../src/repository/keys.ts";
import { openRepository } from "../../src/repository/open.ts";
import { loadChain } from "../../src/repository/records.ts";
import { fuzz, report, type Target } from "./fuzz-kit.ts";
import { jsonText, mutateBytes, mutateJson, mutateValue, type Rand } from "./fuzz-mutate.ts";
import { badKeyFile, badRecord } from "./fuzz-shapes.ts";
import { createWorld, emptyRepo, PASSWORD, RECORD_KIND, RECORD_SUBJECT, resign, sealPayload, sha256, type World } from "./fuzz-world.ts";
import { LONG, pick, trials } from "./record.ts";

/** The long run (npm run reliability) takes as long as its trial counts need. */
const LONG_TIMEOUT = 6 * 3_600_000;

const N = trials(400, 15_000);

interface Input { bytes: Buffer; how: string }

function recordInput(w: World, r: Rand): Input {
  const docs = w.docs.get("record")!;
  const stored = [...w.stored.get("record")!.values()];
  const i = pick(r, stored.length);
  if (r() < 0.3) {
    const m = mutateBytes(r, stored[i]!, stored);
    return { bytes: m.value, how: `sealed:${m.how}` };
  }
  let text: string;
  let how: string;
  if (r() < 0.5) {
    const m = mutateValue(r, docs[i]);
    let signed = m.value;
    try { if (m.value !== null && typeof m.value === "object" && !Array.isArray(m.value)) signed = resign(w, m.value as Record<string, unknown>); } catch { /* too deep to sign: stays unsigned */ }
    [text, how] = [jsonText(r, signed), `signed:${m.how}`];
  } else ({ value: text, how } = mutateJson(r, docs[i]));
  const s = sealPayload(w, r, "record", text);
  return { bytes: s.bytes, how: `json(${s.how}):${how}` };
}

function recordTarget(w: World): Target<Input> {
  const seen = { trusted: 0, tampered: 0, other: 0 };
  return {
    notes: () => [`the mutated record was trusted ${seen.trusted} times (a valid signature), reported as tampering ${seen.tampered} times, of another chain ${seen.other} times`],
    suite: "fuzz-record", what: "mutated signed records (sealed bytes; JSON, half re-signed with the record key) beside a valid chain, through loadChain: well-formed records or tampering reported",
    make: (r) => recordInput(w, r),
    label: (i) => i.how,
    async run(i) {
      const repo = await emptyRepo(w);
      for (const [name, bytes] of w.stored.get("record")!) await repo.backend.save({ type: "record", name }, bytes);
      const id = sha256(i.bytes);
      await repo.backend.save({ type: "record", name: id }, i.bytes);
      const chain = await loadChain(repo, RECORD_KIND, RECORD_SUBJECT);
      if (chain.records.some((r) => r.id === id)) seen.trusted++;
      else if (chain.tampered.some((t) => t.id === id)) seen.tampered++;
      else seen.other++;
      return chain;
    },
    check(v) {
      const chain = v as Awaited<ReturnType<typeof loadChain>>;
      for (const { record } of chain.records) {
        const bad = badRecord(record) ?? (record.kind === RECORD_KIND && record.subject === RECORD_SUBJECT ? null : "kind or subject");
        if (bad) return `record ${bad}`;
      }
      return chain.tampered.every((t) => typeof t.problem === "string") ? null : "a tampering report without a problem";
    },
  };
}

/** A scrypt cost a key file might claim: cheap, absurd, or not a power of two. */
const COSTS = [0, 1, 2, 3, 4, 8, 16, 32, 1000, 2 ** 10, 2 ** 15, 2 ** 16, 2 ** 20, 2 ** 22, 2 ** 30, 2 ** 40, 2 ** 53, -8, 0.5];

function keyInput(w: World, r: Rand): Input {
  const [good] = [...w.stored.get("key")!.values()];
  const doc = JSON.parse(good!.toString()) as Record<string, unknown>;
  if (r() < 0.3) {
    const m = mutateBytes(r, good!);
    return { bytes: m.value, how: `bytes:${m.how}` };
  }
  if (r() < 0.4) {
    // One cost field, or all three at once (scrypt's own rules tie N to r).
    const costs = Object.fromEntries(["N", "r", "p"].filter((_, i, all) => r() < 0.4 || i === pick(r, all.length)).map((f) => [f, COSTS[pick(r, COSTS.length)]!]));
    return { bytes: Buffer.from(JSON.stringify({ ...doc, ...costs })), how: `costs:${JSON.stringify(costs)}` };
  }
  const m = mutateJson(r, doc);
  return { bytes: Buffer.from(m.value), how: `json:${m.how}` };
}

const keySeen = { refused: 0, wrongKey: 0, opened: 0 };

function keyTarget(w: World): Target<Input> {
  return {
    notes: () => [`parseKeyFile refused ${keySeen.refused}; of the parsed, ${keySeen.wrongKey} did not open with the password and ${keySeen.opened} unwrapped the secret`],
    suite: "fuzz-keyfile", what: "mutated key files (bytes, JSON, scrypt costs) through parseKeyFile and unwrapSecret, then openRepository with the good key listed after it, and listKeys",
    make: (r) => keyInput(w, r),
    label: (i) => i.how,
    async run(i) {
      const parsed = await parseAndUnwrap(i.bytes);
      const be = createMemBackend("mem:keys");
      await be.create();
      await be.save({ type: "config", name: "" }, await w.be.load({ type: "config", name: "" }));
      await be.save({ type: "key", name: sha256(i.bytes) }, i.bytes);
      for (const [name, bytes] of w.stored.get("key")!) await be.save({ type: "key", name }, bytes);
      const opened = await openRepository(be, PASSWORD, { cacheDir: null }).catch((err: unknown) => err as Error);
      const keys = opened instanceof Error ? [] : await listKeys(opened);
      return { parsed, opened, keys };
    },
    check(v) {
      const { parsed, opened, keys } = v as { parsed: string | null; opened: unknown; keys: Awaited<ReturnType<typeof listKeys>> };
      if (parsed) return parsed;
      if (opened instanceof Error) return `the good key no longer opens the repository: ${opened.name}: ${opened.message}`;
      if (!Buffer.from((opened as { secret: Uint8Array }).secret).equals(Buffer.from(w.repo.secret))) return "opened with another secret";
      return keys.every((k) => typeof k.created === "string" && typeof k.host === "string" && typeof k.kdf === "string") ? null : "listKeys returned a malformed entry";
    },
    // A key at the cost ceiling takes 4x the default's ~110 ms by design, more on a busy machine.
    timeLimitMs: 5000,
  };
}

/** parseAndUnwrap returns why a parsed key file or its unwrapped secret is invalid, or null; it throws what they throw. */
async function parseAndUnwrap(bytes: Buffer): Promise<string | null> {
  let kf;
  try {
    kf = parseKeyFile(bytes);
  } catch (err) {
    if (err instanceof Error && err.constructor === Error) { keySeen.refused++; return null; } // refused on purpose
    throw err;
  }
  const bad = badKeyFile(kf);
  if (bad) return `parseKeyFile accepted a key file with a bad ${bad}`;
  const secret = await unwrapSecret(kf, PASSWORD);
  if (secret === null) keySeen.wrongKey++;
  else keySeen.opened++;
  return secret === null || secret.length === 64 ? null : "unwrapSecret returned a secret of the wrong size";
}

function configTarget(w: World): Target<Input> {
  const good = async () => Buffer.from(await w.be.load({ type: "config", name: "" }));
  return {
    suite: "fuzz-repo-config", what: "mutated repository config objects (sealed bytes; JSON re-sealed) through openRepository and chunkerPolicy: a usable config or a typed error",
    async make(r) {
      const bytes = await good();
      if (r() < 0.3) {
        const m = mutateBytes(r, bytes);
        return { bytes: m.value, how: `sealed:${m.how}` };
      }
      const m = mutateJson(r, w.repo.config);
      const s = sealPayload(w, r, "config", m.value);
      return { bytes: s.bytes, how: `json(${s.how}):${m.how}` };
    },
    label: (i) => i.how,
    async run(i) {
      const be = createMemBackend("mem:config");
      await be.create();
      for (const [name, bytes] of w.stored.get("key")!) await be.save({ type: "key", name }, bytes);
      await be.save({ type: "config", name: "" }, i.bytes);
      const repo = await openRepository(be, PASSWORD, { cacheDir: null });
      repo.chunkerPolicy();
      return repo.config;
    },
    check: (v) => {
      const c = v as { id?: unknown; version?: unknown; packSize?: unknown };
      return typeof c.id === "string" && c.version === 1 && typeof c.packSize === "number" ? null : "config fields";
    },
  };
}

describe("fuzzing signed records, key files and the repository config", { timeout: LONG ? LONG_TIMEOUT : 600_000 }, () => {
  let w: World;
  before(async () => { w = await createWorld(); });
  after(() => w?.cleanup());

  for (const make of [recordTarget, keyTarget, configTarget]) {
    it(`${make.name.replace("Target", "")}: ${N} inputs, each a valid value or a typed error`, async () => {
      const t = make(w);
      await report(t, N, await fuzz(t, N));
    });
  }
});
