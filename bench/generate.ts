/**
 * @module bench/generate
 * A deterministic, agent-like file tree for benchmarks: identity and memory markdown, daily
 * logs, JSONL session transcripts, gateway logs, a SQLite-like page file, an embeddings
 * file and incompressible attachments. The same (seed, scale) always gives the same bytes,
 * names and mtimes. Scale 1 is about 1 GiB; text compresses about 3× with zstd -3 and
 * about 30% of the bytes do not compress at all.
 *
 *   node_modules/.bin/node bench/generate.ts --out /tmp/tree [--scale 0.1] [--seed 1]
 *   node_modules/.bin/node bench/generate.ts --change /tmp/tree [--seed 1]
 */
import { closeSync, existsSync, lstatSync, lutimesSync, mkdirSync, openSync, readdirSync, readSync, statSync, symlinkSync, utimesSync, writeSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";

export const GiB = 1024 * 1024 * 1024;
const KiB = 1024;
const MiB = 1024 * 1024;

// ---------------------------------------------------------------------------------------
// PRNG: xorshift128 (Marsaglia 2003), seeded through splitmix32.

export class Rng {
  private x: number;
  private y: number;
  private z: number;
  private w: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const mix = () => {
      s = (s + 0x9e3779b9) | 0;
      let t = s ^ (s >>> 16);
      t = Math.imul(t, 0x21f0aaad);
      t ^= t >>> 15;
      t = Math.imul(t, 0x735a2d97);
      return (t ^ (t >>> 15)) | 0;
    };
    this.x = mix(); this.y = mix(); this.z = mix(); this.w = mix() || 1;
  }

  /** next returns a uint32. */
  next(): number {
    const t = this.x ^ (this.x << 11);
    this.x = this.y; this.y = this.z; this.z = this.w;
    this.w = (this.w ^ (this.w >>> 19) ^ t ^ (t >>> 8)) | 0;
    return this.w >>> 0;
  }

  /** below returns an integer in [0, n) (n ≤ 2^32). */
  below(n: number): number {
    return Math.floor((this.next() / 4294967296) * n);
  }

  float(): number {
    return this.next() / 4294967296;
  }

  /** logUniform returns an integer in [lo, hi] whose logarithm is uniform. */
  logUniform(lo: number, hi: number): number {
    return Math.round(lo * Math.pow(hi / lo, this.float()));
  }

  /** fill writes pseudo-random bytes into buf[from, to). */
  fill(buf: Uint8Array, from = 0, to = buf.length): void {
    let { x, y, z, w } = this;
    let i = from;
    // Whole words through an aligned Int32Array view: ~1 GB/s.
    const alignedStart = (buf.byteOffset + i + 3) & ~3;
    for (; i < to && ((buf.byteOffset + i) & 3) !== 0; i++) {
      const t = x ^ (x << 11); x = y; y = z; z = w; w = (w ^ (w >>> 19) ^ t ^ (t >>> 8)) | 0;
      buf[i] = w & 0xff;
    }
    const words = Math.max(0, Math.floor((to - i) / 4));
    if (words > 0) {
      const view = new Int32Array(buf.buffer, alignedStart, words);
      for (let k = 0; k < words; k++) {
        const t = x ^ (x << 11); x = y; y = z; z = w; w = (w ^ (w >>> 19) ^ t ^ (t >>> 8)) | 0;
        view[k] = w;
      }
      i += words * 4;
    }
    for (; i < to; i++) {
      const t = x ^ (x << 11); x = y; y = z; z = w; w = (w ^ (w >>> 19) ^ t ^ (t >>> 8)) | 0;
      buf[i] = w & 0xff;
    }
    this.x = x; this.y = y; this.z = z; this.w = w;
  }
}

// ---------------------------------------------------------------------------------------
// Vocabulary: common English and agent words plus synthetic ones, drawn Zipf-like.

const BASE_WORDS = (
  "the of and to a in is it you that he was for on are with as I his they be at one have this from or had by " +
  "not word but what some we can out other were all there when up use your how said an each she which do their " +
  "time if will way about many then them write would like so these her long make thing see him two has look more " +
  "day could go come did number sound no most people my over know water than call first who may down side been " +
  "now find any new work part take get place made live where after back little only round man year came show " +
  "every good me give our under name very through just form sentence great think say help low line differ turn " +
  "cause much mean before move right boy old too same tell does set three want air well also play small end put " +
  "home read hand port large spell add even land here must big high such follow act why ask men change went light " +
  "agent memory session tool call result user assistant model prompt token context file folder backup restore " +
  "snapshot repository config error warning message task plan step done todo note project meeting schedule email " +
  "calendar reminder search browser page click form login password deploy server database query index cache " +
  "request response status retry timeout queue worker job cron heartbeat gateway channel discord slack telegram " +
  "summary decision preference identity soul heartbeat goal review draft commit branch merge test build release " +
  "function variable parameter string number object array value return import export module package version " +
  "install update upgrade remove delete create open close read write append list show check verify encrypt key"
).split(" ");

const SYLLABLES = ("ka ri to mo na se lu vi pe da ko mi ra te no shi ba gu zo fe ly qua tri ste pho dra " +
  "cle mon ver tan gol bri sen dor pal wex yor zim hal cor fin lek mar nus ost pir rul sab tov ulm van").split(" ");

interface Vocab {
  bytes: Uint8Array;
  start: Int32Array;
  len: Int32Array;
  /** 65536-entry table mapping 16 random bits to a word index (Zipf-like). */
  pick: Uint16Array;
}

const VOCAB_SIZE = 3000;
const ZIPF_S = 1.1;
// Share of sentences that repeat earlier text (see Out.echo); tuned so text compresses ~3×.
const ECHO_PERCENT = 18;

function buildVocab(seed: number): Vocab {
  const rng = new Rng(seed ^ 0x5eed);
  const words = [...BASE_WORDS];
  const seen = new Set(words);
  while (words.length < VOCAB_SIZE) {
    const n = 1 + rng.below(4);
    let w = "";
    for (let i = 0; i < n; i++) w += SYLLABLES[rng.below(SYLLABLES.length)];
    if (!seen.has(w)) { seen.add(w); words.push(w); }
  }
  // Shuffle the synthetic tail into the base list so rank is not just "real words first".
  for (let i = words.length - 1; i > 120; i--) {
    const j = 120 + rng.below(i - 119);
    [words[i], words[j]] = [words[j]!, words[i]!];
  }
  const enc = words.map((w) => Buffer.from(w, "latin1"));
  const total = enc.reduce((s, b) => s + b.length, 0);
  const bytes = new Uint8Array(total);
  const start = new Int32Array(words.length);
  const len = new Int32Array(words.length);
  let o = 0;
  enc.forEach((b, i) => { start[i] = o; len[i] = b.length; bytes.set(b, o); o += b.length; });
  // Zipf over rank, quantised into 65536 slots.
  const weights = words.map((_, r) => 1 / Math.pow(r + 1, ZIPF_S));
  const sum = weights.reduce((a, b) => a + b, 0);
  const pick = new Uint16Array(65536);
  let slot = 0;
  let acc = 0;
  for (let r = 0; r < words.length; r++) {
    acc += weights[r]! / sum;
    const upto = Math.min(65536, Math.round(acc * 65536));
    for (; slot < upto; slot++) pick[slot] = r;
  }
  for (; slot < 65536; slot++) pick[slot] = words.length - 1;
  return { bytes, start, len, pick };
}

// ---------------------------------------------------------------------------------------
// Out: an append-only byte buffer with text helpers.

const HEX = Buffer.from("0123456789abcdef");
const B64 = Buffer.from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");

class Out {
  buf: Buffer;
  pos = 0;
  rng: Rng;
  readonly v: Vocab;

  constructor(cap: number, rng: Rng, v: Vocab) {
    this.buf = Buffer.allocUnsafeSlow(cap);
    this.rng = rng;
    this.v = v;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.pos + n, 4 * KiB));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  s(text: string): this {
    this.ensure(text.length);
    this.pos += this.buf.write(text, this.pos, "latin1");
    return this;
  }

  byte(c: number): this {
    this.ensure(1);
    this.buf[this.pos++] = c;
    return this;
  }

  /** words appends n space-separated words (first capitalised when cap). */
  words(n: number, cap = false): this {
    const { bytes, start, len, pick } = this.v;
    this.ensure(n * 24);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) {
      const w = pick[this.rng.next() & 0xffff]!;
      const s = start[w]!;
      const l = len[w]!;
      if (i > 0) buf[p++] = 0x20;
      for (let k = 0; k < l; k++) buf[p++] = bytes[s + k]!;
      if (i === 0 && cap && buf[p - l]! >= 0x61) buf[p - l] = buf[p - l]! - 0x20;
    }
    this.pos = p;
    return this;
  }

  /**
   * echo repeats a span of what was written in the last 32 KiB, as text does (quoted
   * messages, re-read files, templates): this, not the word choice, is what makes real
   * agent text compress about 3×. Does nothing at the start of a file.
   */
  echo(min = 24, max = 320): this {
    const back = Math.min(this.pos, 32 * KiB);
    const n = min + this.rng.below(max - min + 1);
    if (back < 2 * n) return this;
    const from = this.pos - back + this.rng.below(back - n);
    this.ensure(n);
    // Never copy a quote or backslash: the span may be pasted inside a JSON string.
    for (let i = 0; i < n; i++) {
      const c = this.buf[from + i]!;
      this.buf[this.pos++] = c === 0x22 || c === 0x5c || c < 0x20 ? 0x20 : c;
    }
    return this;
  }

  sentence(min = 5, max = 18): this {
    if (this.rng.below(100) < ECHO_PERCENT) return this.echo();
    this.words(min + this.rng.below(max - min + 1), true);
    const r = this.rng.below(10);
    return this.byte(r < 7 ? 0x2e : r < 9 ? 0x2c : 0x3f);
  }

  hex(n: number): this {
    this.ensure(n);
    for (let i = 0; i < n; i += 8) {
      let r = this.rng.next();
      for (let k = 0; k < 8 && i + k < n; k++, r >>>= 4) this.buf[this.pos++] = HEX[r & 15]!;
    }
    return this;
  }

  b64(n: number): this {
    this.ensure(n);
    for (let i = 0; i < n; i += 5) {
      let r = this.rng.next();
      for (let k = 0; k < 5 && i + k < n; k++, r >>>= 6) this.buf[this.pos++] = B64[r & 63]!;
    }
    return this;
  }

  int(max: number): this {
    return this.s(String(this.rng.below(max)));
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

// ---------------------------------------------------------------------------------------
// Content kinds.

const EPOCH = Date.UTC(2024, 0, 1) / 1000; // generated dates start here (seconds)

function isoDay(day: number): string {
  return new Date((EPOCH + day * 86400) * 1000).toISOString().slice(0, 10);
}

function isoTime(sec: number): string {
  return new Date(sec * 1000 + (sec % 1000)).toISOString();
}

function markdown(o: Out, size: number, title: string): void {
  o.s(`# ${title}\n\n`);
  while (o.pos < size) {
    const r = o.rng.below(10);
    if (r < 2) { o.s("## "); o.words(2 + o.rng.below(5), true); o.s("\n\n"); }
    else if (r < 5) {
      for (let i = 2 + o.rng.below(5); i > 0; i--) { o.s("- "); o.sentence(4, 14); o.byte(0x0a); }
      o.byte(0x0a);
    } else if (r < 6) {
      o.s("```bash\n");
      for (let i = 1 + o.rng.below(4); i > 0; i--) { o.words(1 + o.rng.below(3)); o.s(" --"); o.words(1); o.s(" ./"); o.words(1); o.s(".json\n"); }
      o.s("```\n\n");
    } else {
      for (let i = 2 + o.rng.below(5); i > 0; i--) { o.sentence(); o.byte(0x20); }
      o.s("\n\n");
    }
  }
}

function dailyLog(o: Out, size: number, day: number): void {
  o.s(`# ${isoDay(day)}\n\n`);
  let sec = 7 * 3600 + o.rng.below(3600);
  while (o.pos < size) {
    sec += 60 + o.rng.below(2400);
    const h = String(Math.floor(sec / 3600) % 24).padStart(2, "0");
    const m = String(Math.floor(sec / 60) % 60).padStart(2, "0");
    o.s(`## ${h}:${m} `); o.words(2 + o.rng.below(5), true); o.s("\n");
    for (let i = 1 + o.rng.below(5); i > 0; i--) { o.s("- "); o.sentence(4, 20); o.byte(0x0a); }
    o.byte(0x0a);
  }
}

const TOOLS = ["exec", "read", "write", "edit", "browser", "web_search", "message", "cron", "memory_search", "sessions_send"];

/** sessionLine appends one JSONL transcript event. */
function sessionLine(o: Out, sec: number, parent: string): string {
  o.s(`{"type":"message","id":"`);
  const at = o.pos;
  o.hex(8);
  const myId = o.buf.toString("latin1", at, at + 8);
  o.s(`","parentId":"${parent}","timestamp":"${isoTime(sec)}","message":{"role":"`);
  const r = o.rng.below(10);
  if (r < 3) {
    o.s(`user","content":[{"type":"text","text":"`);
    for (let i = 1 + o.rng.below(3); i > 0; i--) { o.sentence(); o.byte(0x20); }
    o.s(`"}]}}\n`);
  } else if (r < 6) {
    o.s(`assistant","content":[{"type":"text","text":"`);
    for (let i = 2 + o.rng.below(8); i > 0; i--) {
      o.sentence();
      o.s(o.rng.below(4) === 0 ? "\\n\\n- " : " ");
    }
    o.s(`"}],"api":"openai-responses","model":"gpt-5","usage":{"input":`).int(90000).s(`,"output":`).int(4000)
      .s(`,"cacheRead":`).int(80000).s(`,"totalTokens":`).int(120000).s(`},"stopReason":"stop"}}\n`);
  } else if (r < 8) {
    const tool = TOOLS[o.rng.below(TOOLS.length)]!;
    o.s(`assistant","content":[{"type":"toolCall","id":"call_`).hex(24).s(`","name":"${tool}","arguments":{"command":"`)
      .words(2 + o.rng.below(6)).s(` ./`).words(1).s(`/`).words(1).s(`.md"}}]}}\n`);
  } else {
    o.s(`toolResult","toolCallId":"call_`).hex(24).s(`","content":[{"type":"text","text":"`);
    const kind = o.rng.below(12);
    if (kind === 0) {
      o.b64(512 + o.rng.below(8 * 1024)); // an inline image or binary blob
    } else if (kind === 1) {
      for (let i = 5 + o.rng.below(40); i > 0; i--) { o.s("-rw-r--r-- 1 agent agent ").int(99999).s(" Mar ").int(28).s(" "); o.words(1); o.s("_").hex(6).s(".json\\n"); }
    } else {
      for (let i = 3 + o.rng.below(30); i > 0; i--) { o.sentence(6, 24); o.s("\\n"); }
    }
    o.s(`"}],"isError":false}}\n`);
  }
  return myId;
}

const SESSION_HEAD = `{"type":"session","version":3,"id":"`;
/** Offset of the session id in a transcript's first line. */
const SESSION_ID_AT = SESSION_HEAD.length;

function session(o: Out, size: number, startSec: number): void {
  o.s(SESSION_HEAD).hex(32).s(`","timestamp":"${isoTime(startSec)}","cwd":"/home/agent/workspace"}\n`);
  let sec = startSec;
  let parent = "00000000";
  while (o.pos < size) {
    sec += 1 + o.rng.below(90);
    parent = sessionLine(o, sec, parent);
  }
}

const LEVELS = ["INFO", "INFO", "INFO", "INFO", "DEBUG", "DEBUG", "WARN", "ERROR"];
const COMPONENTS = ["gateway", "agent", "cron", "channel/telegram", "channel/discord", "tools", "memory", "heartbeat"];

function logFile(o: Out, size: number, startSec: number): void {
  let sec = startSec;
  while (o.pos < size) {
    sec += o.rng.below(20);
    o.s(isoTime(sec)).s(" ").s(LEVELS[o.rng.below(LEVELS.length)]!).s(" [").s(COMPONENTS[o.rng.below(COMPONENTS.length)]!).s("] ");
    if (o.rng.below(100) < 75) o.echo(16, 64);
    else o.words(3 + o.rng.below(8));
    o.s(" run=").hex(8).s(" dur=").int(5000).s("ms\n");
  }
}

const rowScratch = new WeakMap<Vocab, Out>();

/** sqlitePage writes one 4 KiB b-tree leaf page: header, cell pointers, rows from the end, free space zero. */
function sqlitePage(o: Out, pageNo: number): void {
  const base = o.pos;
  const page = o.buf;
  page.fill(0, base, base + 4096);
  page[base] = 13; // leaf table page
  let end = 4096;
  let cells = 0;
  const free = 600 + o.rng.below(3000); // 600..3600 bytes of the page stay zero
  let row = rowScratch.get(o.v);
  if (!row) rowScratch.set(o.v, (row = new Out(4096, o.rng, o.v)));
  for (;;) {
    row.pos = 0;
    row.rng = o.rng;
    row.s("\x05").int(1 << 20).s("\x01").hex(16).s("\x02");
    row.words(4 + o.rng.below(40));
    row.s("\x03").int(1_700_000_000);
    const n = row.pos;
    if (end - n < free + 16 + 2 * (cells + 1)) break;
    end -= n;
    row.buf.copy(page, base + end, 0, n);
    page.writeUInt16BE(end, base + 16 + 2 * cells);
    cells++;
  }
  page.writeUInt16BE(cells, base + 3);
  page.writeUInt16BE(end, base + 5);
  page.writeUInt32BE(pageNo, base + 12);
  o.pos = base + 4096;
}

function sqliteFile(o: Out, size: number): void {
  const pages = Math.max(2, Math.floor(size / 4096));
  o.s("SQLite format 3\0");
  o.buf.fill(0, o.pos, 4096);
  o.pos = 4096;
  for (let p = 1; p < pages; p++) sqlitePage(o, p);
}

function embeddings(o: Out, size: number): void {
  const n = Math.floor(size / 4);
  const f = new Float32Array(o.buf.buffer, o.buf.byteOffset, n);
  for (let i = 0; i < n; i++) f[i] = (o.rng.float() + o.rng.float() + o.rng.float() - 1.5) * 0.08;
  o.pos = n * 4;
}

const MAGIC: Record<string, number[]> = {
  png: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
  jpg: [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46],
  pdf: [0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x37, 0x0a],
  zip: [0x50, 0x4b, 0x03, 0x04],
};

function binary(o: Out, size: number, ext: string): void {
  const magic = MAGIC[ext] ?? [];
  o.rng.fill(o.buf, 0, size);
  magic.forEach((b, i) => { if (i < size) o.buf[i] = b; });
  o.pos = size;
}

// ---------------------------------------------------------------------------------------
// Tree layout.

export interface GenerateOptions {
  seed: number;
  /** 1 ≈ 1 GiB. */
  scale: number;
}

export interface GenerateStats {
  files: number;
  dirs: number;
  symlinks: number;
  bytes: number;
  byKind: Record<string, { files: number; bytes: number }>;
  seconds: number;
}

/** Share of the total bytes per kind (sums to 1). */
const BUDGET = {
  sessions: 0.42,
  attachments: 0.20,
  sqlite: 0.12,
  embeddings: 0.09,
  logs: 0.08,
  projects: 0.06,
  memory: 0.03,
};

const IDENTITY = ["AGENTS.md", "SOUL.md", "IDENTITY.md", "USER.md", "TOOLS.md", "HEARTBEAT.md", "MEMORY.md", "BOOTSTRAP.md"];
const PROJECT_EXT = ["md", "md", "md", "ts", "py", "json", "txt", "yaml"];

class Tree {
  readonly root: string;
  readonly v: Vocab;
  readonly stats: GenerateStats = { files: 0, dirs: 0, symlinks: 0, bytes: 0, byKind: {}, seconds: 0 };
  private readonly dirs = new Set<string>();
  private mtime = EPOCH;

  get lastMtime(): number {
    return this.mtime;
  }
  private scratch: Buffer = Buffer.allocUnsafe(0);

  constructor(root: string, v: Vocab) {
    this.root = root;
    this.v = v;
  }

  /** out returns a reusable buffer big enough for `size` (files are written one at a time). */
  out(size: number, rng: Rng): Out {
    const o = new Out(0, rng, this.v);
    if (this.scratch.length < size + 512 * KiB) this.scratch = Buffer.allocUnsafeSlow(Math.max(size + 512 * KiB, 2 * this.scratch.length));
    o.buf = this.scratch;
    return o;
  }

  write(rel: string, data: Uint8Array, kind: string): void {
    const path = join(this.root, rel);
    const dir = dirname(path);
    if (!this.dirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      this.dirs.add(dir);
    }
    writeFileSync(path, data);
    this.mtime += 37 + (data.length % 3600); // deterministic, increasing mtimes
    utimesSync(path, this.mtime, this.mtime);
    const k = (this.stats.byKind[kind] ??= { files: 0, bytes: 0 });
    k.files++; k.bytes += data.length;
    this.stats.files++;
    this.stats.bytes += data.length;
  }

  link(rel: string, target: string): void {
    const path = join(this.root, rel);
    mkdirSync(dirname(path), { recursive: true });
    symlinkSync(target, path);
    lutimesSync(path, this.mtime, this.mtime);
    this.stats.symlinks++;
  }
}

/** generateTree writes the tree under `root` (which must not exist or be empty). */
export function generateTree(root: string, opts: GenerateOptions): GenerateStats {
  const t0 = performance.now();
  if (existsSync(root) && readdirSync(root).length > 0) throw new Error(`${root} is not empty`);
  const { seed, scale } = opts;
  const total = scale * GiB;
  const v = buildVocab(seed);
  const t = new Tree(root, v);
  const rng = new Rng(seed);
  // Each kind gets its own stream, so changing one kind's budget leaves the others' bytes alone.
  const stream = (k: number) => new Rng((seed * 1000003) ^ (k * 7919));

  // Identity files: a handful of small markdown files.
  {
    const r = stream(1);
    for (const name of IDENTITY) {
      const size = r.logUniform(1 * KiB, 24 * KiB);
      const o = t.out(size, r);
      markdown(o, size, name.replace(".md", ""));
      t.write(`workspace/${name}`, o.bytes(), "identity");
    }
  }

  // Daily memory logs, one per day.
  {
    const r = stream(2);
    let left = BUDGET.memory * total;
    for (let day = 0; left > 0; day++) {
      const size = Math.min(left, r.logUniform(2 * KiB, 60 * KiB));
      const o = t.out(size, r);
      dailyLog(o, size, day);
      t.write(`workspace/memory/${isoDay(day)}.md`, o.bytes(), "memory");
      left -= o.pos;
    }
  }

  // Projects: many small text files (notes, code, configs) in nested folders.
  {
    const r = stream(3);
    let left = BUDGET.projects * total;
    for (let i = 0; left > 0; i++) {
      const project = `p${String(Math.floor(i / 200)).padStart(3, "0")}`;
      const sub = ["", "notes/", "src/", "src/lib/", "data/", "docs/"][r.below(6)];
      const ext = PROJECT_EXT[r.below(PROJECT_EXT.length)]!;
      const size = Math.min(left, r.logUniform(300, 48 * KiB));
      const o = t.out(size, r);
      markdown(o, size, `file ${i}`);
      t.write(`workspace/projects/${project}/${sub}f${String(i).padStart(5, "0")}.${ext}`, o.bytes(), "projects");
      left -= o.pos;
    }
  }

  // Session transcripts: log-uniform sizes, the newest is the active one (appended to by change).
  let newestSession = "";
  {
    const r = stream(4);
    let left = BUDGET.sessions * total;
    let sec = EPOCH;
    const index: Record<string, unknown> = {};
    for (let i = 0; left > 0; i++) {
      const size = Math.min(left, r.logUniform(16 * KiB, Math.max(64 * KiB, 24 * MiB * Math.min(1, scale * 2))));
      sec += 3600 + r.below(86400 * 3);
      const o = t.out(size, r);
      session(o, size, sec);
      const name = `${String(i).padStart(4, "0")}-${o.buf.toString("latin1", SESSION_ID_AT, SESSION_ID_AT + 8)}`;
      t.write(`sessions/${name}.jsonl`, o.bytes(), "sessions");
      index[`agent:main:${name}`] = { sessionId: name, updatedAt: sec * 1000, file: `${name}.jsonl`, tokens: r.below(200000) };
      newestSession = name;
      left -= o.pos;
    }
    const json = Buffer.from(JSON.stringify(index, null, 2));
    t.write("sessions/sessions.json", json, "sessions");
  }

  // Gateway logs: rotated files, highly repetitive.
  {
    const r = stream(5);
    let left = BUDGET.logs * total;
    const per = Math.max(256 * KiB, Math.ceil(left / 8));
    for (let i = 0; left > 0; i++) {
      const size = Math.min(left, per);
      const o = t.out(size, r);
      logFile(o, size, EPOCH + i * 86400 * 7);
      t.write(i === 0 ? "logs/gateway.log" : `logs/gateway.${i}.log`, o.bytes(), "logs");
      left -= o.pos;
    }
  }

  // State: one SQLite-like page file and one embeddings file.
  {
    const r = stream(6);
    const sq = Math.max(64 * KiB, Math.floor((BUDGET.sqlite * total) / 4096) * 4096);
    const o = t.out(sq, r);
    sqliteFile(o, sq);
    t.write("state/agent.sqlite", o.bytes(), "sqlite");
    const em = Math.max(64 * KiB, Math.floor((BUDGET.embeddings * total) / 4) * 4);
    const e = t.out(em, r);
    embeddings(e, em);
    t.write("state/embeddings.bin", e.bytes(), "embeddings");
  }

  // Attachments: incompressible media, 5% of them saved twice under another name.
  {
    const r = stream(7);
    let left = BUDGET.attachments * total;
    const exts = ["png", "png", "jpg", "jpg", "pdf", "zip"];
    let prev: { data: Buffer; ext: string } | null = null;
    for (let i = 0; left > 0; i++) {
      const month = `2024-${String(1 + Math.floor(i / 40) % 12).padStart(2, "0")}`;
      if (prev && r.below(20) === 0) {
        t.write(`workspace/attachments/${month}/copy-${i}.${prev.ext}`, prev.data, "attachments");
        left -= prev.data.length;
        continue;
      }
      const ext = exts[r.below(exts.length)]!;
      const size = Math.min(left, r.logUniform(8 * KiB, 6 * MiB));
      const o = t.out(size, r);
      binary(o, size, ext);
      const data = o.bytes();
      t.write(`workspace/attachments/${month}/a${String(i).padStart(5, "0")}.${ext}`, data, "attachments");
      prev = { data: Buffer.from(data), ext };
      left -= size;
    }
  }

  // Symlinks as agents keep them: the active transcript and a skills folder.
  t.link("workspace/current-session.jsonl", `../sessions/${newestSession}.jsonl`);
  t.link("workspace/skills", "projects/p000");
  void rng;

  t.stats.dirs = finishDirs(root, t.lastMtime);
  t.stats.seconds = (performance.now() - t0) / 1000;
  return t.stats;
}

/** finishDirs gives every folder the same fixed mtime (children first) and counts them. */
function finishDirs(dir: string, mtime: number): number {
  let n = 1;
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) n += finishDirs(join(dir, e.name), mtime);
  utimesSync(dir, mtime, mtime);
  return n;
}

// ---------------------------------------------------------------------------------------
// The small change between two backups.

export interface ChangeStats {
  modified: string[];
  added: string[];
  bytesWritten: number;
}

/**
 * applySmallChange does what an agent does between two hourly backups: appends to the
 * active session transcript and the gateway log, rewrites MEMORY.md, updates a few pages
 * of the SQLite file in place, and starts a new daily log. Deterministic for a seed.
 */
export function applySmallChange(root: string, seed: number): ChangeStats {
  const v = buildVocab(seed);
  const r = new Rng(seed ^ 0xc4a96e);
  const st: ChangeStats = { modified: [], added: [], bytesWritten: 0 };
  const append = (rel: string, data: Uint8Array) => {
    const fd = openSync(join(root, rel), "a");
    writeSync(fd, data);
    closeSync(fd);
    st.modified.push(rel);
    st.bytesWritten += data.length;
  };

  // 1. Active session: ~200 KiB of new events.
  const sessions = readdirSync(join(root, "sessions")).filter((n) => n.endsWith(".jsonl")).sort();
  const active = sessions.at(-1)!;
  {
    const o = new Out(256 * KiB, r, v);
    let parent = "00000000";
    let sec = EPOCH + 400 * 86400;
    while (o.pos < 200 * KiB) parent = sessionLine(o, (sec += 5), parent);
    append(`sessions/${active}`, o.bytes());
  }
  // 2. Gateway log: ~512 KiB appended.
  {
    const o = new Out(600 * KiB, r, v);
    logFile(o, 512 * KiB, EPOCH + 400 * 86400);
    append("logs/gateway.log", o.bytes());
  }
  // 3. MEMORY.md rewritten: mostly the same text with a new section in the middle.
  {
    const p = join(root, "workspace/MEMORY.md");
    const old = readAll(p);
    const o = new Out(8 * KiB, r, v);
    o.s("\n## New preference\n\n- ").sentence().s("\n- ").sentence().s("\n\n");
    const mid = old.indexOf("\n\n", Math.floor(old.length / 2));
    const cut = mid < 0 ? old.length : mid + 2;
    const next = Buffer.concat([old.subarray(0, cut), o.bytes(), old.subarray(cut)]);
    writeFileSync(p, next);
    st.modified.push("workspace/MEMORY.md");
    st.bytesWritten += next.length;
  }
  // 4. SQLite: 16 pages rewritten in place (size unchanged).
  {
    const p = join(root, "state/agent.sqlite");
    const pages = Math.floor(statSync(p).size / 4096);
    const fd = openSync(p, "r+");
    for (let i = 0; i < 16; i++) {
      const page = 1 + r.below(pages - 1);
      const o = new Out(4096, r, v);
      sqlitePage(o, page);
      writeSync(fd, o.bytes(), 0, 4096, page * 4096);
      st.bytesWritten += 4096;
    }
    closeSync(fd);
    st.modified.push("state/agent.sqlite");
  }
  // 5. A new daily log and a new small session.
  {
    const days = readdirSync(join(root, "workspace/memory")).sort();
    const day = days.length;
    const o = new Out(16 * KiB, r, v);
    dailyLog(o, 12 * KiB, day);
    const rel = `workspace/memory/${isoDay(day)}.md`;
    writeFileSync(join(root, rel), o.bytes());
    st.added.push(rel);
    st.bytesWritten += o.pos;
    const s = new Out(1200 * KiB, r, v);
    session(s, 1024 * KiB, EPOCH + 401 * 86400);
    const rel2 = `sessions/${String(sessions.length).padStart(4, "0")}-${s.buf.toString("latin1", SESSION_ID_AT, SESSION_ID_AT + 8)}.jsonl`;
    writeFileSync(join(root, rel2), s.bytes());
    st.added.push(rel2);
    st.bytesWritten += s.pos;
  }
  return st;
}

function readAll(p: string): Buffer {
  const size = lstatSync(p).size;
  const buf = Buffer.alloc(size);
  const fd = openSync(p, "r");
  try {
    let done = 0;
    while (done < size) done += readSync(fd, buf, done, size - done, done);
  } finally {
    closeSync(fd);
  }
  return buf;
}

// ---------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: "string" },
      change: { type: "string" },
      scale: { type: "string", default: "1" },
      seed: { type: "string", default: "1" },
    },
  });
  const seed = Number(values.seed);
  if (values.change) {
    console.log(JSON.stringify(applySmallChange(values.change, seed), null, 2));
    return;
  }
  if (!values.out) throw new Error("usage: generate.ts --out DIR [--scale 1] [--seed 1] | --change DIR [--seed 1]");
  const stats = generateTree(values.out, { seed, scale: Number(values.scale) });
  console.log(JSON.stringify(stats, null, 2));
}

if (import.meta.main) await main();
