/**
 * @module doctor/postgres
 * For each PostgreSQL item the next backup takes: connect with the item's settings, read
 * the server version, and find a pg_dump that can dump it, with the same psql session and
 * version rules the backup uses (sources/pgtools), so doctor and backup cannot disagree.
 */
import type { AgentConfig, PostgresItem } from "../agent/types.ts";
import { choosePgDump, choosePsql, findPgBinaries, majorOfServer, PgError, pgConnection, type PgFailure } from "../sources/pgtools.ts";
import { PsqlSession } from "../sources/psql.ts";
import { error, errorText, ok, type Finding } from "./types.ts";

const CHECK = "postgres";

export interface PgCheckOptions {
  searchPath?: string[] | undefined;
  signal?: AbortSignal | undefined;
}

/** checkPostgres returns one finding per PostgreSQL item of `agent` that is not skipped. */
export async function checkPostgres(agent: AgentConfig, opts: PgCheckOptions = {}): Promise<Finding[]> {
  const items = agent.items.filter((i): i is PostgresItem => i.kind === "postgres" && !agent.skip.includes(i.name));
  return Promise.all(items.map((item) => checkItem(agent, item, opts)));
}

async function checkItem(agent: AgentConfig, item: PostgresItem, opts: PgCheckOptions): Promise<Finding> {
  const where = { agent: agent.name, item: item.name };
  try {
    const conn = pgConnection(item);
    const psql = await choosePsql(opts);
    const session = new PsqlSession(psql.path, conn, { signal: opts.signal });
    let row: string[] | undefined;
    try {
      [row] = await session.query("SELECT pg_catalog.current_setting('server_version_num'), pg_catalog.current_setting('server_version');");
    } finally {
      await session.close();
    }
    const major = majorOfServer(Number(row?.[0]));
    const dump = choosePgDump(major, await findPgBinaries("pg_dump", opts));
    return ok(CHECK, `${item.name}: database ${item.database} on ${conn.where}, PostgreSQL ${row?.[1] ?? "?"}, pg_dump ${dump.version} (${dump.path})`, where);
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    const reason: PgFailure = err instanceof PgError ? err.reason : "failed";
    const [message, advice] = splitAdvice(errorText(err));
    return error(CHECK, `${item.name}: ${message}`, fixFor(reason, message, advice, agent.name), where);
  }
}

/** splitAdvice separates pgtools' "what happened — what to do" messages. */
function splitAdvice(text: string): [string, string | undefined] {
  const i = text.indexOf(" — ");
  return i < 0 ? [text, undefined] : [text.slice(0, i), text.slice(i + 3)];
}

function fixFor(reason: PgFailure, message: string, advice: string | undefined, agent: string): string {
  switch (reason) {
    case "server-down":
      return `start PostgreSQL (e.g. \`systemctl start postgresql\`), or point the item at the right server: its url, or PGHOST/PGPORT in its env (agent ${agent} in lifeboat.yaml)`;
    case "no-tools": {
      const install = /apt-get install \S+/.exec(message)?.[0];
      return install !== undefined ? `install a matching client: ${install} (or the PGDG package for your system)` : "install the PostgreSQL client tools (psql, pg_dump): apt-get install postgresql-client";
    }
    default:
      return advice ?? "run `psql` with the item's settings to see the full error, then fix the item's url or env in lifeboat.yaml";
  }
}
