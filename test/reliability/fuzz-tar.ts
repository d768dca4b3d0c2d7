/**
 * @module test/reliability/fuzz-tar
 * Mutations of an export archive below the compression: the raw tar stream with one header
 * field changed and its checksum made right again (so the reader's tar parser accepts the
 * header and the checks behind it get the hostile value), and whole entries renamed,
 * retyped, duplicated, dropped or given other content, packed again with tar-stream.
 */
import { Readable } from "node:stream";
import { gunzipSync, gzipSync, zstdCompressSync, zstdDecompressSync } from "node:zlib";
import tar, { type Header as Headers } from "tar-stream";
import { mutateJson, type Mutated, type Rand } from "./fuzz-mutate.ts";
import { pick } from "./record.ts";

export type Compression = "gzip" | "zstd" | "none";

export function inflate(archive: Buffer): Buffer {
  if (archive[0] === 0x1f && archive[1] === 0x8b) return gunzipSync(archive);
  return zstdDecompressSync(archive);
}

export function deflate(tarBytes: Buffer, c: Compression): Buffer {
  return c === "gzip" ? gzipSync(tarBytes) : c === "zstd" ? zstdCompressSync(tarBytes) : tarBytes;
}

/** headerOffsets lists where each 512-byte header of a tar stream starts. */
function headerOffsets(t: Buffer): number[] {
  const out: number[] = [];
  for (let at = 0; at + 512 <= t.length && t[at] !== 0;) {
    out.push(at);
    const size = parseInt(t.subarray(at + 124, at + 136).toString("latin1").replace(/\0.*$/s, "").trim() || "0", 8) || 0;
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

/** FIELDS: [offset, length] of the ustar fields worth lying in, and the lies. */
const FIELDS: Record<string, [number, number, string[]]> = {
  name: [0, 100, ["../evil", "/etc/passwd", "top/../../x", "a\\b", "top/a\0b", "", "other-top/x", "top/items/x/" + "y".repeat(90)]],
  mode: [100, 8, ["7777777", "0000000", "zzzzzzz", "4755   "]],
  size: [124, 12, ["77777777777", "00000000000", "99999999999", "-1", "\x80\x00\x00\x00\x00\x00\x00\x7f\xff\xff\xff\xff"]],
  mtime: [136, 12, ["77777777777", "00000000000", "zz"]],
  type: [156, 1, ["0", "1", "2", "3", "4", "5", "6", "7", "x", "g", "L", "K", "\0", "Z"]],
  linkname: [157, 100, ["../../../../etc/passwd", "/etc/shadow", "", "../items", "a/../../b"]],
  magic: [257, 8, ["ustar  \0", "\0\0\0\0\0\0\0\0", "ustar\x0000"]],
  prefix: [345, 155, ["..", "/abs", "top/items/../..", "x".repeat(155)]],
};

/** mutateHeader lies in one field of one header and makes its checksum right again. */
export function mutateHeader(r: Rand, t: Buffer): Mutated<Buffer> {
  const offsets = headerOffsets(t);
  if (offsets.length === 0) return { value: t, how: "no-header" };
  const out = Buffer.from(t);
  const at = offsets[pick(r, offsets.length)]!;
  const names = Object.keys(FIELDS);
  const field = names[pick(r, names.length)]!;
  const [off, len, lies] = FIELDS[field]!;
  const lie = Buffer.from(lies[pick(r, lies.length)]!, "latin1");
  out.fill(0, at + off, at + off + len);
  lie.copy(out, at + off, 0, Math.min(len, lie.length));
  fixChecksum(out, at);
  return { value: out, how: `header@${at}.${field}=${JSON.stringify(lie.toString("latin1")).slice(0, 40)}` };
}

function fixChecksum(t: Buffer, at: number): void {
  t.fill(0x20, at + 148, at + 156);
  let sum = 0;
  for (let i = at; i < at + 512; i++) sum += t[i]!;
  t.write(sum.toString(8).padStart(6, "0") + "\0 ", at + 148, "latin1");
}

export interface Entry { header: Headers; body: Buffer }

/** readEntries unpacks a tar stream into memory (the archives here are small). */
export async function readEntries(t: Buffer): Promise<Entry[]> {
  const out: Entry[] = [];
  const ex = tar.extract();
  Readable.from([t]).pipe(ex);
  for await (const e of ex) {
    const chunks: Buffer[] = [];
    for await (const c of e as AsyncIterable<Buffer>) chunks.push(c);
    out.push({ header: { ...e.header }, body: Buffer.concat(chunks) });
  }
  return out;
}

/** packEntries packs entries again as tar-stream writes them. */
export async function packEntries(entries: Entry[]): Promise<Buffer> {
  const pack = tar.pack();
  const packed = (async () => {
    const chunks: Buffer[] = [];
    for await (const c of pack as unknown as AsyncIterable<Buffer>) chunks.push(c);
    return Buffer.concat(chunks);
  })();
  packed.catch(() => undefined); // an entry tar-stream refuses fails below; this must not also go unhandled
  for (const e of entries) {
    const body = e.header.type === "file" || e.header.type === undefined ? e.body : undefined;
    await new Promise<void>((res, rej) => pack.entry({ ...e.header, size: body?.length ?? 0 }, body as Buffer, (err) => (err ? rej(err) : res())));
  }
  pack.finalize();
  return packed;
}

const TYPES: Headers["type"][] = ["file", "directory", "symlink", "link", "fifo", "character-device", "block-device"];
const NAMES = ["../up", "/abs/path", "x/../../../y", "a\\b", "items/ghost/file", "manifest.json", "RUNBOOK.md", "items", ""];

/** mutateEntries changes one entry (or the manifest's JSON) and says how. */
export function mutateEntries(r: Rand, entries: Entry[]): Mutated<Entry[]> {
  const out = entries.map((e) => ({ header: { ...e.header }, body: e.body }));
  const i = pick(r, out.length);
  const e = out[i]!;
  const top = out[0]!.header.name.replace(/\/.*$/, "");
  const op = pick(r, 7);
  if (op === 0 || e.header.name.endsWith("manifest.json")) {
    const m = out.find((x) => x.header.name.endsWith("/manifest.json"))!;
    const j = mutateJson(r, JSON.parse(m.body.toString()));
    m.body = Buffer.from(j.value);
    return { value: out, how: `manifest:${j.how}` };
  }
  if (op === 1) e.header.name = `${top}/${NAMES[pick(r, NAMES.length)]}`;
  else if (op === 2) [e.header.type, e.header.linkname] = [TYPES[pick(r, TYPES.length)]!, NAMES[pick(r, NAMES.length)]!];
  else if (op === 3) out.splice(i, 0, { header: { ...e.header }, body: e.body });
  else if (op === 4) out.splice(i, 1);
  else if (op === 5) e.body = Buffer.concat([e.body, Buffer.from("tampered")]);
  else out.reverse();
  return { value: out, how: `entry(${e.header.name.slice(top.length)}):${["", "rename", "retype", "duplicate", "drop", "content", "reverse"][op]}` };
}
