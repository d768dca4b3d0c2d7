/**
 * @module sources
 * The source registry: one factory per item kind. Heavy work (pg_dump, node:sqlite) lives
 * in the kind's own file and starts only when an item of that kind is captured.
 */
import { relative, sep } from "node:path";
import type { Item } from "../model/agent.ts";
import { createCommandSource } from "./command.ts";
import { createFilesSource, createSecretSource } from "./files.ts";
import { createPostgresSource } from "./postgres.ts";
import type { Source } from "./source.ts";
import { createSqliteSource } from "./sqlite.ts";

export type { CaptureContext, CapturedItem, Source } from "./source.ts";
export { SourceError } from "./source.ts";

/** createSource returns the source for `item`; `all` lets a files item leave out what others capture. */
export function createSource(item: Item, all: readonly Item[] = []): Source {
  switch (item.kind) {
    case "files": return createFilesSource(item, coveredBy(item.path, item.name, all));
    case "secret": return createSecretSource(item);
    case "sqlite": return createSqliteSource(item);
    case "postgres": return createPostgresSource(item);
    case "command": return createCommandSource(item);
  }
}

/** coveredBy lists other items' paths inside `dir`, relative to it (a files item leaves them to their own item; drift's live scan does the same). */
export function coveredBy(dir: string, self: string, all: readonly Item[]): { path: string; item: string }[] {
  const out: { path: string; item: string }[] = [];
  for (const other of all) {
    if (other.name === self || !("path" in other)) continue;
    const rel = relative(dir, other.path);
    if (rel && !rel.startsWith("..") && !rel.startsWith(sep)) out.push({ path: rel.split(sep).join("/"), item: other.name });
  }
  return out;
}
