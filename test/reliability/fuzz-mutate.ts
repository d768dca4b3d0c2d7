/**
 * @module test/reliability/fuzz-mutate
 * The mutators of the fuzz suites, all driven by the seeded rng of record.ts so a failing
 * input can be made again from the seed: byte mutations (bit flips, interesting bytes, huge
 * 32-bit length fields, truncation, extension, splices, duplicated and deleted ranges, fresh
 * random bytes) and JSON mutations (wrong types, missing and unknown keys, duplicated
 * entries, deep nesting, huge strings and numbers). Each returns what it did, for messages.
 */
import { pick } from "./record.ts";

export type Rand = () => number;

export interface Mutated<T> {
  value: T;
  /** The operations applied, e.g. "flip(3)+truncate(112)". */
  how: string;
}

const BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x20, 0x22, 0x5b, 0x7b];
/** Length fields a parser might trust: zero, one, sign bits, all ones. */
const U32 = [0, 1, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0x0000ffff, 0x00100000];

export function randomBytes(r: Rand, n: number): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) out[i] = pick(r, 256);
  return out;
}

type ByteOp = (r: Rand, b: Buffer, others: readonly Uint8Array[]) => [Buffer, string];

const byteOps: ByteOp[] = [
  (r, b) => {
    const out = Buffer.from(b);
    const n = 1 + pick(r, 8);
    for (let i = 0; i < n && out.length > 0; i++) out[pick(r, out.length)]! ^= 1 << pick(r, 8);
    return [out, `flip(${n})`];
  },
  (r, b) => {
    const out = Buffer.from(b);
    const n = 1 + pick(r, 4);
    for (let i = 0; i < n && out.length > 0; i++) out[pick(r, out.length)] = BYTES[pick(r, BYTES.length)]!;
    return [out, `bytes(${n})`];
  },
  (r, b) => {
    if (b.length < 4) return [b, "u32(short)"];
    const out = Buffer.from(b);
    const at = r() < 0.3 ? out.length - 4 : pick(r, out.length - 3);
    const v = U32[pick(r, U32.length)]!;
    if (r() < 0.5) out.writeUInt32LE(v, at);
    else out.writeUInt32BE(v, at);
    return [out, `u32(${at}=${v.toString(16)})`];
  },
  (r, b) => {
    const n = pick(r, b.length + 1);
    return [b.subarray(0, n), `truncate(${n})`];
  },
  (r, b) => {
    const n = pick(r, b.length + 1);
    return [b.subarray(n), `cutfront(${n})`];
  },
  (r, b) => {
    const n = 1 + pick(r, 2048);
    return [Buffer.concat([b, randomBytes(r, n)]), `extend(${n})`];
  },
  (r, b, others) => {
    const o = others.length > 0 ? Buffer.from(others[pick(r, others.length)]!) : randomBytes(r, 64);
    const at = pick(r, b.length + 1);
    const from = pick(r, o.length + 1);
    return [Buffer.concat([b.subarray(0, at), o.subarray(from)]), `splice(${at},${from})`];
  },
  (r, b) => {
    const at = pick(r, b.length + 1);
    const len = pick(r, Math.min(4096, b.length - at) + 1);
    const seg = b.subarray(at, at + len);
    const times = 1 + pick(r, 4);
    return [Buffer.concat([b.subarray(0, at + len), ...Array<Buffer>(times).fill(seg), b.subarray(at + len)]), `dup(${at},${len}x${times})`];
  },
  (r, b) => {
    const at = pick(r, b.length + 1);
    const len = pick(r, b.length - at + 1);
    return [Buffer.concat([b.subarray(0, at), b.subarray(at + len)]), `delete(${at},${len})`];
  },
];

/** mutateBytes applies one to three random byte operations; sometimes it returns fresh random bytes instead. */
export function mutateBytes(r: Rand, input: Uint8Array, others: readonly Uint8Array[] = []): Mutated<Buffer> {
  if (r() < 0.04) {
    const n = pick(r, 4097);
    return { value: randomBytes(r, n), how: `random(${n})` };
  }
  let b: Buffer = Buffer.from(input);
  const hows: string[] = [];
  const ops = 1 + (r() < 0.3 ? pick(r, 3) : 0);
  for (let i = 0; i < ops; i++) {
    const [out, how] = byteOps[pick(r, byteOps.length)]!(r, b, others);
    b = out;
    hows.push(how);
  }
  return { value: b, how: hows.join("+") };
}

// JSON -----------------------------------------------------------------------------------

/** DEEP marks where a deeply nested array is spliced into the JSON text (stringify cannot). */
const DEEP = "\u0000deep\u0000";

type Path = (string | number)[];

function paths(v: unknown, at: Path = [], out: Path[] = []): Path[] {
  if (out.length > 2000) return out;
  out.push(at);
  if (Array.isArray(v)) v.slice(0, 50).forEach((x, i) => paths(x, [...at, i], out));
  else if (v !== null && typeof v === "object") for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}

function wrongValue(r: Rand): [unknown, string] {
  const choices: [() => unknown, string][] = [
    [() => null, "null"], [() => true, "true"], [() => 0, "0"], [() => -1, "-1"], [() => 1.5, "1.5"],
    [() => 2 ** 53 + 2, "2^53+2"], [() => 1e308, "1e308"], [() => -1e308, "-1e308"], [() => "", "\"\""],
    [() => "x", "\"x\""], [() => "../../etc/passwd", "\"../..\""], [() => "0".repeat(64), "zeros64"],
    [() => [], "[]"], [() => ({}), "{}"], [() => [null], "[null]"], [() => ({ a: 1 }), "{a}"],
    [() => "🦜\u0000\uffff", "odd-unicode"], [() => "2026-13-45T99:99:99Z", "bad-date"],
    [() => DEEP, "deep"], [() => "x".repeat(1 << (10 + pick(r, 11))), "huge-string"],
    [() => Array.from({ length: 1000 + pick(r, 20000) }, (_, i) => i), "big-array"],
  ];
  const [make, name] = choices[pick(r, choices.length)]!;
  return [make(), name];
}

function getAt(v: unknown, p: Path): unknown {
  return p.reduce<unknown>((x, k) => (x as Record<string | number, unknown>)[k], v);
}

/** mutateValue changes one place of a JSON value (a deep copy); the path and change are in `how`. */
export function mutateValue(r: Rand, doc: unknown): Mutated<unknown> {
  const v = structuredClone(doc);
  const all = paths(v);
  const p = all[pick(r, all.length)]!;
  const where = p.join(".") || "(root)";
  const parent = p.length === 0 ? undefined : getAt(v, p.slice(0, -1)) as Record<string | number, unknown>;
  const key = p.at(-1)!;
  const op = pick(r, 5);
  if (!parent) {
    const [x, name] = wrongValue(r);
    return { value: r() < 0.5 ? x : [v], how: `root=${r() < 0.5 ? name : "[doc]"}` };
  }
  if (op === 0 && Array.isArray(parent)) {
    parent.splice(Number(key), 1);
    return { value: v, how: `remove(${where})` };
  }
  if (op === 0) {
    delete parent[key];
    return { value: v, how: `delete(${where})` };
  }
  if (op === 1 && Array.isArray(parent)) {
    parent.push(...Array<unknown>(1 + pick(r, 3)).fill(parent[Number(key)]));
    return { value: v, how: `duplicate(${where})` };
  }
  if (op === 2 && !Array.isArray(parent)) {
    parent[`unknown${pick(r, 100)}`] = wrongValue(r)[0];
    return { value: v, how: `unknown-key(${where})` };
  }
  if (op === 3) {
    const other = all[pick(r, all.length)]!;
    parent[key] = structuredClone(getAt(v, other));
    return { value: v, how: `swap(${where}<-${other.join(".") || "(root)"})` };
  }
  const [x, name] = wrongValue(r);
  parent[key] = x;
  return { value: v, how: `${where}=${name}` };
}

/** jsonText renders a mutated value, expanding a deep-nesting marker into 1,000-200,000 brackets. */
export function jsonText(r: Rand, value: unknown): string {
  const text = JSON.stringify(value) ?? "null";
  if (!text.includes(JSON.stringify(DEEP))) return text;
  const depth = 1000 * (1 + pick(r, 200));
  return text.replace(JSON.stringify(DEEP), "[".repeat(depth) + "]".repeat(depth));
}

/** mutateJson: one to three value mutations, and now and then a byte mutation of the text. */
export function mutateJson(r: Rand, doc: unknown): Mutated<string> {
  let m: Mutated<unknown> = { value: doc, how: "" };
  const hows: string[] = [];
  for (let i = 0, n = 1 + (r() < 0.3 ? pick(r, 3) : 0); i < n; i++) {
    m = mutateValue(r, m.value);
    hows.push(m.how);
  }
  let text = jsonText(r, m.value);
  if (r() < 0.15) {
    const b = mutateBytes(r, Buffer.from(text));
    text = b.value.toString("utf8");
    hows.push(`text:${b.how}`);
  }
  return { value: text, how: hows.join("+") };
}
