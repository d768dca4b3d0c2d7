/**
 * @module config/gen-schema.test
 * The committed docs/lifeboat.schema.json must equal what gen-schema.ts generates, and the
 * examples in docs/config.md must load, so neither can drift from the code.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { generateSchemaJson, SCHEMA_PATH } from "./gen-schema.ts";
import { parseConfig } from "./index.ts";

const DOC = fileURLToPath(new URL("../../docs/config.md", import.meta.url));

test("docs/lifeboat.schema.json is up to date (regenerate: node src/config/gen-schema.ts)", async () => {
  const stale = (await readFile(SCHEMA_PATH, "utf8")) !== generateSchemaJson();
  // A plain boolean: a diff of two 20 KB strings would bury the instruction.
  assert.ok(!stale, "docs/lifeboat.schema.json is stale: run node_modules/.bin/node src/config/gen-schema.ts");
});

test("the schema is draft-07, strict, and knows every item kind", () => {
  const schema = JSON.parse(generateSchemaJson()) as { $schema: string; additionalProperties: boolean };
  assert.equal(schema.$schema, "http://json-schema.org/draft-07/schema#");
  assert.equal(schema.additionalProperties, false);
  for (const kind of ["files", "sqlite", "postgres", "secret", "command"]) assert.ok(generateSchemaJson().includes(`"const": "${kind}"`), kind);
});

test("the YAML examples in docs/config.md are valid configs", async () => {
  const md = await readFile(DOC, "utf8");
  const blocks = [...md.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const full = blocks.find((b) => b.includes("agents:"));
  assert.ok(full, "docs/config.md has a full example");
  const cfg = parseConfig(full, "docs/config.md", { home: "/home/ada" });
  assert.deepEqual(cfg.agents.map((a) => [a.name, a.preset]), [["wren", "openclaw"], ["clawdie", "clawdie"]]);
  const pg = cfg.agents[1]?.items.filter((i) => i.kind === "postgres");
  assert.equal(pg?.length, 2);
  for (const b of blocks) parseConfig(b, "docs/config.md", { home: "/home/ada" });
});
