/**
 * @module config/schema
 * The shape of `lifeboat.yaml` as written (snake_case keys, duration strings, paths as the
 * user typed them). The schema only checks shape: defaults, `~` expansion, path resolution
 * and durations in ms are applied by config/convert, so the schema stays free of transforms
 * and converts one-to-one into docs/lifeboat.schema.json for editors.
 * Every object is strict: a misspelt key is an error, never silently ignored.
 */
import { z } from "zod";
import { RESTORE_ORDER } from "../agent/types.ts";

/** NAME_PATTERN: agent and item names (they appear in manifests, snapshot tags, --only/--skip). */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** DURATION_PATTERN: what ui/format parseDurationArg accepts, minus whitespace: 500ms, 30s, 5m, 1h30m. */
export const DURATION_PATTERN = /^(\d+(\.\d+)?(ms|s|m|h|d))+$/;

/** DEFAULT_HOOK_TIMEOUT: a hook with no `timeout:` is killed after this long. */
export const DEFAULT_HOOK_TIMEOUT = "5m";

const name = (what: string) =>
  z.string().regex(NAME_PATTERN, { error: `${what} name must match [a-z0-9][a-z0-9._-]{0,63}` });
const text = (description: string) => z.string().min(1, { error: "must not be empty" }).describe(description);
const duration = (description: string) =>
  z.string().regex(DURATION_PATTERN, { error: "expected a duration such as 500ms, 30s, 5m or 1h30m" }).describe(description);
const path = (description: string) => text(description);
const globs = (description: string) => z.array(z.string().min(1, { error: "must not be empty" })).nullish().describe(description);

// Keys every item kind accepts. `required` defaults to true unless `regenerable` is true.
const itemBase = {
  name: name("item").describe("Unique within the agent; names the item in snapshots, --only and --skip."),
  class: z.enum(RESTORE_ORDER).optional().describe("Restore order and drift expectations. Default: files → other, sqlite/postgres → database, secret → secret, command → config."),
  regenerable: z.boolean().optional().describe("Derived data that can be rebuilt (a search index); `--skip NAME` leaves it out. Default false."),
  required: z.boolean().optional().describe("A required item that cannot be captured fails the backup. Default: true, or false when regenerable."),
};

export const FilesItemSchema = z.strictObject({
  ...itemBase,
  kind: z.literal("files"),
  path: path("A folder or a single file; relative paths are relative to the agent root."),
  include: globs("Globs relative to `path`; default: everything."),
  exclude: globs("Globs relative to `path` to leave out."),
});

export const SqliteItemSchema = z.strictObject({
  ...itemBase,
  kind: z.literal("sqlite"),
  path: path("The database file; captured through SQLite; relative to the agent root."),
});

export const PostgresItemSchema = z.strictObject({
  ...itemBase,
  kind: z.literal("postgres"),
  database: text("The database to dump."),
  url: text("postgres://user@host:port/db; when absent, the libpq environment (PGHOST, ...) applies.").optional(),
  env: z
    .record(z.string(), z.union([z.string(), z.number()]))
    .nullish()
    .describe("Extra libpq environment: PGHOST, PGPORT, PGUSER, PGPASSFILE, ..."),
});

export const SecretItemSchema = z.strictObject({
  ...itemBase,
  kind: z.literal("secret"),
  path: path("A secret file (.env, auth profiles); relative to the agent root."),
});

export const CommandItemSchema = z.strictObject({
  ...itemBase,
  kind: z.literal("command"),
  command: text("Run with /bin/sh -c; its stdout is stored as a file."),
  filename: text("Name of the stored file. Default: <name>.txt.").optional(),
  timeout: duration("Kill the command after this long.").optional(),
});

export const ItemSchema = z.discriminatedUnion("kind", [FilesItemSchema, SqliteItemSchema, PostgresItemSchema, SecretItemSchema, CommandItemSchema]);

/** ITEM_KINDS lists the kinds in schema order, for messages. */
export const ITEM_KINDS = ["files", "sqlite", "postgres", "secret", "command"] as const;

export const HookSchema = z.strictObject({
  command: text("Run with /bin/sh -c."),
  timeout: duration(`Kill the hook after this long. Default ${DEFAULT_HOOK_TIMEOUT}.`).optional(),
});

export const AgentSchema = z.strictObject({
  name: name("agent").describe("Unique in the file; names the agent's snapshots."),
  preset: text("openclaw, nanoclaw, clawdie, hermes or workspace: the items lifeboat knows for this kind of agent."),
  root: path("The agent's state folder; `~` is expanded, relative paths are relative to this file."),
  skip: z.array(z.string()).nullish().describe("Item names left out by default (regenerable data)."),
  hooks: z
    .strictObject({ before: HookSchema.optional().describe("Runs before the backup."), after: HookSchema.optional().describe("Runs after the backup.") })
    .nullish(),
  stop: text("Stops the agent (restore --stop-agent).").optional(),
  start: text("Starts the agent again after a restore.").optional(),
  status: text("Exits 0 while the agent runs.").optional(),
  pid_files: z.array(z.string().min(1)).nullish().describe("Files whose live pid means the agent runs; relative to the root."),
  items: z.array(ItemSchema).nullish().describe("Extra items, or replacements of preset items with the same name."),
});

export const RepositorySchema = z.strictObject({
  url: text("Repository location: a path, local:/path, sftp:user@host:/path or s3:https://endpoint/bucket/prefix. --repo and LIFEBOAT_REPOSITORY override it.").optional(),
  options: z
    .record(z.string().regex(/^[a-z0-9]+\.[a-z0-9-]+$/, "keys are scheme.key, e.g. sftp.port"), z.union([z.string(), z.number(), z.boolean()]))
    .nullish()
    .describe("Backend options, e.g. {sftp.port: 2222} or {s3.region: eu-west-1}; -o flags override them (docs/sftp.md, docs/s3.md)."),
  password_file: path("File holding the repository password; `~` is expanded, relative to this file.").optional(),
});

export const ConfigFileSchema = z
  .strictObject({
    repository: RepositorySchema.nullish(),
    agents: z.array(AgentSchema).nullish().describe("The agents to back up; several agents make a team."),
  })
  .meta({ title: "lifeboat.yaml", description: "lifeboat configuration: the repository and the agents to back up (docs/config.md)." });

/** ConfigFile is the parsed file before conversion (snake_case, as written). */
export type ConfigFile = z.infer<typeof ConfigFileSchema>;
export type FileAgent = z.infer<typeof AgentSchema>;
export type FileItem = z.infer<typeof ItemSchema>;
export type FileHook = z.infer<typeof HookSchema>;
