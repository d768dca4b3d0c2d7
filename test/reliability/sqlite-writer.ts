/**
 * @module test/reliability/sqlite-writer
 * The live writer of the SQLite suite, and how a test drives it. Run as a script
 * (`node sqlite-writer.ts DB RATE`), it commits one message per transaction into a NanoClaw
 * messages.db in WAL mode, ids 1, 2, 3, ... in order, keeping to RATE transactions a second
 * by the clock (after a stall it catches up, so the rate is an average it really reached),
 * until SIGTERM; then it prints how many it committed, over how long, and its slowest commit.
 * test/e2e/agent-concurrent-writer.test.ts drives it too, at 500 a second during one backup.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";

export const WRITER_CHAT = "tg:writer";

export interface Writer {
  child: ChildProcess;
  out(): string;
}

export interface WriterStats {
  rows: number;
  ms: number;
  /** The longest single commit: how long a backup held the writer up at worst. */
  maxCommitMs: number;
}

function runWriter(path: string, rate: number): void {
  const db = new DatabaseSync(path, { timeout: 10_000 });
  db.exec("PRAGMA journal_mode=WAL");
  // messages.chat_jid references chats (node:sqlite enforces foreign keys): the chat first.
  db.exec(`INSERT OR IGNORE INTO chats (jid, name, channel, is_group) VALUES ('${WRITER_CHAT}', 'Writer', 'telegram', 0)`);
  const insert = db.prepare(`INSERT INTO messages (id, chat_jid, sender, sender_name, content, timestamp, is_from_me, is_bot_message) VALUES (?, '${WRITER_CHAT}', 'writer', 'Writer', ?, ?, 0, 0)`);
  const start = performance.now();
  let n = 0;
  let maxCommitMs = 0;
  const timer = setInterval(() => {
    for (const due = Math.floor(((performance.now() - start) * rate) / 1000); n < due;) {
      const t = performance.now();
      n++;
      insert.run(String(n), `message ${n} from the writer`, new Date().toISOString());
      maxCommitMs = Math.max(maxCommitMs, performance.now() - t);
      if (n <= 25) process.stdout.write(`wrote ${n}\n`);
    }
  }, 2);
  process.on("SIGTERM", () => {
    clearInterval(timer);
    const ms = Math.round(performance.now() - start);
    db.close();
    process.stdout.write(`stopped at ${n} after ${ms} ms, slowest commit ${Math.round(maxCommitMs)} ms\n`);
    process.exit(0);
  });
}

/** startWriter runs the writer on `db` and resolves once it has committed `warmup` rows. */
export async function startWriter(db: string, rate: number, warmup: number): Promise<Writer> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), db, String(rate)], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stderr!.setEncoding("utf8").on("data", (d: string) => { err += d; });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      if (out.includes(`wrote ${warmup}\n`)) resolve();
    });
    child.on("exit", (code) => reject(new Error(`writer exited early (${code}): ${err}`)));
  });
  return { child, out: () => out };
}

/** stopWriter stops the writer and returns what it did. */
export async function stopWriter(w: Writer): Promise<WriterStats> {
  const exited = new Promise<number | null>((r) => w.child.on("exit", (code) => r(code)));
  w.child.kill("SIGTERM");
  const code = await exited;
  const m = /stopped at (\d+) after (\d+) ms, slowest commit (\d+) ms/.exec(w.out());
  if (code !== 0 || !m) throw new Error(`writer failed (exit ${code}): ${w.out().slice(-500)}`);
  return { rows: Number(m[1]), ms: Number(m[2]), maxCommitMs: Number(m[3]) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) runWriter(process.argv[2]!, Number(process.argv[3] ?? 200));
