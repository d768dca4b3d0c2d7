/**
 * @module config/gen-schema
 * Generates docs/lifeboat.schema.json (JSON Schema draft-07, which every YAML editor
 * understands) from the zod schema, so editors check the same rules as lifeboat.
 * Run after changing config/schema.ts:
 *   node_modules/.bin/node src/config/gen-schema.ts
 * gen-schema.test.ts fails while the committed file differs from the generated one.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { ConfigFileSchema } from "./schema.ts";

/** SCHEMA_PATH is where the generated schema is committed. */
export const SCHEMA_PATH = fileURLToPath(new URL("../../docs/lifeboat.schema.json", import.meta.url));

/** generateSchemaJson returns the JSON Schema text, ending in a newline. */
export function generateSchemaJson(): string {
  // io "input": optional keys stay optional; defaults are applied by the loader, not the schema.
  const schema = z.toJSONSchema(ConfigFileSchema, { target: "draft-07", io: "input" });
  return `${JSON.stringify(schema, null, 2)}\n`;
}

if (import.meta.main) {
  writeFileSync(SCHEMA_PATH, generateSchemaJson());
  console.log(`wrote ${SCHEMA_PATH}`);
}
