/**
 * @module bench/remote
 * One benchmark run of lifeboat's remote backends (SFTP, S3) against restic on the same
 * generated tree (bench/generate.ts) and the same servers on this machine: a private sshd
 * (src/testing/sshd.ts) and s3rver (src/testing/s3server.ts), both on 127.0.0.1.
 * Per backend × tool (lifeboat with 16 MiB packs, lifeboat with 4 MiB packs, restic) it
 * measures: initial backup (wall, peak RSS), a second backup after applySmallChange (wall),
 * a full restore of the latest snapshot to a fresh folder (wall, peak RSS, checked file by
 * file with sha256 against the source), and the repository's size on the server. For
 * lifeboat it also counts backend requests per op (LIFEBOAT_BACKEND_LOG=1) per step.
 * The page cache is dropped before every measured command when allowed (root).
 * lifeboat runs with LIFEBOAT_INSECURE_TEST_KDF=1 (fast key derivation; bench only).
 *
 *   node_modules/.bin/node bench/remote.ts [--scale 0.3] [--seed 1] [--no-build] [--keep]
 *
 * Writes bench/out/remote-<stamp>.json (raw numbers) and logs in bench/out/remote-logs-<stamp>/,
 * and prints the markdown tables (bench/remote/report.ts). bench/remote/RESULTS.md is by hand.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { applySmallChange, generateTree } from "./generate.ts";
import { canDropCaches, dropCaches, duBytes, sh, timeCommand } from "./proc.ts";
import { printReport, type Backend, type Combo, type RemoteReport, type Step, type Tool } from "./remote/report.ts";
import { hashTree, type HashedEntry } from "../src/testing/tree.ts";
import { startSshd, type SshdEnv } from "../src/testing/sshd.ts";
import { startS3Server, type S3Env } from "../src/testing/s3server.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const NODE = join(ROOT, "node_modules/.bin/node");
const LIFEBOAT = join(ROOT, "dist/cli/main.js");
const TOOLS: Tool[] = ["lifeboat-16MiB", "lifeboat-4MiB", "restic"];
const BACKENDS: Backend[] = ["sftp", "s3"];
/**
 * restic 0.14 (minio-go) signs uploads over plain http with streaming SigV4 (aws-chunked
 * bodies); s3rver 3.7 stores those bodies as sent, chunk-signature framing included, so the
 * repository restic writes there cannot be read back ("Unmarshal: invalid character 'b' after
 * top-level value" on the next command). restic is therefore measured on sftp only.
 */
const SKIPPED: Record<string, string> = {
  "s3/restic": "restic 0.14 uploads aws-chunked (streaming SigV4) bodies over http; s3rver stores them with the chunk framing, so restic cannot read its own repository back",
};

/** countRequests reads LIFEBOAT_BACKEND_LOG lines (`backend: <op> <type> … <ms> ms`) into op → count. */
function countRequests(stderr: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of stderr.matchAll(/^backend: (\w+) (\w+)/gm)) {
    out[m[1]!] = (out[m[1]!] ?? 0) + 1;
    out[`${m[1]} ${m[2]}`] = (out[`${m[1]} ${m[2]}`] ?? 0) + 1;
  }
  return out;
}

/** diffTrees counts restored entries that differ from the source in type, content, size or link. */
function diffTrees(want: Map<string, HashedEntry>, got: Map<string, HashedEntry>): { entries: number; missing: number; extra: number; mismatch: number } {
  let missing = 0, mismatch = 0;
  for (const [p, a] of want) {
    const b = got.get(p);
    if (!b) missing++;
    else if (a.type !== b.type || a.sha256 !== b.sha256 || a.size !== b.size || a.link !== b.link) mismatch++;
  }
  return { entries: want.size, missing, extra: [...got.keys()].filter((p) => !want.has(p)).length, mismatch };
}

/** s3Bytes sums the object sizes under bucket/prefix through the S3 API (the bytes S3 would bill). */
async function s3Bytes(s3: S3Env, bucket: string): Promise<{ bytes: number; objects: number }> {
  const { S3Client, ListObjectsV2Command } = await import("@aws-sdk/client-s3");
  const c = new S3Client({ endpoint: s3.endpoint, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
  let bytes = 0, objects = 0, token: string | undefined;
  try {
    do {
      const r = await c.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
      for (const o of r.Contents ?? []) { bytes += o.Size ?? 0; objects++; }
      token = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (token);
  } finally { c.destroy(); }
  return { bytes, objects };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { scale: { type: "string", default: "0.3" }, seed: { type: "string", default: "1" }, "no-build": { type: "boolean", default: false }, keep: { type: "boolean", default: false } } });
  const scale = Number(values.scale), seed = Number(values.seed);
  if (spawnSync("restic", ["version"]).status !== 0) throw new Error("restic is missing: apt-get install -y restic");
  if (!values["no-build"]) { process.stderr.write("building lifeboat (npm run build)\n"); sh("npm", ["run", "build", "--silent"], { cwd: ROOT }); }
  const date = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const stamp = date.replace(/[:.]/g, "");
  const outDir = join(ROOT, "bench/out");
  const logDir = join(outDir, `remote-logs-${stamp}`);
  mkdirSync(logDir, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), "lifeboat-remote-bench-"));
  const drop = canDropCaches();
  let sshd: SshdEnv | undefined, s3: S3Env | undefined;
  try {
    const src = join(work, "src"), pw = join(work, "password");
    writeFileSync(pw, "correct horse battery staple\n", { mode: 0o600 });
    process.stderr.write(`generating scale ${scale} tree in ${src}\n`);
    const tree = generateTree(src, { seed, scale });
    process.stderr.write(`  ${tree.files} files, ${(tree.bytes / 1e6).toFixed(1)} MB in ${tree.seconds.toFixed(1)} s\n`);
    sshd = await startSshd();
    s3 = await startS3Server();
    const ssh = sshd, s3e = s3;
    const bucket = (t: Tool) => t.replace(/[^a-z0-9]/gi, "").toLowerCase(); // lifeboat16mib, lifeboat4mib, restic
    for (const t of TOOLS) if (!SKIPPED[`s3/${t}`]) await s3e.createBucket(bucket(t));

    // Clean environments: nothing inherited from LIFEBOAT_*, RESTIC_*, AWS_*.
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(LIFEBOAT_|RESTIC_|AWS_)/.test(k) && k !== "XDG_CACHE_HOME"));
    const s3Creds = { AWS_ACCESS_KEY_ID: s3e.accessKeyId, AWS_SECRET_ACCESS_KEY: s3e.secretAccessKey, AWS_REGION: "us-east-1", AWS_DEFAULT_REGION: "us-east-1" };
    const sftpCommand = `ssh -i ${ssh.identityFile} -p ${ssh.port} -o UserKnownHostsFile=${ssh.knownHostsFile} -o StrictHostKeyChecking=yes -o BatchMode=yes ${ssh.user}@127.0.0.1 -s sftp`;
    const combos: Combo[] = [];
    const live: { c: Combo; run: (step: Step | "init", args: string[], measured?: boolean) => void; restoreDir: string }[] = [];
    for (const backend of BACKENDS) for (const tool of TOOLS) {
      if (SKIPPED[`${backend}/${tool}`]) continue;
      const dir = join(work, `${backend}-${tool}`);
      mkdirSync(dir, { recursive: true });
      const c: Combo = { backend, tool, steps: {}, requests: {} };
      const location = backend === "sftp" ? (tool.startsWith("lifeboat") ? ssh.location(join(ssh.dir, tool)) : `sftp:${ssh.user}@127.0.0.1:${join(ssh.dir, tool)}`)
        : s3e.location(bucket(tool), "repo");
      const env = { ...base, ...(backend === "s3" ? s3Creds : {}) };
      const opts = backend === "sftp" ? ssh.options : s3e.options;
      const lbArgs = Object.entries(opts).flatMap(([k, v]) => ["-o", `${k}=${v}`]);
      const cmd = (args: string[]): [string, string[], NodeJS.ProcessEnv] => tool === "restic"
        ? ["restic", ["-r", location, "--password-file", pw, "--cache-dir", join(dir, "cache"), ...(backend === "sftp" ? ["-o", `sftp.command=${sftpCommand}`] : []), ...args], env]
        : [NODE, [LIFEBOAT, ...lbArgs, "--repo", location, ...args],
          { ...env, LIFEBOAT_PASSWORD_FILE: pw, LIFEBOAT_INSECURE_TEST_KDF: "1", LIFEBOAT_BACKEND_LOG: "1", XDG_CACHE_HOME: join(dir, "cache") }];
      combos.push(c);
      live.push({ c, restoreDir: join(dir, "restore"), run: (step, args, measured = true) => {
        const [bin, a, e] = cmd(args);
        if (drop && measured) dropCaches();
        const label = `${backend}-${tool}-${step}`;
        const { m } = timeCommand(label, bin, a, e, logDir);
        if (measured) c.steps[step as Step] = m;
        if (tool !== "restic") c.requests[step] = countRequests(readFileSync(join(logDir, `${label}.stderr`), "utf8"));
        process.stderr.write(`  ${label.padEnd(34)} ${m.wallS.toFixed(2).padStart(7)} s ${(m.maxRssKB / 1024).toFixed(0).padStart(5)} MiB RSS\n`);
      } });
    }
    const each = (name: string, f: (l: (typeof live)[number]) => void) => { process.stderr.write(`${name}\n`); for (const l of live) f(l); };
    each("init", (l) => l.run("init", l.c.tool === "lifeboat-4MiB" ? ["init", "--pack-size", "4MiB"] : ["init"], false));
    each("initial backup", (l) => l.run("backupInitial", ["backup", src]));
    const change = applySmallChange(src, seed);
    each("second backup (after a small change)", (l) => l.run("backupChange", ["backup", src]));
    each("full restore", (l) => l.run("restore", ["restore", "latest", "--target", l.restoreDir]));

    process.stderr.write("checking restores against the source; measuring repositories\n");
    const want = await hashTree(src);
    for (const { c, restoreDir } of live) {
      c.restoreCheck = diffTrees(want, await hashTree(join(restoreDir, src)));
      rmSync(restoreDir, { recursive: true, force: true });
      if (c.backend === "sftp") c.repoBytes = duBytes(join(ssh.dir, c.tool));
      else { const r = await s3Bytes(s3e, bucket(c.tool)); c.repoBytes = r.bytes; c.repoObjects = r.objects; }
      if (c.backend === "sftp") c.repoObjects = Number(sh("sh", ["-c", `find '${join(ssh.dir, c.tool)}' -type f | wc -l`]).trim());
    }
    const rep: RemoteReport = {
      date, args: { scale, seed, dropCaches: drop }, skipped: SKIPPED,
      machine: { cpus: `${cpus().length} × ${cpus()[0]?.model ?? "?"}`, memGiB: (totalmem() / 2 ** 30).toFixed(1), node: process.version, restic: sh("restic", ["version"]).trim(), lifeboat: sh(NODE, [LIFEBOAT, "--version"]).trim() },
      tree, change: { modified: change.modified.length, added: change.added.length, bytesWritten: change.bytesWritten }, combos,
    };
    writeFileSync(join(outDir, `remote-${stamp}.json`), JSON.stringify(rep, null, 2) + "\n");
    printReport(rep);
    console.log(`\nraw: bench/out/remote-${stamp}.json; logs: bench/out/remote-logs-${stamp}/`);
    if (combos.some((c) => c.restoreCheck!.missing + c.restoreCheck!.mismatch > 0)) {
      console.error("RESTORE MISMATCH: the timings above are not valid");
      process.exitCode = 1;
    }
  } finally {
    await sshd?.stop().catch((e: unknown) => console.error("sshd stop:", e));
    await s3?.stop().catch((e: unknown) => console.error("s3rver stop:", e));
    if (values.keep) console.error(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

await main();
