/**
 * @module sources/copyhash
 * Per-table row counts and checksums read from a plain pg_dump as it streams past, so a
 * capture needs no second scan of the database: on the bench memory database the
 * server-side md5 checksums took 1.7 s, longer than pg_dump itself (1.35 s). Restore
 * computes the same values from `COPY … TO STDOUT` of the loaded tables, inside the
 * load's transaction, with the settings pg_dump uses.
 *
 * A table's checksum ("copy1:<rows>:<hex>") is the count and two 64-bit lane sums of the
 * SHA-1 of every COPY line: a sum, so row order does not matter, and a restore compares
 * exactly the text a reload of this dump must give back.
 */
import { hash } from "node:crypto";

/** The tableHashScheme recorded in manifests whose checksums come from here. */
export const COPY_HASH_SCHEME = "copy1";

export interface CopyTable {
  /** "schema.table" with identifiers unquoted: the key row counts use. */
  key: string;
  /** The statement that reads the same columns back: `COPY "s"."t" (a, b) TO STDOUT;`. */
  copyOut: string;
}

const COPY_HEAD = Buffer.from("COPY ");
const END = "\\.";

/** LineHasher sums line hashes; lines are added without their "\n". */
export class LineHasher {
  rows = 0;
  private a = 0n;
  private b = 0n;

  add(line: Uint8Array): void {
    const d = hash("sha1", line, "buffer");
    this.a += d.readBigUInt64BE(0);
    this.b += d.readBigUInt64BE(8);
    this.rows++;
  }

  digest(): string {
    const hex = (v: bigint) => BigInt.asUintN(64, v).toString(16).padStart(16, "0");
    return `${COPY_HASH_SCHEME}:${this.rows}:${hex(this.a)}${hex(this.b)}`;
  }
}

/**
 * DumpScanner reads a plain dump in chunks of any size and finds its COPY blocks. With
 * `hashRows` it also counts and hashes their rows; without, it only lists the tables.
 */
export class DumpScanner {
  readonly tables: CopyTable[] = [];
  readonly stats = new Map<string, LineHasher>();
  private readonly hashRows: boolean;
  private partial: Buffer[] = [];
  private current: LineHasher | undefined;

  constructor(opts: { hashRows: boolean }) {
    this.hashRows = opts.hashRows;
  }

  push(chunk: Uint8Array): void {
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
      const piece = buf.subarray(start, nl);
      this.line(this.partial.length === 0 ? piece : Buffer.concat([...this.partial, piece]));
      this.partial = [];
      start = nl + 1;
    }
    // Copied: the caller may reuse or transfer the chunk once push returns.
    if (start < buf.length) this.partial.push(Buffer.from(buf.subarray(start)));
  }

  private line(line: Buffer): void {
    if (this.current !== undefined) {
      if (line.length === 2 && line.toString("latin1") === END) this.current = undefined;
      else if (this.hashRows) this.current.add(line);
      else this.current.rows++;
      return;
    }
    if (line.length < COPY_HEAD.length || line.compare(COPY_HEAD, 0, COPY_HEAD.length, 0, COPY_HEAD.length) !== 0) return;
    const table = parseCopyHeader(line.toString("utf8"));
    if (table === undefined) return;
    this.current = new LineHasher();
    this.tables.push(table);
    this.stats.set(table.key, this.current);
  }
}

/** scanDump passes a dump through unchanged, feeding every chunk to `scanner` first. */
export async function* scanDump(input: AsyncIterable<Uint8Array>, scanner: DumpScanner): AsyncGenerator<Uint8Array> {
  for await (const chunk of input) {
    scanner.push(chunk);
    yield chunk;
  }
}

/** parseCopyHeader reads pg_dump's `COPY s.t (a, "B") FROM stdin;` line. */
export function parseCopyHeader(line: string): CopyTable | undefined {
  const m = /^COPY ((?:"(?:[^"]|"")*"|[^\s."(]+)\.(?:"(?:[^"]|"")*"|[^\s."(]+)) (\(.*\) )?FROM stdin;$/.exec(line);
  if (!m) return undefined;
  const qualified = m[1]!;
  const parts = qualified.match(/"(?:[^"]|"")*"|[^."]+/g) ?? [];
  const unquote = (s: string) => (s.startsWith('"') ? s.slice(1, -1).replaceAll('""', '"') : s);
  return { key: parts.map(unquote).join("."), copyOut: `COPY ${qualified} ${m[2] ?? ""}TO STDOUT;` };
}
