/**
 * @module bench/compare-restic
 * One benchmark run of lifeboat against restic on the same generated tree (bench/generate.ts):
 * init, initial backup, unchanged re-backup, small-change backup, full restore, repository
 * size and peak RSS. Every command runs under /usr/bin/time (wall, CPU, max RSS), with the
 * page cache dropped before it when that is allowed (root). Both restores are checked
 * byte for byte against the source tree: a benchmark of a wrong restore means nothing.
 *
 *   npm run bench -- --scale 0.1            quick run (~100 MiB)
 *   npm run bench                           scale 1 (~1 GiB), the number in RESULTS.md
 *   options: --scale N  --seed N  --runs N (median of N runs)  --keep  --work DIR  --no-build  --no-drop-caches
 *            --lifeboat PATH (a built cli/main.js to measure instead of this checkout's dist; implies --no-build)
 *            --quiet-wait S (wait up to S seconds for an idle machine before each command; default 300, 0 = never)
 *            --report bench/out/<stamp>.json (only re-render RESULTS.md and the table from a saved run)
 *            --cpu-prof (profile every lifeboat step; the timings are then not comparable)
 *
 * Writes bench/out/<stamp>.json (raw numbers) and replaces the measured block of
 * bench/RESULTS.md (text outside the markers is kept).
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { lstat, open, readdir, readlink } from "node:fs/promises";
import { availableParallelism, cpus, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { applySmallChange, generateTree, GiB, type ChangeStats, type GenerateStats } from "./generate.ts";
import { busyCpuS, canDropCaches, dropCaches, duBytes, sh, sleepMs, timeCommand, tryRead, type Timed } from "./proc.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const NODE = process.execPath;
const TIME = "/usr/bin/time";
const MB = 1e6;

type Tool = "lifeboat" | "restic";
const TOOLS: Tool[] = ["lifeboat", "restic"];

interface Measure extends Timed {
  /** Last JSON line the tool printed with message_type "summary", if any. */
  summary?: unknown;
}

type StepName = "init" | "open" | "backupInitial" | "backupUnchanged" | "backupChange" | "restore";
const STEPS: [StepName, string][] = [
  ["init", "init"], ["open", "open repository (`snapshots`)"], ["backupInitial", "initial backup"],
  ["backupUnchanged", "unchanged re-backup"], ["backupChange", "small-change backup"], ["restore", "full restore"],
];

/** One tool in one run. */
interface ToolRun {
  steps: Partial<Record<StepName, Measure>>;
  repoBytesAfterInitial?: number;
  repoBytes?: number;
  cacheBytes?: number;
  restoreCheck?: TreeDiff;
}

interface Kdf {
  N: number;
  r: number;
  p: number;
  memoryMiB: number;
}

interface TreeDiff {
  entries: number;
  missing: string[];
  extra: string[];
  contentMismatch: string[];
  modeMismatch: string[];
  mtimeMismatch: number;
}

interface Report {
  date: string;
  args: { scale: number; seed: number; runs: number; dropCaches: boolean; cpuProf: boolean; lifeboat: string; quietWaitS: number };
  machine: Record<string, string>;
  kdf: Partial<Record<Tool, Kdf>>;
  tree: GenerateStats;
  change: ChangeStats;
  /** runs[i][tool]: every measurement; the tables show medians. */
  runs: Record<Tool, ToolRun>[];
}

// ---------------------------------------------------------------------------------------






const NPROC = availableParallelism();


/**
 * waitQuiet waits (up to maxS seconds) until the machine has been idle for a second: less
 * than 15% of its CPU busy. Other jobs on a small VM otherwise decide the wall times.
 * Returns the seconds waited, or -1 if it gave up.
 */
function waitQuiet(maxS: number): number {
  if (maxS <= 0) return 0;
  const t0 = performance.now();
  for (;;) {
    const b0 = busyCpuS();
    sleepMs(1000);
    if (busyCpuS() - b0 < 0.15 * NPROC) return Math.round((performance.now() - t0) / 1000) - 1;
    if ((performance.now() - t0) / 1000 > maxS) return -1;
  }
}

/** isClean: the rest of the machine stayed (nearly) idle while the command ran. */
function isClean(m: Measure): boolean {
  return m.otherCpuS <= 0.15 * m.wallS * NPROC + 0.3;
}

/** measure runs one command under /usr/bin/time and fails the benchmark on a non-zero exit. */
function measure(label: string, cmd: string, args: string[], env: NodeJS.ProcessEnv, logDir: string, drop: boolean, quietS: number): Measure {
  const waited = waitQuiet(quietS);
  if (waited !== 0) process.stderr.write(waited < 0 ? `  (machine still busy after ${quietS} s; measuring anyway)\n` : `  (waited ${waited} s for the machine to be idle)\n`);
  if (drop) dropCaches();
  const { m: timed, stdout } = timeCommand(label, cmd, args, env, logDir);
  const m: Measure = { ...timed };
  const { wallS, userS, sysS, maxRssKB } = m;
  for (const line of stdout.split("\n").reverse()) {
    if (!line.startsWith("{")) continue;
    try {
      const j = JSON.parse(line) as { message_type?: string };
      if (j.message_type === "summary") { m.summary = j; break; }
    } catch { /* progress lines */ }
  }
  process.stderr.write(`  ${label.padEnd(30)} ${wallS.toFixed(2).padStart(7)} s wall ${(userS + sysS).toFixed(2).padStart(7)} s CPU ` +
    `${(maxRssKB / 1024).toFixed(0).padStart(5)} MiB RSS ${m.otherCpuS.toFixed(2).padStart(6)} s other CPU${isClean(m) ? "" : "  (busy machine)"}\n`);
  return m;
}


// ---------------------------------------------------------------------------------------
// Tree comparison.

interface Entry {
  type: "file" | "dir" | "symlink";
  mode: number;
  mtimeS: number;
  size: number;
  hash?: string;
  link?: string;
}

async function hashFile(path: string): Promise<string> {
  const h = createHash("sha256");
  const fh = await open(path, "r");
  try {
    const buf = Buffer.allocUnsafe(1024 * 1024);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      h.update(buf.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
  return h.digest("hex");
}

async function scanTree(root: string): Promise<Map<string, Entry>> {
  const out = new Map<string, Entry>();
  const files: [string, string][] = [];
  const walk = async (dir: string, rel: string): Promise<void> => {
    for (const name of await readdir(dir)) {
      const p = join(dir, name);
      const r = rel ? `${rel}/${name}` : name;
      const st = await lstat(p);
      const base = { mode: st.mode & 0o7777, mtimeS: Math.floor(st.mtimeMs / 1000), size: st.size };
      if (st.isDirectory()) {
        out.set(r, { ...base, type: "dir", size: 0 });
        await walk(p, r);
      } else if (st.isSymbolicLink()) {
        out.set(r, { ...base, type: "symlink", size: 0, link: await readlink(p) });
      } else if (st.isFile()) {
        out.set(r, { ...base, type: "file" });
        files.push([r, p]);
      }
    }
  };
  await walk(root, "");
  let next = 0;
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (next < files.length) {
      const [r, p] = files[next++]!;
      out.get(r)!.hash = await hashFile(p);
    }
  }));
  return out;
}

function diffTrees(src: Map<string, Entry>, got: Map<string, Entry>): TreeDiff {
  const d: TreeDiff = { entries: src.size, missing: [], extra: [], contentMismatch: [], modeMismatch: [], mtimeMismatch: 0 };
  for (const [p, a] of src) {
    const b = got.get(p);
    if (!b) { d.missing.push(p); continue; }
    if (a.type !== b.type || a.size !== b.size || a.hash !== b.hash || a.link !== b.link) d.contentMismatch.push(p);
    if (a.type !== "symlink" && a.mode !== b.mode) d.modeMismatch.push(p);
    if (a.mtimeS !== b.mtimeS) d.mtimeMismatch++;
  }
  for (const p of got.keys()) if (!src.has(p)) d.extra.push(p);
  return d;
}

function restoreOk(d: TreeDiff | undefined): boolean {
  return !!d && d.missing.length === 0 && d.extra.length === 0 && d.contentMismatch.length === 0;
}

// ---------------------------------------------------------------------------------------
// Machine description.

function machineInfo(work: string, lifeboatMain: string): Record<string, string> {
  const cpuinfo = tryRead("/proc/cpuinfo");
  const model = /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? "unknown";
  const df = sh("df", ["-h", "--output=source,fstype,size,avail", work]).trim().split("\n").at(-1)!.trim().split(/\s+/);
  const dev = (df[0] ?? "").replace("/dev/", "");
  const rota = tryRead(`/sys/block/${dev}/queue/rotational`).trim();
  const sched = tryRead(`/sys/block/${dev}/queue/scheduler`).trim();
  return {
    nproc: sh("nproc", []).trim(),
    cpu: model.trim(),
    ram: `${(totalmem() / GiB).toFixed(1)} GiB`,
    disk: `${df[0]} (${df[1]}, ${df[2]} total, ${df[3]} free${rota ? `, rotational=${rota}` : ""}${sched ? `, scheduler ${sched}` : ""})`,
    kernel: sh("uname", ["-sr"]).trim(),
    node: process.version,
    restic: sh("restic", ["version"]).trim(),
    lifeboat: `${sh(NODE, [lifeboatMain, "--version"]).trim()} (${lifeboatMain})`,
  };
}

// ---------------------------------------------------------------------------------------
// Report: medians over runs.

const median = (xs: number[]): number | undefined => {
  if (xs.length === 0) return undefined;
  const a = [...xs].sort((x, y) => x - y);
  const m = Math.floor(a.length / 2);
  return a.length % 2 ? a[m]! : (a[m - 1]! + a[m]!) / 2;
};

function measures(rep: Report, t: Tool, k: StepName): Measure[] {
  return rep.runs.map((r) => r[t].steps[k]).filter((m): m is Measure => m !== undefined);
}

/** stepValues: f over the clean measurements of a step, or over all of them if none is clean. */
function stepValues(rep: Report, t: Tool, k: StepName, f: (m: Measure) => number): number[] {
  const all = measures(rep, t, k);
  const clean = all.filter(isClean);
  return (clean.length > 0 ? clean : all).map(f);
}

/** cleanMark is "" when a step had clean measurements, else a dagger (all ran on a busy machine). */
function cleanMark(rep: Report, t: Tool, k: StepName): string {
  const all = measures(rep, t, k);
  return all.length > 0 && !all.some(isClean) ? " †" : "";
}

const wall = (m: Measure) => m.wallS;
const cpu = (m: Measure) => m.userS + m.sysS;
const rss = (m: Measure) => m.maxRssKB * 1024;

function peakRss(rep: Report, t: Tool): number {
  return Math.max(...STEPS.flatMap(([k]) => measures(rep, t, k).map(rss)));
}

function repoValue(rep: Report, t: Tool, f: (r: ToolRun) => number | undefined): number | undefined {
  return median(rep.runs.map((r) => f(r[t])).filter((x): x is number => x !== undefined));
}

const fmtS = (x?: number) => (x === undefined ? "–" : `${x.toFixed(2)} s`);
const fmtMB = (b?: number) => (b === undefined ? "–" : `${(b / MB).toFixed(1)} MB`);
const ratio = (a?: number, b?: number) => (a === undefined || b === undefined || b === 0 ? "–" : `${(a / b).toFixed(2)}×`);

interface Row {
  step: string;
  lb: string;
  rs: string;
  ratio: string;
  target: string;
  met: string;
}

/** TARGETS: the issue's first targets, as lifeboat ÷ restic wall time. */
const TARGETS: Partial<Record<StepName, number>> = { backupInitial: 1.5, backupUnchanged: 1.0, restore: 1.5 };
const RSS_TARGET = 300 * MB;

function rows(rep: Report): Row[] {
  const out: Row[] = STEPS.map(([k, step]) => {
    const a = median(stepValues(rep, "lifeboat", k, wall));
    const b = median(stepValues(rep, "restic", k, wall));
    const max = TARGETS[k];
    const met = max === undefined || a === undefined || b === undefined ? "" : a / b <= max ? "✅ met" : "❌ missed";
    return {
      step, lb: fmtS(a) + cleanMark(rep, "lifeboat", k), rs: fmtS(b) + cleanMark(rep, "restic", k), ratio: ratio(a, b),
      target: max === undefined ? "" : `≤ ${max.toFixed(1)}×`, met,
    };
  });
  for (const [step, f] of [
    ["repository size (after initial)", (r: ToolRun) => r.repoBytesAfterInitial],
    ["repository size (final)", (r: ToolRun) => r.repoBytes],
  ] as const) {
    const a = repoValue(rep, "lifeboat", f);
    const b = repoValue(rep, "restic", f);
    out.push({ step, lb: fmtMB(a), rs: fmtMB(b), ratio: ratio(a, b), target: "", met: "" });
  }
  const a = peakRss(rep, "lifeboat");
  const b = peakRss(rep, "restic");
  const met = rep.args.scale < 1 ? `(${a <= RSS_TARGET ? "under" : "over"}; the target is for 1 GB)` : a <= RSS_TARGET ? "✅ met" : "❌ missed";
  out.push({ step: "peak RSS (any step)", lb: fmtMB(a), rs: fmtMB(b), ratio: ratio(a, b), target: "≤ 300 MB", met });
  return out;
}

function table(rep: Report): string {
  const head = "| step | lifeboat | restic | ratio | target | |\n|---|---:|---:|---:|---|---|\n";
  return head + rows(rep).map((r) => `| ${r.step} | ${r.lb} | ${r.rs} | ${r.ratio} | ${r.target} | ${r.met} |`).join("\n") + "\n";
}

function detailTable(rep: Report): string {
  const many = rep.runs.length > 1;
  const cell = (t: Tool, k: StepName) => {
    const all = measures(rep, t, k);
    if (all.length === 0) return ["–", "–", "–", "–"];
    const w = all.map(wall);
    const range = many ? ` (${Math.min(...w).toFixed(2)}–${Math.max(...w).toFixed(2)})` : "";
    return [
      `${fmtS(median(stepValues(rep, t, k, wall)))}${cleanMark(rep, t, k)}${range}`, fmtS(median(stepValues(rep, t, k, cpu))),
      `${(Math.max(...all.map(rss)) / 2 ** 20).toFixed(0)} MiB`, `${all.filter(isClean).length}/${all.length}`,
    ];
  };
  let s = `| step | lifeboat wall${many ? " (all runs: min–max)" : ""} | lifeboat CPU | lifeboat RSS | clean | restic wall${many ? " (all runs: min–max)" : ""} | restic CPU | restic RSS | clean |\n` +
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const [k, name] of STEPS) s += `| ${name} | ${cell("lifeboat", k).join(" | ")} | ${cell("restic", k).join(" | ")} |\n`;
  return s;
}

function describeDiff(d?: TreeDiff): string {
  if (!d) return "not checked";
  const parts = [`${d.entries} entries`];
  if (restoreOk(d)) parts.push("contents, sizes, types and link targets identical");
  else parts.push(`${d.missing.length} missing, ${d.extra.length} extra, ${d.contentMismatch.length} differ (e.g. ${[...d.missing, ...d.contentMismatch, ...d.extra].slice(0, 3).join(", ")})`);
  parts.push(d.modeMismatch.length === 0 ? "modes identical" : `${d.modeMismatch.length} modes differ`);
  parts.push(d.mtimeMismatch === 0 ? "mtimes identical (1 s)" : `${d.mtimeMismatch} mtimes differ`);
  return parts.join("; ");
}

function restoreSummary(rep: Report, t: Tool): string {
  const checks = rep.runs.map((r) => r[t].restoreCheck);
  const bad = checks.filter((d) => !restoreOk(d)).length;
  return bad === 0 ? `${describeDiff(checks[0])}${checks.length > 1 ? ` (all ${checks.length} runs)` : ""}`
    : `**${bad} of ${checks.length} runs wrong**: ${checks.map(describeDiff).join(" / ")}`;
}

function markdownBlock(rep: Report, stamp: string): string {
  const m = rep.machine;
  const kdf = (t: Tool) => { const k = rep.kdf[t]; return k ? `scrypt N=2^${Math.log2(k.N)}, r=${k.r}, p=${k.p} (${k.memoryMiB} MiB)` : "unknown"; };
  const tr = rep.tree;
  const all = rep.runs.flatMap((r) => TOOLS.flatMap((t) => Object.values(r[t].steps)));
  const busy = all.filter((x) => !isClean(x)).length;
  return `<!-- bench:begin (written by bench/compare-restic.ts; edit outside these markers) -->
### Run of ${rep.date}

\`npm run bench -- --scale ${rep.args.scale}${rep.args.runs > 1 ? ` --runs ${rep.args.runs}` : ""}${rep.args.lifeboat !== join(ROOT, "dist/cli/main.js") ? ` --lifeboat ${rep.args.lifeboat}` : ""}\` (seed ${rep.args.seed}).
${rep.args.runs > 1 ? `Each number is the median of ${rep.args.runs} runs (fresh repositories and a regenerated tree per run; the tool that goes first alternates); peak RSS is the maximum.` : "One run."}
Page cache ${rep.args.dropCaches ? "dropped (\`sync; echo 3 > /proc/sys/vm/drop_caches\`) before every measured command" : "**not** dropped (no permission): steps after the first read a warm cache"}.${rep.args.cpuProf ? " **lifeboat ran with --cpu-prof: its timings are inflated.**" : ""}
Other load: before each command the script waits (up to ${rep.args.quietWaitS} s) for the machine to be idle, and measures the CPU the rest of the machine used while the command ran. ${busy === 0 ? "All commands ran on an otherwise idle machine." : `**${busy} of ${all.length} commands ran while other work used more than 15% of the CPU**; medians use only the clean runs of a step ("clean" column), and a † marks a step that had none.`}

Tree: ${tr.files} files, ${tr.dirs} folders, ${tr.symlinks} symlinks, ${(tr.bytes / MB).toFixed(1)} MB (generated in ${tr.seconds.toFixed(1)} s).
Small change: ${rep.change.modified.length} files modified (appends, in-place page writes, a rewrite), ${rep.change.added.length} added, ${(rep.change.bytesWritten / MB).toFixed(2)} MB written.

${table(rep)}
Ratio is lifeboat ÷ restic (below 1 means lifeboat is faster or smaller). Times are wall clock.

${detailTable(rep)}
CPU is user+sys of the command (both tools use several threads, so it can exceed wall time). "Clean" counts the runs in which the rest of the machine used under 15% of the CPU (kernel writeback included); wall and CPU are medians over those.

Restore check against the source tree:
- lifeboat: ${restoreSummary(rep, "lifeboat")}
- restic: ${restoreSummary(rep, "restic")}

Machine: ${m.nproc} vCPU ${m.cpu}, ${m.ram} RAM, disk ${m.disk}, ${m.kernel}.
Versions: node ${m.node}; ${m.restic}; lifeboat ${m.lifeboat}.
KDF: lifeboat ${kdf("lifeboat")}; restic ${kdf("restic")} (restic calibrates at init; both pay it on every command, see "open repository").
Raw numbers: \`bench/out/${stamp}.json\` (not committed).
<!-- bench:end -->
`;
}

function writeResults(rep: Report, stamp: string): void {
  const path = join(ROOT, "bench/RESULTS.md");
  const block = markdownBlock(rep, stamp);
  let text = tryRead(path);
  const begin = text.indexOf("<!-- bench:begin");
  const end = text.indexOf("<!-- bench:end -->");
  if (begin >= 0 && end > begin) text = text.slice(0, begin) + block + text.slice(end + "<!-- bench:end -->\n".length);
  else text = (text || "# Benchmark results\n\n") + "\n" + block;
  writeFileSync(path, text);
}

// ---------------------------------------------------------------------------------------

function readKdf(keysDir: string): Kdf | undefined {
  const name = readdirSync(keysDir)[0];
  if (!name) return undefined;
  const k = JSON.parse(readFileSync(join(keysDir, name), "utf8")) as { N: number; r: number; p: number };
  return { N: k.N, r: k.r, p: k.p, memoryMiB: (128 * k.N * k.r) / (1024 * 1024) };
}

function printTable(rep: Report): void {
  const w = [32, 12, 12, 8, 10];
  const line = (c: string[]) => c.map((x, i) => (i === 0 ? x.padEnd(w[i]!) : x.padStart(w[i] ?? 0))).join("  ");
  console.log(line(["step", "lifeboat", "restic", "ratio", "target"]));
  for (const r of rows(rep)) console.log(`${line([r.step.replace(/`/g, ""), r.lb, r.rs, r.ratio, r.target])}  ${r.met}`);
  for (const t of TOOLS) console.log(`${t} restore: ${restoreSummary(rep, t)}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scale: { type: "string", default: "1" },
      seed: { type: "string", default: "1" },
      runs: { type: "string", default: "1" },
      keep: { type: "boolean", default: false },
      work: { type: "string" },
      "no-build": { type: "boolean", default: false },
      "no-drop-caches": { type: "boolean", default: false },
      "cpu-prof": { type: "boolean", default: false },
      lifeboat: { type: "string" },
      "quiet-wait": { type: "string", default: "300" },
      report: { type: "string" },
    },
  });
  const quietS = Number(values["quiet-wait"]);
  if (values.report) {
    // Re-render RESULTS.md and the table from a saved run (after changing the format).
    const rep = JSON.parse(readFileSync(values.report, "utf8")) as Report;
    const stamp = values.report.replace(/^.*\//, "").replace(/\.json$/, "");
    writeResults(rep, stamp);
    printTable(rep);
    return;
  }
  const lifeboatMain = resolve(values.lifeboat ?? join(ROOT, "dist/cli/main.js"));
  const scale = Number(values.scale);
  const seed = Number(values.seed);
  const nRuns = Number(values.runs);
  if (!(scale > 0)) throw new Error("--scale must be a positive number");
  if (!Number.isInteger(nRuns) || nRuns < 1) throw new Error("--runs must be a positive integer");
  if (!existsSync(TIME)) throw new Error(`${TIME} is missing: apt-get install -y time`);
  if (spawnSync("restic", ["version"]).status !== 0) throw new Error("restic is missing: apt-get install -y restic");

  const date = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const stamp = date.replace(/[:.]/g, "");
  const outDir = join(ROOT, "bench/out");
  const logDir = join(outDir, `logs-${stamp}`);
  const profDir = join(outDir, `prof-${stamp}`);
  mkdirSync(logDir, { recursive: true });
  const work = resolve(values.work ?? `/tmp/lifeboat-bench-${stamp}`);

  if (!values["no-build"] && !values.lifeboat) {
    process.stderr.write("building lifeboat (npm run build)\n");
    sh("npm", ["run", "build", "--silent"], { cwd: ROOT });
  }
  const drop = !values["no-drop-caches"] && canDropCaches();
  const cpuProf = values["cpu-prof"];
  const src = join(work, "src");
  const pw = join(work, "password");
  // Clean environments: no inherited repository, password or test-KDF settings.
  const baseEnv: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("LIFEBOAT_") && !k.startsWith("RESTIC_") && k !== "XDG_CACHE_HOME"),
  );
  const dirs = (t: Tool) => ({ repo: join(work, t, "repo"), cache: join(work, t, "cache"), restore: join(work, t, "restore") });
  const cmd = (t: Tool, step: StepName, run: number, args: string[]): [string, string[], NodeJS.ProcessEnv] => {
    const d = dirs(t);
    if (t === "lifeboat") {
      const prof = cpuProf ? ["--cpu-prof", `--cpu-prof-dir=${join(profDir, `run${run}-${step}`)}`] : [];
      return [NODE, [...prof, lifeboatMain, "--repo", d.repo, "--password-file", pw, "--json", ...args],
        { ...baseEnv, XDG_CACHE_HOME: d.cache }];
    }
    return ["restic", ["--repo", d.repo, "--password-file", pw, "--cache-dir", d.cache, "--json", ...args], baseEnv];
  };

  const kdf: Report["kdf"] = {};
  const runs: Record<Tool, ToolRun>[] = [];
  let tree: GenerateStats | undefined;
  let change: ChangeStats | undefined;
  for (let run = 1; run <= nRuns; run++) {
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    writeFileSync(pw, "correct horse battery staple\n", { mode: 0o600 });
    process.stderr.write(`run ${run}/${nRuns}: generating scale ${scale} tree in ${src}\n`);
    tree = generateTree(src, { seed, scale });
    process.stderr.write(`  ${tree.files} files, ${(tree.bytes / MB).toFixed(1)} MB in ${tree.seconds.toFixed(1)} s\n`);
    const res: Record<Tool, ToolRun> = { lifeboat: { steps: {} }, restic: { steps: {} } };
    const order = run % 2 === 1 ? TOOLS : [...TOOLS].reverse();
    const step = (name: StepName, args: (t: Tool) => string[]) => {
      process.stderr.write(`${name}\n`);
      for (const t of order) {
        const [c, a, env] = cmd(t, name, run, args(t));
        res[t].steps[name] = measure(`run${run}-${t}-${name}`, c, a, env, logDir, drop, quietS);
      }
    };
    for (const t of TOOLS) mkdirSync(join(work, t), { recursive: true });
    step("init", () => ["init"]);
    for (const t of TOOLS) kdf[t] ??= readKdf(join(dirs(t).repo, "keys"));
    step("open", () => ["snapshots"]);
    step("backupInitial", () => ["backup", src]);
    for (const t of TOOLS) res[t].repoBytesAfterInitial = duBytes(dirs(t).repo);
    step("backupUnchanged", () => ["backup", src]);
    change = applySmallChange(src, seed);
    step("backupChange", () => ["backup", src]);
    step("restore", (t) => ["restore", "latest", "--target", dirs(t).restore]);

    process.stderr.write("checking restores against the source\n");
    const want = await scanTree(src);
    for (const t of TOOLS) {
      const d = dirs(t);
      res[t].repoBytes = duBytes(d.repo);
      res[t].cacheBytes = existsSync(d.cache) ? duBytes(d.cache) : 0;
      res[t].restoreCheck = diffTrees(want, await scanTree(join(d.restore, src)));
    }
    runs.push(res);
  }

  const rep: Report = {
    date, args: { scale, seed, runs: nRuns, dropCaches: drop, cpuProf, lifeboat: lifeboatMain, quietWaitS: quietS }, machine: machineInfo(work, lifeboatMain), kdf, tree: tree!, change: change!, runs,
  };
  writeFileSync(join(outDir, `${stamp}.json`), JSON.stringify(rep, null, 2) + "\n");
  writeResults(rep, stamp);

  printTable(rep);
  console.log(`raw: bench/out/${stamp}.json; logs: bench/out/logs-${stamp}/${cpuProf ? `; profiles: bench/out/prof-${stamp}/` : ""}; table: bench/RESULTS.md`);

  if (!values.keep) rmSync(work, { recursive: true, force: true });
  else console.log(`kept ${work}`);
  const bad = TOOLS.filter((t) => runs.some((r) => !restoreOk(r[t].restoreCheck)));
  if (bad.length > 0) {
    console.error(`RESTORE MISMATCH for ${bad.join(", ")}: the timings above are not valid`);
    process.exitCode = 1;
  }
}

await main();
