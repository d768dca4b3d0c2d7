/**
 * @module bench/agent/hourly
 * The hourly-backup benchmark on a realistic agent (bench/agent/generate.ts): lifeboat against
 * restic, borg and the "Clawdie way" (one new tar.gz per hour). The agent state is generated
 * once; every tool then makes its initial backup. Each simulated hour steps the shared state
 * once (hourStep) and then runs every tool's hourly backup end to end, capture included:
 *
 *   lifeboat  `lifeboat backup` with a custom-preset lifeboat.yaml (files, sqlite, postgres, secret)
 *   restic    sqlite3 .backup of store/messages.db + pg_dump into a capture folder, then
 *             `restic backup` of the agent folder (without store/) and the capture folder
 *   borg      the same capture, then `borg create` (zstd,3; repokey-blake2)
 *   tar       the same capture, then `tar -czf` of capture + files: one new archive per hour
 *
 * Measured (every command under /usr/bin/time, page cache dropped before it when root):
 * initial backup, per-hour end-to-end time, repository growth (du -sb of the repository or
 * the archive folder), a full restore of the newest backup, and peak RSS per tool.
 *
 * Restores, like for like: every tool restores all files of its newest backup into an empty
 * folder (lifeboat `restore latest --target`, which verifies every blob against its keyed
 * id; restic `restore`; borg `extract`; tar `-x`). Then the agent restore a new machine
 * needs, database loaded and checked: lifeboat `restore latest --agent` into an empty root
 * and a database that does not exist yet, against restic `restore` + `psql -f` of the dump
 * into a fresh database + sqlite3 `PRAGMA integrity_check`.
 *
 * "New logical data" per hour is hourStep's return value. Lifeboat's storage amplification is
 * its repository growth ÷ the zstd-compressed (level 3) size of the hour's new data, where the
 * new data is approximated as: new messages.db rows (SELECT ... WHERE rowid > previous max, as
 * JSON lines), new PostgreSQL rows (COPY ... WHERE id > previous max), the appended tail of the
 * files in memory/ that grew, and the whole content of every other file whose mtime changed
 * (new session transcript, session-state.json, MEMORY.md). All concatenated, compressed once.
 *
 *   node_modules/.bin/node bench/agent/hourly.ts --scale 0.05 --hours 3       quick check
 *   node_modules/.bin/node bench/agent/hourly.ts                              scale 1, 24 hours
 *   options: --seed N  --keep  --work DIR  --no-build  --no-drop-caches  --quiet-wait S (default 20)
 *            --budget-min M (start no new hour after M minutes; then restore and report)
 *            --report bench/out/agent-<stamp>.json (only print the table of a saved, maybe partial, run)
 *
 * Writes bench/out/agent-<stamp>.json after every step (so a killed run keeps what finished).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { DatabaseSync } from "node:sqlite";
import { zstdCompressSync, constants as zc } from "node:zlib";
import { dropPgDatabase, generateAgent, hourStep, type GenerateAgentStats, type PgOptions } from "./generate.ts";
import { busyCpuS, canDropCaches, dropCaches, duBytes, sh, sleepMs, timeCommand, tryRead, type Timed } from "../proc.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const NODE = process.execPath;
const MB = 1e6;
const AGENT_NAME = "andy";
const PASSWORD = "correct horse battery staple";

type Tool = "lifeboat" | "restic" | "borg" | "tar";
const TOOLS: Tool[] = ["lifeboat", "restic", "borg", "tar"];

type Measure = Timed;

interface Hour {
  hour: number;
  newBytes: number;
  /** zstd -3 size of the hour's new data (see the module comment). */
  newZstdBytes: number;
  stepS: number;
  tools: Partial<Record<Tool, { m: Measure; repoBytes: number; growthBytes: number }>>;
}

interface ToolResult {
  initial?: Measure;
  repoAfterInitial?: number;
  restore?: Measure;
  restoreCheck?: string;
  /** The agent back on a new machine: files, the database loaded into a new one, checked. */
  agentRestore?: Measure;
  agentRestoreCheck?: string;
}

interface Report {
  date: string;
  args: { scale: number; hours: number; seed: number; dropCaches: boolean; quietWaitS: number; budgetMin: number };
  machine: Record<string, string>;
  agent?: GenerateAgentStats & { size: number };
  tools: Partial<Record<Tool, ToolResult>>;
  hours: Hour[];
  done: boolean;
}

// ---------------------------------------------------------------------------------------
// Helpers (compare-restic.ts runs its main on import, so these are small copies).






const NPROC = availableParallelism();


function waitQuiet(maxS: number): void {
  if (maxS <= 0) return;
  const t0 = performance.now();
  for (;;) {
    const b0 = busyCpuS();
    sleepMs(1000);
    if (busyCpuS() - b0 < 0.15 * NPROC) return;
    if ((performance.now() - t0) / 1000 > maxS) return;
  }
}

let LOG_DIR = "";
let DROP = false;
let QUIET_S = 20;

/** measure runs one command (or a /bin/sh -c script) under /usr/bin/time; fails on non-zero exit. */
function measure(label: string, cmd: string, args: string[], env: NodeJS.ProcessEnv): Measure {
  waitQuiet(QUIET_S);
  if (DROP) dropCaches();
  const { m } = timeCommand(label, cmd, args, env, LOG_DIR);
  process.stderr.write(`  ${label.padEnd(22)} ${m.wallS.toFixed(2).padStart(7)} s wall ${(m.userS + m.sysS).toFixed(2).padStart(7)} s CPU ${(m.maxRssKB / 1024).toFixed(0).padStart(5)} MiB RSS\n`);
  return m;
}


function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

// ---------------------------------------------------------------------------------------
// New data of one hour (for the amplification denominator).

interface FileState { size: number; mtimeMs: number }

function scanFiles(dir: string): Map<string, FileState> {
  const out = new Map<string, FileState>();
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const p = join(e.parentPath, e.name);
    const st = statSync(p);
    out.set(p, { size: st.size, mtimeMs: st.mtimeMs });
  }
  return out;
}

interface Marks { msgRowid: number; pgId: number }

function marks(agent: string, pg: PgOptions): Marks {
  const db = new DatabaseSync(join(agent, "store", "messages.db"), { readOnly: true });
  const msgRowid = Number((db.prepare("SELECT coalesce(max(rowid), 0) AS m FROM messages").get() as { m: number }).m);
  db.close();
  const pgId = Number(psql(pg, "SELECT coalesce(max(id), 0) FROM memories").trim());
  return { msgRowid, pgId };
}

function psql(pg: PgOptions, sql: string): string {
  return sh("psql", ["-X", "-q", "-tA", "-h", "127.0.0.1", "-U", "postgres", "-d", pg.database, "-c", sql]);
}

function newDataZstd(agent: string, before: Map<string, FileState>, m0: Marks, pg: PgOptions): number {
  const parts: Buffer[] = [];
  const storeDir = join(agent, "store");
  for (const [p, st] of scanFiles(agent)) {
    if (p.startsWith(storeDir + "/")) continue;
    const old = before.get(p);
    if (old && old.mtimeMs === st.mtimeMs && old.size === st.size) continue;
    const data = readFileSync(p);
    const appended = old !== undefined && p.startsWith(join(agent, "memory") + "/") && st.size >= old.size;
    parts.push(appended ? data.subarray(old.size) : data);
  }
  const db = new DatabaseSync(join(agent, "store", "messages.db"), { readOnly: true });
  const rows = db.prepare("SELECT * FROM messages WHERE rowid > ?").all(m0.msgRowid);
  db.close();
  parts.push(Buffer.from(rows.map((r) => JSON.stringify(r)).join("\n")));
  parts.push(Buffer.from(psql(pg, `COPY (SELECT * FROM memories WHERE id > ${m0.pgId}) TO STDOUT`)));
  return zstdCompressSync(Buffer.concat(parts), { params: { [zc.ZSTD_c_compressionLevel]: 3 } }).length;
}

// ---------------------------------------------------------------------------------------
// Report.

const median = (xs: number[]): number | undefined => {
  if (xs.length === 0) return undefined;
  const a = [...xs].sort((x, y) => x - y);
  const m = Math.floor(a.length / 2);
  return a.length % 2 ? a[m]! : (a[m - 1]! + a[m]!) / 2;
};
const fmtS = (x?: number) => (x === undefined ? "–" : `${x.toFixed(2)} s`);
const fmtMB = (b?: number) => (b === undefined ? "–" : b < 10 * MB ? `${(b / MB).toFixed(2)} MB` : `${(b / MB).toFixed(1)} MB`);
const fmtX = (a?: number, b?: number) => (a === undefined || b === undefined || b === 0 ? "–" : `${(a / b).toFixed(2)}×`);

interface Summary {
  initial?: number;
  hourly?: number;
  growth?: number;
  restore?: number;
  agentRestore?: number;
  rss?: number;
}

function summarize(rep: Report, t: Tool): Summary {
  const r = rep.tools[t] ?? {};
  const hs = rep.hours.map((h) => h.tools[t]).filter((x) => x !== undefined);
  const all = [r.initial, r.restore, r.agentRestore, ...hs.map((h) => h.m)].filter((m): m is Measure => m !== undefined);
  return {
    initial: r.initial?.wallS,
    hourly: median(hs.map((h) => h.m.wallS)),
    growth: median(hs.map((h) => h.growthBytes)),
    restore: r.restore?.wallS,
    agentRestore: r.agentRestore?.wallS,
    rss: all.length ? Math.max(...all.map((m) => m.maxRssKB * 1024)) : undefined,
  };
}

export function renderTable(rep: Report): string {
  const s = Object.fromEntries(TOOLS.map((t) => [t, summarize(rep, t)])) as Record<Tool, Summary>;
  const peers = TOOLS.filter((t) => t !== "lifeboat");
  const best = (k: keyof Summary, from: Tool[]) => {
    const v = from.map((t) => [t, s[t][k]] as const).filter((x): x is readonly [Tool, number] => x[1] !== undefined);
    return v.length ? v.reduce((a, b) => (b[1] < a[1] ? b : a)) : undefined;
  };
  const lines: string[] = [];
  lines.push(`| metric | lifeboat | restic | borg | tar.gz | lifeboat ÷ best peer |`);
  lines.push(`|---|---:|---:|---:|---:|---|`);
  const row = (name: string, k: keyof Summary, f: (x?: number) => string) => {
    const b = best(k, peers);
    lines.push(`| ${name} | ${TOOLS.map((t) => f(s[t][k])).join(" | ")} | ${b ? `${fmtX(s.lifeboat[k], b[1])} (vs ${b[0]})` : "–"} |`);
  };
  row("initial backup", "initial", fmtS);
  row("median hourly backup (capture incl.)", "hourly", fmtS);
  row("median repository growth / hour", "growth", fmtMB);
  row("full restore of newest (all files)", "restore", fmtS);
  row("agent restore, database loaded (restic: + psql)", "agentRestore", fmtS);
  row("peak RSS (any step)", "rss", fmtMB);
  const newB = median(rep.hours.map((h) => h.newBytes));
  const newZ = median(rep.hours.map((h) => h.newZstdBytes));
  const amp = median(rep.hours.filter((h) => h.tools.lifeboat && h.newZstdBytes > 0).map((h) => h.tools.lifeboat!.growthBytes / h.newZstdBytes));
  lines.push("");
  lines.push(`Hours measured: ${rep.hours.length}${rep.done ? "" : " (run incomplete)"}. Median new logical data/hour: ${fmtMB(newB)} (zstd -3: ${fmtMB(newZ)}); lifeboat storage amplification (median growth ÷ zstd new data): ${amp === undefined ? "–" : amp.toFixed(2) + "×"}.`);
  lines.push("");
  // Targets.
  const tgt: string[] = [];
  const check = (name: string, a: number | undefined, b: number | undefined, max: number, vs: string) => {
    const ok = a === undefined || b === undefined ? "– (not measured)" : a / b <= max ? `✅ met (${(a / b).toFixed(2)}×)` : `❌ missed (${(a / b).toFixed(2)}×)`;
    tgt.push(`| ${name} | ≤ ${max.toFixed(1)}× ${vs} | ${ok} |`);
  };
  const fastest = best("hourly", peers);
  const smallest = best("growth", peers);
  check("median hourly backup", s.lifeboat.hourly, fastest?.[1], 0.7, `fastest peer (${fastest?.[0] ?? "–"})`);
  check("repository growth / hour", s.lifeboat.growth, smallest?.[1], 0.3, `smallest peer (${smallest?.[0] ?? "–"})`);
  check("initial backup", s.lifeboat.initial, s.restic.initial, 1.0, "restic");
  check("full restore", s.lifeboat.restore, s.restic.restore, 1.0, "restic");
  const rss = s.lifeboat.rss;
  tgt.push(`| peak RSS | ≤ 300 MB | ${rss === undefined ? "–" : rss <= 300 * MB ? `✅ met (${fmtMB(rss)})` : `❌ missed (${fmtMB(rss)})`} |`);
  lines.push("| target | goal | result |");
  lines.push("|---|---|---|");
  lines.push(...tgt);
  const checks = TOOLS.map((t) => `${t}: ${rep.tools[t]?.restoreCheck ?? "–"}${rep.tools[t]?.agentRestoreCheck ? `; agent restore ${rep.tools[t]!.agentRestoreCheck}` : ""}`).join("; ");
  lines.push("");
  lines.push(`Restore checks: ${checks}.`);
  return lines.join("\n");
}

// ---------------------------------------------------------------------------------------

function machineInfo(work: string, lifeboatMain: string): Record<string, string> {
  const model = /model name\s*:\s*(.*)/.exec(tryRead("/proc/cpuinfo"))?.[1] ?? cpus()[0]?.model ?? "unknown";
  const df = sh("df", ["-h", "--output=source,fstype,size,avail", work]).trim().split("\n").at(-1)!.trim().split(/\s+/);
  const first = (s: string) => s.trim().split("\n")[0] ?? "";
  return {
    nproc: String(NPROC),
    cpu: model.trim(),
    ram: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    disk: `${df[0]} (${df[1]}, ${df[2]} total, ${df[3]} free)`,
    kernel: sh("uname", ["-sr"]).trim(),
    node: process.version,
    restic: first(sh("restic", ["version"])),
    borg: first(sh("borg", ["--version"])),
    tar: first(sh("tar", ["--version"])),
    sqlite3: first(sh("sqlite3", ["--version"])).split(" ").slice(0, 2).join(" "),
    pg_dump: first(sh("pg_dump", ["--version"])),
    lifeboat: `${sh(NODE, [lifeboatMain, "--version"]).trim()}`,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scale: { type: "string", default: "1" },
      hours: { type: "string", default: "24" },
      seed: { type: "string", default: "1" },
      keep: { type: "boolean", default: false },
      work: { type: "string" },
      "no-build": { type: "boolean", default: false },
      "no-drop-caches": { type: "boolean", default: false },
      "quiet-wait": { type: "string", default: "20" },
      "budget-min": { type: "string", default: "0" },
      report: { type: "string" },
    },
  });
  if (values.report) {
    console.log(renderTable(JSON.parse(readFileSync(values.report, "utf8")) as Report));
    return;
  }
  const scale = Number(values.scale);
  const hours = Number(values.hours);
  const seed = Number(values.seed);
  const budgetMin = Number(values["budget-min"]);
  QUIET_S = Number(values["quiet-wait"]);
  if (!(scale > 0)) throw new Error("--scale must be a positive number");
  if (!Number.isInteger(hours) || hours < 1) throw new Error("--hours must be a positive integer");
  for (const c of ["restic", "borg", "sqlite3", "pg_dump", "psql"]) {
    if (spawnSync(c, ["--version"]).error) throw new Error(`${c} is missing`);
  }
  const started = performance.now();
  const date = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const stamp = date.replace(/[:.-]/g, "");
  const outDir = join(ROOT, "bench/out");
  LOG_DIR = join(outDir, `agent-logs-${stamp}`);
  mkdirSync(LOG_DIR, { recursive: true });
  const outJson = join(outDir, `agent-${stamp}.json`);
  const work = resolve(values.work ?? `/tmp/lifeboat-agent-bench-${stamp}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const lifeboatMain = join(ROOT, "dist/cli/main.js");
  if (!values["no-build"]) {
    process.stderr.write("building lifeboat (npm run build)\n");
    sh("npm", ["run", "build", "--silent"], { cwd: ROOT });
  }
  DROP = !values["no-drop-caches"] && canDropCaches();
  const pg: PgOptions = { database: `lb_agent_bench_${stamp.toLowerCase().replace(/[^a-z0-9]/g, "")}` };
  const agent = join(work, "agent");
  const pw = join(work, "password");
  writeFileSync(pw, PASSWORD + "\n", { mode: 0o600 });
  const baseEnv: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("LIFEBOAT_") && !k.startsWith("RESTIC_") && !k.startsWith("BORG_") && k !== "XDG_CACHE_HOME"),
  );
  const d = (t: Tool) => ({
    base: join(work, t), repo: join(work, t, "repo"), cache: join(work, t, "cache"),
    capture: join(work, t, "capture"), restore: join(work, t, "restore"),
  });
  for (const t of TOOLS) mkdirSync(d(t).base, { recursive: true });

  const rep: Report = {
    date, args: { scale, hours, seed, dropCaches: DROP, quietWaitS: QUIET_S, budgetMin },
    machine: machineInfo(work, lifeboatMain), tools: {}, hours: [], done: false,
  };
  const save = () => writeFileSync(outJson, JSON.stringify(rep, null, 2) + "\n");
  const pgUrl = `postgres://postgres@127.0.0.1:5432/${pg.database}`;

  try {
    process.stderr.write(`generating scale ${scale} agent in ${agent} (PostgreSQL ${pg.database})\n`);
    const stats = generateAgent(agent, { seed, scale, pg });
    rep.agent = { ...stats, size: duBytes(agent) };
    process.stderr.write(`  ${stats.files} files, ${(rep.agent.size / MB).toFixed(1)} MB on disk, ${stats.messages} messages, ${stats.pgRows} pg rows in ${(stats.ms / 1000).toFixed(1)} s\n`);
    save();

    // lifeboat: config and repository.
    const cfg = join(d("lifeboat").base, "lifeboat.yaml");
    writeFileSync(cfg, `repository:
  url: ${d("lifeboat").repo}
  password_file: ${pw}
agents:
  - name: ${AGENT_NAME}
    preset: custom
    root: ${agent}
    items:
      - name: workspace
        kind: files
        path: .
        exclude: ["store/**", ".env"]
      - name: messages
        kind: sqlite
        path: store/messages.db
      - name: memory-db
        kind: postgres
        database: ${pg.database}
        url: ${pgUrl}
      - name: env
        kind: secret
        path: .env
`);
    const lbEnv = { ...baseEnv, XDG_CACHE_HOME: d("lifeboat").cache };
    const lb = (args: string[]) => [NODE, [lifeboatMain, "--config", cfg, ...args], lbEnv] as const;
    sh(...lbInit(lb));
    const resticEnv = { ...baseEnv, RESTIC_PASSWORD_FILE: pw, RESTIC_REPOSITORY: d("restic").repo, RESTIC_CACHE_DIR: d("restic").cache };
    sh("restic", ["init"], { env: resticEnv });
    const borgEnv = { ...baseEnv, BORG_PASSPHRASE: PASSWORD, BORG_BASE_DIR: d("borg").cache, BORG_REPO: d("borg").repo };
    sh("borg", ["init", "--encryption", "repokey-blake2"], { env: borgEnv });
    mkdirSync(d("tar").repo, { recursive: true });

    // The peers' capture: a consistent SQLite copy and a pg_dump, then the files.
    const capture = (t: Tool) =>
      `set -e; rm -rf ${shq(d(t).capture)}; mkdir -p ${shq(d(t).capture)}; ` +
      `sqlite3 ${shq(join(agent, "store/messages.db"))} ".backup ${d(t).capture}/messages.db"; ` +
      `pg_dump -h 127.0.0.1 -U postgres -d ${pg.database} -f ${shq(join(d(t).capture, "memory_db.sql"))}; `;
    const runTool = (t: Tool, label: string, n: number): Measure => {
      switch (t) {
        case "lifeboat": {
          const [c, a, e] = lb(["--json", "backup"]);
          return measure(label, c, [...a], e);
        }
        case "restic":
          return measure(label, "/bin/sh", ["-c", capture(t) +
            `restic backup --json --quiet --exclude ${shq(join(agent, "store"))} ${shq(agent)} ${shq(d(t).capture)} > /dev/null`], resticEnv);
        case "borg":
          return measure(label, "/bin/sh", ["-c", capture(t) +
            `borg create --compression zstd,3 --exclude ${shq(join(agent, "store"))} ::h${n} ${shq(agent)} ${shq(d(t).capture)}`], borgEnv);
        case "tar":
          return measure(label, "/bin/sh", ["-c", capture(t) +
            `tar -czf ${shq(join(d(t).repo, `h${String(n).padStart(3, "0")}.tar.gz`))} --exclude=agent/store -C ${shq(d(t).base)} capture -C ${shq(work)} agent`], baseEnv);
      }
    };

    process.stderr.write("initial backup\n");
    for (const t of TOOLS) {
      const m = runTool(t, `${t}-initial`, 0);
      rep.tools[t] = { initial: m, repoAfterInitial: duBytes(d(t).repo) };
      save();
    }
    const repoNow: Record<Tool, number> = Object.fromEntries(TOOLS.map((t) => [t, rep.tools[t]!.repoAfterInitial!])) as Record<Tool, number>;

    for (let h = 1; h <= hours; h++) {
      const elapsedMin = (performance.now() - started) / 60_000;
      if (budgetMin > 0 && elapsedMin > budgetMin) {
        process.stderr.write(`budget of ${budgetMin} min used (${elapsedMin.toFixed(1)} min): stopping after ${h - 1} hours\n`);
        break;
      }
      const before = scanFiles(agent);
      const m0 = marks(agent, pg);
      const s0 = performance.now();
      const newBytes = hourStep(agent, { seed, hour: h, pg });
      const stepS = (performance.now() - s0) / 1000;
      const newZstdBytes = newDataZstd(agent, before, m0, pg);
      process.stderr.write(`hour ${h}: ${(newBytes / 1e3).toFixed(0)} kB new (${(newZstdBytes / 1e3).toFixed(0)} kB zstd)\n`);
      const hour: Hour = { hour: h, newBytes, newZstdBytes, stepS, tools: {} };
      // The order rotates so no tool always runs first after the step.
      const order = TOOLS.map((_, i) => TOOLS[(i + h) % TOOLS.length]!);
      for (const t of order) {
        const m = runTool(t, `${t}-h${h}`, h);
        const repoBytes = duBytes(d(t).repo);
        // tar: every hour is a whole new archive; its size is the growth.
        hour.tools[t] = { m, repoBytes, growthBytes: repoBytes - repoNow[t] };
        repoNow[t] = repoBytes;
      }
      rep.hours.push(hour);
      save();
    }

    // Full restore of the newest backup.
    process.stderr.write("restore\n");
    const srcDb = new DatabaseSync(join(agent, "store", "messages.db"), { readOnly: true });
    const srcRows = Number((srcDb.prepare("SELECT count(*) AS n FROM messages").get() as { n: number }).n);
    srcDb.close();
    const srcPgRows = Number(psql(pg, "SELECT count(*) FROM memories").trim());
    const countRows = (path: string) => {
      if (!existsSync(path)) return -1;
      const db = new DatabaseSync(path, { readOnly: true });
      try { return Number((db.prepare("SELECT count(*) AS n FROM messages").get() as { n: number }).n); } finally { db.close(); }
    };
    const grepCount = (path: string) => {
      if (!existsSync(path)) return -1;
      const sql = readFileSync(path, "utf8");
      const at = sql.indexOf("COPY public.memories");
      if (at < 0) return -1;
      const end = sql.indexOf("\n\\.\n", at);
      return sql.slice(sql.indexOf("\n", at) + 1, end).split("\n").length;
    };
    for (const t of TOOLS) {
      const r = d(t).restore;
      rmSync(r, { recursive: true, force: true });
      let m: Measure;
      let dbPath: string;
      let sqlRows: number;
      switch (t) {
        case "lifeboat": {
          // Every file of the snapshot, each item in its folder (the dump as a file), as the peers.
          const [c, a, e] = lb(["restore", "latest", "--target", r]);
          m = measure(`${t}-restore`, c, [...a], e);
          dbPath = join(r, "messages", "messages.db");
          sqlRows = grepCount(join(r, "memory-db", `${pg.database}.sql`));
          break;
        }
        case "restic":
          mkdirSync(r, { recursive: true });
          m = measure(`${t}-restore`, "restic", ["restore", "latest", "--target", r], resticEnv);
          dbPath = join(r, d(t).capture, "messages.db");
          sqlRows = grepCount(join(r, d(t).capture, "memory_db.sql"));
          break;
        case "borg": {
          mkdirSync(r, { recursive: true });
          const last = sh("borg", ["list", "--short", "--last", "1"], { env: borgEnv }).trim();
          m = measure(`${t}-restore`, "/bin/sh", ["-c", `cd ${shq(r)} && borg extract ::${last}`], borgEnv);
          dbPath = join(r, d(t).capture, "messages.db");
          sqlRows = grepCount(join(r, d(t).capture, "memory_db.sql"));
          break;
        }
        case "tar": {
          mkdirSync(r, { recursive: true });
          const last = readdirSync(d(t).repo).sort().at(-1)!;
          m = measure(`${t}-restore`, "tar", ["-xzf", join(d(t).repo, last), "-C", r], baseEnv);
          dbPath = join(r, "capture", "messages.db");
          sqlRows = grepCount(join(r, "capture", "memory_db.sql"));
          break;
        }
      }
      const rows = countRows(dbPath);
      const ok = rows === srcRows && sqlRows === srcPgRows;
      rep.tools[t]!.restore = m;
      rep.tools[t]!.restoreCheck = `${ok ? "ok" : "MISMATCH"} (messages ${rows}/${srcRows}, memories ${sqlRows}/${srcPgRows})`;
      process.stderr.write(`  ${t}: ${rep.tools[t]!.restoreCheck}\n`);
      save();
    }
    agentRestores({ agent, pg, srcRows, srcPgRows, countRows, d, lbEnv, lifeboatMain, cfg, resticEnv, rep });
    save();
    rep.done = true;
    save();
  } finally {
    try { dropPgDatabase(pg); } catch (err) { process.stderr.write(`could not drop ${pg.database}: ${String(err)}\n`); }
    if (!values.keep) rmSync(work, { recursive: true, force: true });
    else process.stderr.write(`kept ${work}\n`);
  }
  console.log(renderTable(rep));
  console.log(`\nraw: bench/out/agent-${stamp}.json; logs: bench/out/agent-logs-${stamp}/`);
  const bad = TOOLS.filter((t) => !rep.tools[t]?.restoreCheck?.startsWith("ok"));
  if (bad.length > 0) {
    console.error(`RESTORE MISMATCH for ${bad.join(", ")}`);
    process.exitCode = 1;
  }
}

interface AgentRestoreCtx {
  agent: string;
  pg: PgOptions;
  srcRows: number;
  srcPgRows: number;
  countRows(path: string): number;
  d(t: Tool): { base: string; capture: string; restore: string };
  lbEnv: NodeJS.ProcessEnv;
  lifeboatMain: string;
  cfg: string;
  resticEnv: NodeJS.ProcessEnv;
  rep: Report;
}

/**
 * agentRestores brings the agent back as on a new machine: an empty root and a database
 * that does not exist yet. lifeboat restores, loads and verifies in one command; restic
 * restores, then psql loads the dump into a fresh database and sqlite3 checks the copy.
 */
function agentRestores(x: AgentRestoreCtx): void {
  const fresh = (t: Tool) => ({ ...x.pg, database: `${x.pg.database}_${t}_restored` });
  const pgRows = (db: PgOptions) => Number(psql(db, "SELECT count(*) FROM memories").trim());
  process.stderr.write("agent restore (new machine)\n");
  // lifeboat: the same agent, its database item pointed at a database that does not exist.
  const lbDb = fresh("lifeboat");
  const cfg = x.cfg.replace(/\.yaml$/, "-restore.yaml");
  writeFileSync(cfg, readFileSync(x.cfg, "utf8").replace(`database: ${x.pg.database}`, `database: ${lbDb.database}`).replace(`/${x.pg.database}\n`, `/${lbDb.database}\n`));
  const root = join(x.d("lifeboat").base, "new-root");
  rmSync(root, { recursive: true, force: true });
  try {
    const m = measure("lifeboat-agent-restore", NODE, [x.lifeboatMain, "--config", cfg, "restore", "latest", "--agent", AGENT_NAME, "--target", root], x.lbEnv);
    const rows = x.countRows(join(root, "store", "messages.db"));
    const sqlRows = pgRows(lbDb);
    x.rep.tools.lifeboat!.agentRestore = m;
    x.rep.tools.lifeboat!.agentRestoreCheck = `${rows === x.srcRows && sqlRows === x.srcPgRows ? "ok" : "MISMATCH"} (messages ${rows}/${x.srcRows}, memories ${sqlRows}/${x.srcPgRows})`;
  } finally {
    dropPgDatabase(lbDb);
  }
  // restic: restore, then load the dump by hand and check the SQLite copy.
  const rDb = fresh("restic");
  const r = join(x.d("restic").base, "new-root");
  rmSync(r, { recursive: true, force: true });
  mkdirSync(r, { recursive: true });
  const cap = join(r, x.d("restic").capture);
  const conn = `-h 127.0.0.1 -U postgres`;
  try {
    const m = measure("restic-agent-restore", "/bin/sh", ["-c", `set -e; restic restore latest --target ${shq(r)} > /dev/null; ` +
      `createdb ${conn} ${rDb.database}; psql ${conn} -q -X -v ON_ERROR_STOP=1 -d ${rDb.database} -f ${shq(join(cap, "memory_db.sql"))} > /dev/null; ` +
      `test "$(sqlite3 ${shq(join(cap, "messages.db"))} 'PRAGMA integrity_check')" = ok`], x.resticEnv);
    const rows = x.countRows(join(cap, "messages.db"));
    const sqlRows = pgRows(rDb);
    x.rep.tools.restic!.agentRestore = m;
    x.rep.tools.restic!.agentRestoreCheck = `${rows === x.srcRows && sqlRows === x.srcPgRows ? "ok" : "MISMATCH"} (messages ${rows}/${x.srcRows}, memories ${sqlRows}/${x.srcPgRows})`;
  } finally {
    dropPgDatabase(rDb);
  }
  for (const t of ["lifeboat", "restic"] as const) process.stderr.write(`  ${t}: agent restore ${x.rep.tools[t]!.agentRestoreCheck}\n`);
}

function lbInit(lb: (args: string[]) => readonly [string, readonly string[], NodeJS.ProcessEnv]): [string, string[], { env: NodeJS.ProcessEnv }] {
  const [c, a, e] = lb(["init"]);
  return [c, [...a], { env: e }];
}

if (import.meta.main) await main();
