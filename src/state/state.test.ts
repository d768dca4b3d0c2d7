/**
 * @module state/state.test
 * setState/appendState: round trips, dotted keys, JSON or text values, the file's format and
 * mode, refusals that leave the file untouched, stale and held locks, a writer killed just
 * before its rename, and 20 concurrent `lifeboat state append` processes losing nothing.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmod, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { LifeboatError } from "../errors/index.ts";
import { appendState, parseValue, readState, setState } from "./index.ts";

const MAIN = resolve(import.meta.dirname, "../cli/main.ts");
let dir: string;
let n = 0;
const fresh = () => join(dir, `s${++n}.json`);

function node(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("LIFEBOAT_") && !k.startsWith("NODE_TEST")));
  const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d: Buffer) => { out += d; });
  child.stderr.on("data", (d: Buffer) => { out += d; });
  return new Promise((res) => child.on("close", (code, signal) => res({ code, signal, out })));
}

before(async () => { dir = await mkdtemp(join(tmpdir(), "lifeboat-state-")); });
after(() => rm(dir, { recursive: true, force: true }));

describe("setState and appendState", () => {
  it("round-trips dotted keys, keeps the format and the file's mode", async () => {
    const f = fresh();
    await setState(f, "decisions.latest", "ship v2");
    await chmod(f, 0o600);
    await appendState(f, "decisions.log", { what: "ship v2" });
    const r = await appendState(f, "decisions.log", 2);
    assert.equal(r.length, 2);
    await setState(f, "decisions.log.0.done", true);
    await setState(f, "turn", 4822);
    assert.deepEqual(await readState(f), { decisions: { latest: "ship v2", log: [{ what: "ship v2", done: true }, 2] }, turn: 4822 });
    const text = await readFile(f, "utf8");
    assert.equal(text, JSON.stringify(JSON.parse(text), null, 2) + "\n");
    assert.equal((await stat(f)).mode & 0o777, 0o600);
    assert.deepEqual((await readdir(dir)).filter((x) => x.startsWith(".lifeboat-") || x.endsWith(".lock")), []);
  });

  it("parses VALUE as JSON when it parses, else as text", () => {
    assert.equal(parseValue("42"), 42);
    assert.equal(parseValue("true"), true);
    assert.equal(parseValue("null"), null);
    assert.deepEqual(parseValue('{"a":[1]}'), { a: [1] });
    assert.equal(parseValue('"quoted"'), "quoted");
    assert.equal(parseValue("ship v2"), "ship v2");
    assert.equal(parseValue("{not json"), "{not json");
    assert.equal(parseValue("42", true), "42");
  });

  it("refuses what it cannot do and leaves the file as it was", async () => {
    const f = fresh();
    await writeFile(f, "{ broken");
    await assert.rejects(setState(f, "a", 1), (e) => e instanceof LifeboatError && /not valid JSON/.test(e.message));
    assert.equal(await readFile(f, "utf8"), "{ broken");
    const g = fresh();
    await setState(g, "a", "text");
    const before = await readFile(g, "utf8");
    await assert.rejects(appendState(g, "a", 1), /not an array/);
    await assert.rejects(setState(g, "a.b", 1), /holds a string/);
    await assert.rejects(setState(g, "__proto__.polluted", 1), /not allowed/);
    await assert.rejects(setState(g, "a..b", 1), /empty segment/);
    assert.equal(await readFile(g, "utf8"), before);
    await assert.rejects(setState(join(dir, "missing", "s.json"), "a", 1), /does not exist/);
  });

  it("breaks a stale lock and waits for a held one", async () => {
    const f = fresh();
    await writeFile(`${f}.lock`, JSON.stringify({ pid: 1, host: "elsewhere", nonce: "x" }));
    const old = new Date(Date.now() - 60_000);
    await utimes(`${f}.lock`, old, old);
    await setState(f, "a", 1);
    // Held by a live process on this host (this one, another nonce): refused after the wait.
    await writeFile(`${f}.lock`, JSON.stringify({ pid: process.pid, host: (await import("node:os")).hostname(), nonce: "other" }));
    await assert.rejects(setState(f, "a", 2, { waitMs: 100 }), (e) => e instanceof LifeboatError && /is locked by pid/.test(e.message));
    await rm(`${f}.lock`);
    assert.deepEqual(await readState(f), { a: 1 });
  });

  it("many writers in one process lose no append", async () => {
    const f = fresh();
    await Promise.all(Array.from({ length: 40 }, (_, i) => appendState(f, "events", i)));
    assert.deepEqual(((await readState(f)).events as number[]).sort((a, b) => a - b), Array.from({ length: 40 }, (_, i) => i));
  });
});

describe("crash safety", () => {
  it("a writer killed before its rename leaves the old file; the next writer ignores its temp file", async () => {
    const f = fresh();
    await setState(f, "decision", "old");
    const oldText = await readFile(f, "utf8");
    const script = join(dir, "crash.ts");
    await writeFile(script, [
      `import { stateFs } from ${JSON.stringify(resolve(import.meta.dirname, "atomic.ts"))};`,
      `import { setState } from ${JSON.stringify(resolve(import.meta.dirname, "state.ts"))};`,
      "stateFs.rename = async () => { process.kill(process.pid, 'SIGKILL'); await new Promise(() => {}); };",
      `await setState(${JSON.stringify(f)}, "decision", "new");`,
    ].join("\n"));
    const r = await node([script]);
    assert.equal(r.signal, "SIGKILL", r.out);
    assert.equal(await readFile(f, "utf8"), oldText, "the old document is intact");
    const left = (await readdir(dir)).filter((x) => x.startsWith(".lifeboat-state-"));
    assert.equal(left.length, 1, "the crashed writer's temp file is there");
    assert.ok(JSON.parse(await readFile(join(dir, left[0]!), "utf8")).decision === "new");
    // The dead writer's lock is stale at once (its pid is gone); its temp file is removed, never read.
    const res = await appendState(f, "log", "after the crash");
    assert.equal(res.cleaned, 1);
    assert.deepEqual(await readState(f), { decision: "old", log: ["after the crash"] });
    assert.deepEqual((await readdir(dir)).filter((x) => x.startsWith(".lifeboat-state-") || x.endsWith(".lock")), []);
  });

  it("20 concurrent `lifeboat state append` processes give 20 entries", { timeout: 120_000 }, async () => {
    const f = fresh();
    await setState(f, "keep", "me");
    const runs = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      node([MAIN, "state", "append", "decisions", JSON.stringify({ writer: i }), "--file", f, "--wait", "60s"])));
    for (const r of runs) assert.equal(r.code, 0, r.out);
    const doc = await readState(f);
    assert.equal(doc.keep, "me");
    const got = (doc.decisions as { writer: number }[]).map((d) => d.writer).sort((a, b) => a - b);
    assert.deepEqual(got, Array.from({ length: 20 }, (_, i) => i));
  });
});
