/**
 * @module test/reliability/fuzz-archive.test
 * Issue 9, fuzzing export archives. The seeds are real: a NanoClaw agent exported by the CLI
 * as tar.gz with age-encrypted secrets and as tar.zst with plain ones, and an OpenClaw
 * `backup create`-style archive. Each input mutates one at one layer: the compressed bytes,
 * the raw tar stream (bytes, or one header field with its checksum made right), or whole
 * entries and manifest.json, packed and compressed again. scanArchive (the pass that writes
 * nothing) must plan it or refuse it with a LifeboatError; inputs it accepts are imported for
 * real (up to a cap in CI), and whatever lands must stay inside the target.
 */
import { lstat, mkdir, readFile, readdir, readlink, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { generateIdentity, identityToRecipient } from "age-encryption";
import { LifeboatError } from "../../src/errors/index.ts";
import { importArchive } from "../../src/import/import.ts";
import { DEFAULT_LIMITS } from "../../src/import/reader.ts";
import { scanArchive } from "../../src/import/scan.ts";
import { writeOpenclawBackup } from "../../src/import/testkit.ts";
import { nanoclawV1 } from "../../src/testing/fixtures/index.ts";
import { createAgentWorld, type AgentWorld } from "../e2e/agent-helpers.ts";
import { fuzz, report, type Target } from "./fuzz-kit.ts";
import { mutateBytes, randomBytes } from "./fuzz-mutate.ts";
import { deflate, inflate, mutateEntries, mutateHeader, packEntries, readEntries, type Entry } from "./fuzz-tar.ts";
import { LONG, pick, trials } from "./record.ts";

/** The long run (npm run reliability) takes as long as its trial counts need. */
const LONG_TIMEOUT = 6 * 3_600_000;

const N = trials(300, 10_000);
/** Full imports per run: each is a staged, verified agent restore (~0.3 s). */
const IMPORT_CAP = LONG ? 1000 : 25;

interface Seed { name: string; archive: Buffer; tar: Buffer; entries: Entry[] }
interface Input { bytes: Buffer; how: string; trial: number }

/** exportSeeds backs up a NanoClaw agent with the CLI and exports it twice; plus an OpenClaw archive. */
async function exportSeeds(w: AgentWorld, recipient: string): Promise<Seed[]> {
  const root = join(w.home, "nanoclaw");
  await nanoclawV1(root, { home: w.home, messages: 60 });
  await w.writeConfig([{ name: "andy", preset: "nanoclaw", root }]);
  await w.ok(["backup"]);
  const paths: string[] = [];
  for (const args of [["--encrypt-secrets", `age:${recipient}`], ["--format", "tar.zst", "--plain-secrets"]]) {
    const res = await w.ok(["--json", "export", "--agent", "andy", "--output", join(w.dir, `out${paths.length}`), ...args]);
    paths.push((JSON.parse(res.stdout.trim().split("\n").at(-1)!) as { archive: string }).archive);
  }
  const oc = join(w.dir, "openclaw-backup.tar.gz");
  await writeOpenclawBackup(oc, "/home/oc/.openclaw", { "openclaw.json": "{}", "workspace/SOUL.md": "# soul\n", "credentials/token": "secret\n" });
  paths.push(oc);
  return Promise.all(paths.map(async (p) => {
    const archive = await readFile(p);
    const tar = inflate(archive);
    return { name: p.slice(p.lastIndexOf("/") + 1), archive, tar, entries: await readEntries(tar) };
  }));
}

async function makeInput(seeds: Seed[], r: () => number, trial: number): Promise<Input> {
  const s = seeds[pick(r, seeds.length)]!;
  const c = (["gzip", "zstd", "none"] as const)[pick(r, 3)]!;
  const roll = r();
  if (roll < 0.05) return { bytes: randomBytes(r, pick(r, 8192)), how: "random", trial };
  if (roll < 0.3) {
    const m = mutateBytes(r, s.archive, seeds.map((x) => x.archive));
    return { bytes: m.value, how: `${s.name}:compressed:${m.how}`, trial };
  }
  if (roll < 0.65) {
    const m = r() < 0.6 ? mutateHeader(r, s.tar) : mutateBytes(r, s.tar);
    return { bytes: deflate(m.value, c), how: `${s.name}:tar(${c}):${m.how}`, trial };
  }
  const m = mutateEntries(r, s.entries);
  // tar-stream refuses to write some lies (a name too long for any header): those stay with the tar layer.
  const packed = await packEntries(m.value).catch(() => null);
  if (!packed) return { bytes: deflate(mutateHeader(r, s.tar).value, c), how: `${s.name}:tar(${c}):unpackable ${m.how}`, trial };
  return { bytes: deflate(packed, c), how: `${s.name}:entries(${c}):${m.how}`, trial };
}

/** escapes lists what an import left outside the target, or links inside it that point out. */
async function escapes(trialDir: string, target: string): Promise<string[]> {
  const out = (await readdir(trialDir)).filter((n) => n !== "target" && !n.startsWith("archive")).map((n) => `outside: ${n}`);
  const walk = async (dir: string): Promise<void> => {
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const p = join(dir, name);
      const st = await lstat(p);
      if (st.isSymbolicLink() && !resolve(dirname(p), await readlink(p)).startsWith(target + "/")) out.push(`link out: ${p.slice(target.length)}`);
      else if (st.isDirectory()) await walk(p);
    }
  };
  await walk(target);
  return out;
}

/** Counts kept by the archive target, for the result's details. */
const counts = { imported: 0, importRefused: 0 };

function archiveTarget(seeds: Seed[], scratch: string, identityFile: string): Target<Input> {
  return {
    suite: "fuzz-archive", what: "mutated export archives (compressed bytes, tar bytes, tar header fields, entries, manifest.json) through scanArchive, and importArchive when it accepts: a plan or a LifeboatError, nothing outside the target",
    make: (r, trial) => makeInput(seeds, r, trial),
    label: (i) => i.how,
    async run(i) {
      const dir = join(scratch, `t${i.trial}`);
      await mkdir(dir, { recursive: true });
      const archive = join(dir, "archive.tar");
      try {
        await writeFile(archive, i.bytes);
        const scan = await scanArchive(archive, { limits: DEFAULT_LIMITS, agent: "oc" });
        const bad = scan.plan.items.find((it) => it.prefix.split("/").includes("..") || it.prefix.startsWith("/"));
        if (bad) return `a plan item outside the archive: ${bad.prefix}`;
        if (counts.imported + counts.importRefused >= IMPORT_CAP) return null;
        const target = join(dir, "target");
        await importArchive({ archive, target, keys: { identityFile }, requireSha256: false, agent: "oc" }).then(
          () => { counts.imported++; },
          (err: unknown) => { if (!(err instanceof LifeboatError)) throw err; counts.importRefused++; });
        const out = await escapes(dir, target);
        return out.length > 0 ? out.join(", ") : null;
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    check: (v) => v as string | null,
    accept: (err) => err instanceof LifeboatError,
    timeLimitMs: 10_000,
  };
}

describe("fuzzing export archives through import", { timeout: LONG ? LONG_TIMEOUT : 900_000 }, () => {
  let w: AgentWorld;
  let seeds: Seed[];
  let identityFile: string;

  before(async () => {
    w = await createAgentWorld();
    const identity = await generateIdentity();
    identityFile = join(w.dir, "key.txt");
    await writeFile(identityFile, identity + "\n", { mode: 0o600 });
    seeds = await exportSeeds(w, await identityToRecipient(identity));
  });
  after(() => w?.cleanup());

  it(`archives: ${N} inputs, each planned or refused with a LifeboatError`, async () => {
    const t = archiveTarget(seeds, join(w.dir, "trials"), identityFile);
    const out = await fuzz(t, N);
    await report(t, N, out, [
      `seeds: ${seeds.map((s) => `${s.name} (${s.entries.length} entries)`).join(", ")}`,
      `of the inputs scanArchive accepted, ${counts.imported} imported and ${counts.importRefused} refused during import (cap ${IMPORT_CAP})`,
    ]);
  });
});
