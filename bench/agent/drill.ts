/**
 * @module bench/agent/drill
 * Recovery time of the benchmark agent (bench/agent/generate.ts): how long `lifeboat drill`
 * takes to bring the agent back into a sandbox and prove it, side by side with what a restic
 * user and a tar.gz user would run to get the same state back. All from one backup of the same
 * agent, one run each, page cache dropped before every command when root.
 *
 *   lifeboat drill               restore into a sandbox + prove every item (hashes, SQLite
 *                                integrity and every row, pg dump loaded into a scratch
 *                                database with checksums, JSON parsed, preset health)
 *   lifeboat drill --from-scratch the same in a fresh process with no config and no cache
 *   restic restore --verify      files + the SQLite copy + the dump file; --verify re-reads
 *                                every restored file against the repository; the dump is
 *                                NOT loaded and SQLite NOT checked
 *   restic + load                the restic restore, then `psql -f` of the dump into a
 *                                scratch database and `sqlite3 PRAGMA integrity_check`
 *   tar -xzf                     unpack the hourly archive; nothing is checked
 *
 *   node_modules/.bin/node bench/agent/drill.ts [--scale 1] [--seed 1] [--no-build] [--work DIR]
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { dropPgDatabase, generateAgent, type PgOptions } from "./generate.ts";
import { canDropCaches, dropCaches, duBytes, sh, timeCommand, type Timed } from "../proc.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const NODE = process.execPath;
const PASSWORD = "correct horse battery staple";
const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

interface Row { tool: string; what: string; m: Timed; itemsMs?: Record<string, number> }

function main(): void {
  const { values } = parseArgs({ options: {
    scale: { type: "string", default: "1" }, seed: { type: "string", default: "1" },
    work: { type: "string" }, "no-build": { type: "boolean", default: false },
  } });
  for (const c of ["restic", "sqlite3", "pg_dump", "psql"]) if (spawnSync(c, ["--version"]).error) throw new Error(`${c} is missing`);
  const stamp = new Date().toISOString().replace(/\.\d+Z$/, "Z").replace(/[:.-]/g, "");
  const work = resolve(values.work ?? `/tmp/lifeboat-drill-bench-${stamp}`);
  const logs = join(ROOT, "bench/out", `drill-logs-${stamp}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(logs, { recursive: true });
  mkdirSync(work, { recursive: true });
  if (!values["no-build"]) sh("npm", ["run", "build", "--silent"], { cwd: ROOT });
  const drop = canDropCaches();
  const pg: PgOptions = { database: `lb_drill_bench_${stamp.toLowerCase().replace(/[^a-z0-9]/g, "")}` };
  const agent = join(work, "agent");
  const pw = join(work, "password");
  writeFileSync(pw, PASSWORD + "\n", { mode: 0o600 });
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("LIFEBOAT_") && !k.startsWith("RESTIC_")));
  const rows: Row[] = [];
  const run = (tool: string, what: string, cmd: string, args: string[], env: NodeJS.ProcessEnv) => {
    if (drop) dropCaches();
    const r = timeCommand(tool.replace(/\W+/g, "-"), cmd, args, env, logs);
    process.stderr.write(`  ${tool.padEnd(28)} ${r.m.wallS.toFixed(2).padStart(7)} s ${(r.m.maxRssKB / 1024).toFixed(0).padStart(5)} MiB\n`);
    rows.push({ tool, what, m: r.m });
    return r.stdout;
  };
  try {
    process.stderr.write(`generating scale ${values.scale} agent\n`);
    const stats = generateAgent(agent, { seed: Number(values.seed), scale: Number(values.scale), pg });
    const cfg = join(work, "lifeboat.yaml");
    writeFileSync(cfg, `repository: { url: ${join(work, "lb-repo")}, password_file: ${pw} }
agents:
  - name: andy
    preset: custom
    root: ${agent}
    items:
      - { name: workspace, kind: files, path: ., exclude: ["store/**", ".env"] }
      - { name: messages, kind: sqlite, path: store/messages.db }
      - { name: memory-db, kind: postgres, database: ${pg.database}, url: "postgres://postgres@127.0.0.1:5432/${pg.database}" }
      - { name: env, kind: secret, path: .env }
`);
    const lbEnv = { ...base, XDG_CACHE_HOME: join(work, "lb-cache"), XDG_STATE_HOME: join(work, "lb-state") };
    const lb = (...args: string[]) => [NODE, [join(ROOT, "dist/cli/main.js"), "--config", cfg, ...args], lbEnv] as const;
    sh(lb("init")[0], [...lb("init")[1]], { env: lbEnv });
    sh(lb("backup")[0], [...lb("backup")[1]], { env: lbEnv });
    const capture = join(work, "capture");
    mkdirSync(capture);
    sh("sqlite3", [join(agent, "store/messages.db"), `.backup ${capture}/messages.db`]);
    sh("pg_dump", ["-h", "127.0.0.1", "-U", "postgres", "-d", pg.database, "-f", join(capture, "memory_db.sql")]);
    const rEnv = { ...base, RESTIC_PASSWORD_FILE: pw, RESTIC_REPOSITORY: join(work, "restic-repo"), RESTIC_CACHE_DIR: join(work, "restic-cache") };
    sh("restic", ["init"], { env: rEnv });
    sh("restic", ["backup", "--quiet", "--exclude", join(agent, "store"), agent, capture], { env: rEnv });
    const tgz = join(work, "agent.tar.gz");
    sh("tar", ["-czf", tgz, "--exclude=agent/store", "-C", work, "capture", "agent"]);

    process.stderr.write("recovery\n");
    const [c, a, e] = lb("--json", "drill");
    rows.push(...itemsOf(run("lifeboat drill", "restore + verify everything + health", c, [...a], e), rows.pop()!));
    const [c2, a2, e2] = lb("--json", "drill", "--from-scratch");
    rows.push(...itemsOf(run("lifeboat drill --from-scratch", "the same, new process, no config/cache", c2, [...a2], e2), rows.pop()!));
    const out = join(work, "restic-out");
    run("restic restore --verify", "files + dump file; files re-read", "restic", ["restore", "latest", "--target", out, "--verify"], rEnv);
    const scratch = `${pg.database}_restic`;
    run("restic restore + load + check", "then psql the dump, sqlite integrity_check", "/bin/sh", ["-c",
      `set -e; rm -rf ${shq(out)}; restic restore latest --target ${shq(out)} >/dev/null; ` +
      `createdb -h 127.0.0.1 -U postgres ${scratch}; psql -q -h 127.0.0.1 -U postgres -d ${scratch} -v ON_ERROR_STOP=1 -f ${shq(join(out, capture, "memory_db.sql"))} >/dev/null; ` +
      `test "$(sqlite3 ${shq(join(out, capture, "messages.db"))} 'PRAGMA integrity_check')" = ok`], rEnv);
    sh("dropdb", ["-h", "127.0.0.1", "-U", "postgres", "--if-exists", scratch]);
    const tout = join(work, "tar-out");
    mkdirSync(tout);
    run("tar -xzf", "unpack only; nothing checked", "tar", ["-xzf", tgz, "-C", tout], base);
    const report = { date: stamp, scale: Number(values.scale), agent: { ...stats, size: duBytes(agent) }, dropCaches: drop, rows };
    writeFileSync(join(ROOT, "bench/out", `drill-${stamp}.json`), JSON.stringify(report, null, 2) + "\n");
    console.log(renderTable(rows));
  } finally {
    dropPgDatabase(pg);
    rmSync(work, { recursive: true, force: true });
  }
}

/** itemsOf turns a drill's JSON into the row's per-item times; it fails the bench on a failed drill. */
function itemsOf(stdout: string, row: Row): Row[] {
  const doc = JSON.parse(stdout.trim().split("\n").at(-1)!) as { ok: boolean; drills: { recovery_ms: number; items: { name: string; ms: number }[] }[] };
  if (!doc.ok) throw new Error(`drill failed: ${stdout.slice(0, 2000)}`);
  const d = doc.drills[0]!;
  return [{ ...row, what: `${row.what} (recovery_ms ${d.recovery_ms})`, itemsMs: Object.fromEntries(d.items.map((i) => [i.name, i.ms])) }];
}

function renderTable(rows: Row[]): string {
  const lb = rows[0]!.m.wallS;
  const lines = ["| command | what it does | wall | × lifeboat drill | peak RSS |", "|---|---|---:|---:|---:|"];
  for (const r of rows) lines.push(`| ${r.tool} | ${r.what} | ${r.m.wallS.toFixed(2)} s | ${(r.m.wallS / lb).toFixed(2)} | ${(r.m.maxRssKB / 1024).toFixed(0)} MiB |`);
  const items = rows[0]!.itemsMs ?? {};
  lines.push("", "lifeboat drill per item: " + Object.entries(items).map(([k, v]) => `${k} ${(v / 1000).toFixed(2)} s`).join(", "));
  return lines.join("\n");
}

if (import.meta.main) main();
