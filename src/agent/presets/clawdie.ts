/**
 * @module agent/presets/clawdie
 * clawdie-ai: a NanoClaw v1 layout plus two PostgreSQL databases, `memory_db` (the agent's
 * memory, required) and `skills_db` (regenerable, skipped by default). No public copy of
 * clawdie exists (agent-layouts.md §2.1, §8), so recognition rests on its own markers (a
 * package name, a DATABASE_URL in .env, its pg_dump files) on top of the v1 layout. The
 * connection comes from options, else the root's .env (DATABASE_URL or PG* variables), else
 * libpq defaults on 127.0.0.1:5432.
 */
import { join } from "node:path";
import { isFile, readEnv, readText } from "./_fs.ts";
import { detectNanoclaw, nanoclawBuilder, nanoclawHealth } from "./nanoclaw.ts";
import type { Detection, PgOptions, Preset, PresetOptions, PresetPlan } from "./preset.ts";
import type { PostgresItem } from "../types.ts";

export const clawdie: Preset = {
  name: "clawdie",
  description: "clawdie-ai: NanoClaw v1 plus PostgreSQL memory_db and skills_db",
  // Container paths (/workspace/group) are not host paths: nothing to rewrite.
  pathRewrites: [],
  detect,
  plan,
  // Its databases are proven by the drill's own scratch restore; the rest is NanoClaw v1.
  health: nanoclawHealth,
};

async function detect(root: string): Promise<Detection> {
  const base = await detectNanoclaw(root);
  const markers: string[] = [];
  if (/"name"\s*:\s*"[^"]*clawdie/i.test((await readText(join(root, "package.json"))) ?? "")) markers.push('package.json name "clawdie"');
  const env = await readEnv(join(root, ".env"));
  if (env.DATABASE_URL !== undefined) markers.push(".env DATABASE_URL (PostgreSQL)");
  for (const f of ["memory_db.sql", "skills_db.sql"]) if (await isFile(join(root, f))) markers.push(`${f} (clawdie pg_dump)`);
  if (markers.length === 0 || base.confidence < 0.4 || (await isFile(join(root, "data", "v2.db")))) return { confidence: 0, evidence: [] };
  // Above plain NanoClaw, which the same folder also matches.
  return { confidence: Math.min(1, base.confidence + 0.1), evidence: [...base.evidence, ...markers] };
}

async function plan(root: string, opts: PresetOptions = {}): Promise<PresetPlan> {
  const b = await nanoclawBuilder(root, opts);
  const conn = await connection(root, opts.pg);
  const dbs = { memory: opts.pg?.databases?.memory ?? "memory_db", skills: opts.pg?.databases?.skills ?? "skills_db" };
  b.add(pgItem("memory-db", dbs.memory, conn, { class: "database", required: true }));
  const skills = b.add(pgItem("skills-db", dbs.skills, conn, { class: "database", required: false, regenerable: true }), { skip: true });
  b.notCovered.push(`${skills} (PostgreSQL ${dbs.skills}): regenerable, skipped by default`);
  b.notCovered.push("PostgreSQL roles and server settings: recreate them before restoring the databases");
  for (const f of ["memory_db.sql", "skills_db.sql"]) {
    if (await isFile(join(root, f))) b.leaveOut(f, "clawdie's own pg_dump output: the databases themselves are captured");
  }
  return b.build();
}

interface Conn {
  url?: string;
  env?: Record<string, string>;
}

/** connection resolves options > .env DATABASE_URL > .env PG* > libpq defaults on localhost. */
async function connection(root: string, pg?: PgOptions): Promise<Conn> {
  if (pg?.url !== undefined || pg?.env !== undefined) return { ...(pg.url !== undefined ? { url: pg.url } : {}), ...(pg.env !== undefined ? { env: pg.env } : {}) };
  const env = await readEnv(join(root, ".env"));
  if (env.DATABASE_URL !== undefined) return { url: env.DATABASE_URL };
  const pgEnv = Object.fromEntries(Object.entries(env).filter(([k]) => /^PG[A-Z]+$/.test(k)));
  if (Object.keys(pgEnv).length > 0) return { env: pgEnv };
  return { env: { PGHOST: "127.0.0.1", PGPORT: "5432" } };
}

function pgItem(name: string, database: string, conn: Conn, extra: Pick<PostgresItem, "class" | "required" | "regenerable">): PostgresItem {
  const item: PostgresItem = { kind: "postgres", name, database, ...extra };
  if (conn.url !== undefined) item.url = withDatabase(conn.url, database);
  if (conn.env !== undefined) item.env = { ...conn.env };
  return item;
}

/** withDatabase points a postgres:// URL at `database` (one server, two databases). */
function withDatabase(url: string, database: string): string {
  try {
    const u = new URL(url);
    u.pathname = `/${encodeURIComponent(database)}`;
    return u.toString();
  } catch (cause) {
    throw new Error("clawdie: DATABASE_URL is not a URL", { cause });
  }
}
