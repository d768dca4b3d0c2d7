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
import { EVENT_KINDS } from "../notify/types.ts";
import { ScheduleSchema } from "../schedule/schema.ts";
import { TranscriptsSchema } from "../transcripts/schema.ts";
import { WatchSchema } from "../watch/schema.ts";

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

const DRIFT_CLASS_NAMES = ["identity", "memory", "continuity", "config", "secret", "other"] as const;
const percent = (description: string) =>
  z.string().regex(/^\d{1,3}(\.\d+)?%$/, { error: "expected a percentage such as 30%" }).describe(description);

export const DriftSchema = z
  .strictObject({
    classes: z
      .record(z.string().min(1), z.enum(DRIFT_CLASS_NAMES))
      .nullish()
      .describe("Globs relative to the agent root and the drift class their files get, e.g. {\"personas/*/SOUL.md\": identity}; checked before the preset's rules."),
    ignore: globs("Globs relative to the agent root never reported by `lifeboat drift`."),
    shrink: percent("How much a memory or continuity file, or a table's rows, may shrink before it is drift. Default 30%.").optional(),
  })
  .describe("Identity-drift detection (docs/drift.md).");

const limits = {
  warn: duration("Warn when the newest good snapshot is older than this. Default: 2 × interval.").optional(),
  critical: duration("Critical alert when the newest good snapshot is older than this. Default: 4 × interval.").optional(),
};

export const FreshnessSchema = z
  .strictObject({
    interval: duration("How often the agent is backed up (the schedule). Default 1h.").optional(),
    ...limits,
    items: z.record(z.string(), z.strictObject(limits)).nullish().describe("Per-item limits, by item name, for items captured less often."),
  })
  .describe("How old backups may get before `lifeboat status` warns and alerts fire (docs/alerts.md).");

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
  drift: DriftSchema.nullish(),
  freshness: FreshnessSchema.nullish(),
  transcripts: TranscriptsSchema.nullish(),
  watch: WatchSchema.nullish(),
});

export const RepositorySchema = z.strictObject({
  url: text("Repository location: a path, local:/path, sftp:user@host:/path or s3:https://endpoint/bucket/prefix. --repo and LIFEBOAT_REPOSITORY override it.").optional(),
  options: z
    .record(z.string().regex(/^[a-z0-9]+\.[a-z0-9-]+$/, "keys are scheme.key, e.g. sftp.port"), z.union([z.string(), z.number(), z.boolean()]))
    .nullish()
    .describe("Backend options, e.g. {sftp.port: 2222} or {s3.region: eu-west-1}; -o flags override them (docs/sftp.md, docs/s3.md)."),
  password_file: path("File holding the repository password; `~` is expanded, relative to this file.").optional(),
});

const secretKeys = (what: string) => ({
  [what]: z.string().min(1).optional().describe(`The ${what} itself (discouraged: prefer ${what}_file or ${what}_env).`),
  [`${what}_env`]: z.string().min(1).optional().describe(`Environment variable holding the ${what}.`),
  [`${what}_file`]: path(`File holding the ${what}; \`~\` is expanded, relative to this file.`).optional(),
});
const notifierBase = {
  name: name("notifier").describe("Unique; routes name notifiers by it."),
  timeout: duration("Give up one message after this long. Default 10s.").optional(),
};

export const NotifierSchema = z.discriminatedUnion("kind", [
  z.strictObject({ ...notifierBase, kind: z.literal("webhook"), url: text("POST the alert as JSON here."), headers: z.record(z.string(), z.string()).nullish().describe("Extra request headers.") }),
  z.strictObject({ ...notifierBase, kind: z.literal("telegram"), ...secretKeys("token"), chat_id: z.union([z.string().min(1), z.number()]).describe("The chat to message."), api: text("Bot API base URL. Default https://api.telegram.org.").optional() }),
  z.strictObject({ ...notifierBase, kind: z.literal("ntfy"), server: text("ntfy server. Default https://ntfy.sh.").optional(), topic: text("The topic to publish to."), ...secretKeys("token") }),
  z.strictObject({
    ...notifierBase, kind: z.literal("email"), host: text("SMTP server."), port: z.number().int().min(1).max(65535).optional().describe("Default 587."),
    security: z.enum(["tls", "starttls", "none"]).optional().describe("tls (465), starttls (587, required) or none (a local relay). Default starttls."),
    username: text("SMTP login.").optional(), ...secretKeys("password"), from: text("Sender address."),
    to: z.array(z.string().min(1)).min(1).describe("Recipients."), ca: path("PEM file of a CA to trust (a private relay).").optional(),
  }),
  z.strictObject({ ...notifierBase, kind: z.literal("command"), command: text("Run with /bin/sh -c; the alert arrives as JSON on stdin.") }),
]);

export const NotifySchema = z
  .strictObject({
    notifiers: z.array(NotifierSchema).nullish().describe("Where alerts go."),
    routes: z
      .partialRecord(z.enum(EVENT_KINDS), z.array(z.string()))
      .nullish()
      .describe("Event kind → notifier names. An event without a route goes to every notifier."),
    repeat: duration("An alert still open is sent again after this long. Default 6h.").optional(),
    failures: z.number().int().min(1).optional().describe("Failed backups in a row before backup_failed is sent. Default 1."),
  })
  .describe("Human alerts: notifiers and which events they get (docs/alerts.md, docs/notify.md).");

export const ConfigFileSchema = z
  .strictObject({
    repository: RepositorySchema.nullish(),
    notify: NotifySchema.nullish(),
    agents: z.array(AgentSchema).nullish().describe("The agents to back up; several agents make a team."),
    schedule: ScheduleSchema.nullish(),
  })
  .meta({ title: "lifeboat.yaml", description: "lifeboat configuration: the repository and the agents to back up (docs/config.md)." });

/** ConfigFile is the parsed file before conversion (snake_case, as written). */
export type ConfigFile = z.infer<typeof ConfigFileSchema>;
export type FileAgent = z.infer<typeof AgentSchema>;
export type FileItem = z.infer<typeof ItemSchema>;
export type FileHook = z.infer<typeof HookSchema>;
export type FileNotify = z.infer<typeof NotifySchema>;
export type FileNotifier = z.infer<typeof NotifierSchema>;
export type FileDrift = z.infer<typeof DriftSchema>;
export type FileFreshness = z.infer<typeof FreshnessSchema>;
