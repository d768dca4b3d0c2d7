/**
 * @module test/reliability/fuzz.test
 * Issue 9, fuzzing: the repository's readers of untrusted bytes get random and mutated
 * inputs, both at the sealed layer (bytes as stored) and, sealed again with the right key,
 * at the layer behind it (the header entries, the JSON and its schema). Each answers with a
 * valid value or a typed error, in bounded time and memory. Pack headers go through
 * readPackHeader (and decodeHeader), index objects through Repository.loadIndex, snapshots
 * through loadSnapshots and the snapshot filters, trees and content lists through
 * Repository.loadTree. Records and key files: fuzz-keys.test.ts; archives, lifeboat.yaml:
 * fuzz-archive.test.ts, fuzz-config.test.ts.
 */
import { after, before, describe, it } from "node:test";
import { open, seal } from "../../src/crypto/aead.ts";
import { IntegrityError, LifeboatError } from "../../src/errors/index.ts";
import { decodeHeader } from "../../src/repository/pack/format.ts";
import { readPackHeader } from "../../src/repository/recover.ts";
import { findSnapshot, loadSnapshots, matchesFilter } from "../../src/repository/snapshots.ts";
import { deliberate, fuzz, report, type Target } from "./fuzz-kit.ts";
import { mutateBytes, mutateJson, type Rand } from "./fuzz-mutate.ts";
import { badPackEntries, badSnapshot, badTree, badIndexEntry } from "./fuzz-shapes.ts";
import { createWorld, emptyRepo, putBlob, sealPayload, sha256, type World } from "./fuzz-world.ts";
import { LONG, pick, trials } from "./record.ts";

/** The long run (npm run reliability) takes as long as its trial counts need. */
const LONG_TIMEOUT = 6 * 3_600_000;

const N = trials(500, 15_000);
const HEADER_AAD = Buffer.from("lifeboat pack header");

interface Input { bytes: Buffer; name: string; how: string }

/** mutateEntries changes one field of one 42-byte header entry to a value a parser might trust. */
function mutateEntries(r: Rand, plain: Buffer): { value: Buffer; how: string } {
  if (plain.length < 42 || r() < 0.5) return mutateBytes(r, plain);
  const out = Buffer.from(plain);
  const at = 42 * pick(r, out.length / 42);
  const field = pick(r, 4);
  if (field < 2) out[at + field] = 2 + pick(r, 254);
  else out.writeUInt32LE([0, 0xffffffff, 0x7fffffff, 1 + pick(r, 1 << 20)][pick(r, 4)]!, at + (field === 2 ? 2 : 6));
  return { value: out, how: `entry(${at / 42}).${["type", "flags", "length", "rawLength"][field]}` };
}

function packTarget(w: World): Target<Input> {
  const packs = [...w.stored.get("pack")!.values()];
  return {
    suite: "fuzz-pack-header", what: "mutated packs (whole, header+trailer, re-sealed header entries) through readPackHeader and decodeHeader: entries or IntegrityError",
    make(r) {
      const pack = packs[pick(r, packs.length)]!;
      const len = pack.readUInt32LE(pack.length - 4);
      const body = pack.subarray(0, pack.length - 4 - len);
      const mode = pick(r, 3);
      let bytes: Buffer;
      let how: string;
      if (mode === 0) ({ value: bytes, how } = mutateBytes(r, pack, packs));
      else if (mode === 1) {
        const m = mutateBytes(r, pack.subarray(body.length), packs);
        [bytes, how] = [Buffer.concat([body, m.value]), `tail:${m.how}`];
      } else {
        const m = mutateEntries(r, open(w.repo.key.data, pack.subarray(body.length, pack.length - 4), HEADER_AAD));
        const sealed = seal(w.repo.key.data, m.value, HEADER_AAD);
        const trailer = Buffer.alloc(4);
        trailer.writeUInt32LE(r() < 0.85 ? sealed.length : [0, 0xffffffff, sealed.length + 1, 0x7fffffff][pick(r, 4)]!);
        [bytes, how] = [Buffer.concat([body, sealed, trailer]), `plain:${m.how}`];
      }
      return { bytes, name: sha256(bytes), how };
    },
    label: (i) => i.how,
    async run(i) {
      if (i.how.startsWith("plain:") && i.bytes.length >= 4) {
        try {
          const len = i.bytes.readUInt32LE(i.bytes.length - 4);
          const direct = decodeHeader(w.repo.key.data, i.bytes.subarray(Math.max(0, i.bytes.length - 4 - len), i.bytes.length - 4));
          const bad = badPackEntries(direct);
          if (bad) throw new TypeError(`decodeHeader returned an invalid entry: ${bad}`);
        } catch (err) {
          if (!deliberate(err)) throw err;
        }
      }
      const repo = await emptyRepo(w);
      await repo.backend.save({ type: "pack", name: i.name }, i.bytes);
      return await readPackHeader(repo, i.name, i.bytes.length);
    },
    check: (v) => badPackEntries(v),
    accept: (err) => err instanceof IntegrityError,
  };
}

/** objectInput mutates a stored object: its bytes (named by their hash, or now and then by the old name), or its JSON re-sealed. */
function objectInput(w: World, r: Rand, type: "index" | "snapshot" | "record"): Input {
  const stored = [...w.stored.get(type)!];
  const i = pick(r, stored.length);
  const [name, bytes] = stored[i]!;
  if (r() < 0.3) {
    const m = mutateBytes(r, bytes, stored.map(([, b]) => b));
    return { bytes: m.value, name: r() < 0.9 ? sha256(m.value) : name, how: `sealed:${m.how}` };
  }
  const t = mutateJson(r, w.docs.get(type)![i]);
  const s = sealPayload(w, r, type, t.value);
  return { bytes: s.bytes, name: sha256(s.bytes), how: `json(${s.how}):${t.how}` };
}

function indexTarget(w: World): Target<Input> {
  return {
    suite: "fuzz-index", what: "mutated index objects (sealed bytes; JSON re-sealed raw, zstd, bombs) through Repository.loadIndex: valid entries or IntegrityError",
    make: (r) => objectInput(w, r, "index"),
    label: (i) => i.how,
    async run(i) {
      const repo = await emptyRepo(w);
      await repo.backend.save({ type: "index", name: i.name }, i.bytes);
      await repo.loadIndex();
      return repo.index.blobs;
    },
    check(v) {
      for (const [id, e] of v as Map<string, Parameters<typeof badIndexEntry>[1]>) {
        const bad = badIndexEntry(id, e);
        if (bad) return bad;
      }
      return null;
    },
    accept: (err) => err instanceof IntegrityError,
  };
}

function snapshotTarget(w: World): Target<Input> {
  const seen = { listed: 0, damaged: 0 };
  return {
    notes: () => [`loadSnapshots listed ${seen.listed} mutated snapshots as valid and reported ${seen.damaged} as damaged`],
    suite: "fuzz-snapshot", what: "mutated snapshot documents (sealed bytes; JSON re-sealed) through loadSnapshots, findSnapshot and the filters: valid snapshots, damaged ones as IntegrityError",
    make: (r) => objectInput(w, r, "snapshot"),
    label: (i) => i.how,
    async run(i) {
      const repo = await emptyRepo(w);
      await repo.backend.save({ type: "snapshot", name: i.name }, i.bytes);
      const res = await loadSnapshots(repo);
      seen.listed += res.snapshots.length;
      seen.damaged += res.damaged.length;
      for (const sn of res.snapshots) matchesFilter(sn, { host: "h", tags: ["fuzz"], paths: ["/tmp"], agent: "a" });
      await findSnapshot(repo, "latest", { tags: ["fuzz"] }).catch((err: unknown) => { if (!(err instanceof LifeboatError)) throw err; });
      await findSnapshot(repo, i.name.slice(0, 6)).catch((err: unknown) => { if (!(err instanceof LifeboatError)) throw err; });
      return res;
    },
    check(v) {
      const res = v as Awaited<ReturnType<typeof loadSnapshots>>;
      if (!res.damaged.every((d) => d instanceof IntegrityError)) return "a damaged snapshot is not an IntegrityError";
      for (const sn of res.snapshots) {
        const bad = badSnapshot(sn);
        if (bad) return `snapshot ${bad}`;
      }
      return null;
    },
  };
}

function treeTarget(w: World): Target<Input> {
  const listTree = JSON.parse(w.trees.at(-1)!.toString()) as { nodes: { contentLists: string[] }[] };
  return {
    suite: "fuzz-tree", what: "mutated tree blobs and content lists (JSON and bytes), stored under their keyed id, through Repository.loadTree: valid nodes or an error",
    async make(r) {
      const list = r() < 0.2;
      const base = list ? w.contentList.bytes : w.trees[pick(r, w.trees.length)]!;
      const m = r() < 0.7 ? mutateJson(r, JSON.parse(base.toString())) : mutateBytes(r, base);
      const bytes = Buffer.from(m.value);
      if (!list) return { bytes, name: "", how: `tree:${m.how}` };
      listTree.nodes[0]!.contentLists = [await putBlob(w, bytes)];
      return { bytes: Buffer.from(JSON.stringify(listTree) + "\n"), name: "", how: `list:${m.how}` };
    },
    label: (i) => i.how,
    run: async (i) => w.repo.loadTree(await putBlob(w, i.bytes)),
    check: (v) => badTree(v),
  };
}

describe("fuzzing the repository's parsers", { timeout: LONG ? LONG_TIMEOUT : 600_000 }, () => {
  let w: World;
  before(async () => { w = await createWorld(); });
  after(() => w?.cleanup());

  for (const make of [packTarget, indexTarget, snapshotTarget, treeTarget]) {
    it(`${make.name.replace("Target", "")}: ${N} inputs, each a valid value or a typed error`, async () => {
      const t = make(w);
      await report(t, N, await fuzz(t, N));
    });
  }
});
