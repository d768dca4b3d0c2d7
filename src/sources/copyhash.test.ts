import assert from "node:assert/strict";
import { test } from "node:test";
import { DumpScanner, parseCopyHeader } from "./copyhash.ts";

const DUMP = [
  "SET client_encoding = 'UTF8';",
  "COPY public.tickets (id, title) FROM stdin;",
  "1\tone",
  "2\t\\N",
  "3\tthree ünï",
  "\\.",
  "",
  'COPY "Agent Data"."Weird ""Name""|x" (at, "Span") FROM stdin;',
  "\\.",
  "COPY public.empty FROM stdin;",
  "\\.",
  "SELECT pg_catalog.setval('public.t_seq', 3, true);",
  "",
].join("\n");

function scan(bytes: Buffer, piece: number): DumpScanner {
  const s = new DumpScanner({ hashRows: true });
  for (let i = 0; i < bytes.length; i += piece) s.push(bytes.subarray(i, i + piece));
  return s;
}

test("COPY headers give the unquoted key and the statement that reads the same columns back", () => {
  assert.deepEqual(parseCopyHeader("COPY public.tickets (id, title) FROM stdin;"),
    { key: "public.tickets", copyOut: "COPY public.tickets (id, title) TO STDOUT;" });
  assert.deepEqual(parseCopyHeader('COPY "Agent Data"."Weird ""Name""|x" (at) FROM stdin;'),
    { key: 'Agent Data.Weird "Name"|x', copyOut: 'COPY "Agent Data"."Weird ""Name""|x" (at) TO STDOUT;' });
  assert.equal(parseCopyHeader("COPY 1 row"), undefined);
});

test("counts and checksums do not depend on how the stream is cut, and any changed row changes them", () => {
  const bytes = Buffer.from(DUMP, "utf8");
  const whole = scan(bytes, bytes.length);
  assert.deepEqual(whole.tables.map((t) => t.key), ["public.tickets", 'Agent Data.Weird "Name"|x', "public.empty"]);
  assert.deepEqual([...whole.stats].map(([k, h]) => [k, h.rows]), [["public.tickets", 3], ['Agent Data.Weird "Name"|x', 0], ["public.empty", 0]]);
  const digest = whole.stats.get("public.tickets")!.digest();
  assert.match(digest, /^copy1:3:[0-9a-f]{32}$/);
  for (const piece of [1, 2, 7, 64]) assert.equal(scan(bytes, piece).stats.get("public.tickets")!.digest(), digest, `pieces of ${piece}`);
  const reordered = Buffer.from(DUMP.replace("1\tone\n2\t\\N\n", "2\t\\N\n1\tone\n"), "utf8");
  assert.equal(scan(reordered, 5).stats.get("public.tickets")!.digest(), digest, "row order does not matter");
  const changed = Buffer.from(DUMP.replace("1\tone", "1\tOne"), "utf8");
  assert.notEqual(scan(changed, 5).stats.get("public.tickets")!.digest(), digest);
});
