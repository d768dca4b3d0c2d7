/**
 * @module transcripts/schema
 * The per-agent `transcripts:` key of lifeboat.yaml (docs/transcripts.md): a strict zod
 * fragment for config/schema.ts, its converter and the converted settings. Like the rest of
 * the schema it only checks shape (the time zone against Intl, so a typo gets a line number);
 * paths are resolved by the converter, against the agent root.
 */
import { isAbsolute, join, resolve } from "node:path";
import { z } from "zod";
import { isTimeZone } from "./format.ts";
import type { TranscriptSettings } from "../model/agent.ts";

const path = (description: string) => z.string().min(1, { error: "must not be empty" }).describe(description);
const CHANNEL = /^[a-z0-9][a-z0-9-]{0,31}$/;

const SourceSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("telegram-export"), path: path("A Telegram Desktop export's result.json (single chat or full export); relative to the agent root.") }),
  z.strictObject({ kind: z.literal("messages-db"), path: path("A NanoClaw/Clawdie store/messages.db not found by detection; relative to the agent root.") }),
  z.strictObject({ kind: z.literal("openclaw-sessions"), path: path("An OpenClaw agents/<id>/sessions folder not found by detection; relative to the agent root.") }),
]);

export const TranscriptsSchema = z
  .strictObject({
    time_zone: z.string().refine(isTimeZone, { error: "unknown time zone: use an IANA name such as Europe/Berlin, or UTC" })
      .optional().describe("IANA time zone of the day files and entry times. Default: this machine's (TZ)."),
    memory_dir: path("Folder for the day files; relative to the agent root. Default per preset (docs/transcripts.md).").optional(),
    detect: z.boolean().optional().describe("Find the agent's own message stores (messages.db, OpenClaw sessions). Default true."),
    channels: z.array(z.string().regex(CHANNEL, { error: "a channel is lowercase: telegram, whatsapp, discord, ..." })).nullish()
      .describe("Only these channels get day files. Default: all."),
    sources: z.array(SourceSchema).nullish().describe("Extra sources, e.g. [{kind: telegram-export, path: ~/exports/result.json}]."),
  })
  .describe("`lifeboat transcripts sync`: chat messages into memory/<channel>-YYYY-MM-DD.md (docs/transcripts.md).");

/** FileTranscripts is `transcripts:` as written. */
export type FileTranscripts = z.infer<typeof TranscriptsSchema>;

/** TranscriptSettings is `transcripts:` converted: absolute paths, defaults filled in (declared in model/ for AgentConfig). */
export type { TranscriptSettings };

/** convertTranscripts resolves paths against the agent root, `~` against `home`. */
export function convertTranscripts(t: NonNullable<FileTranscripts>, root: string, home: string): TranscriptSettings {
  const abs = (p: string) => {
    const expanded = p === "~" ? home : p.startsWith("~/") ? join(home, p.slice(2)) : p;
    return isAbsolute(expanded) ? expanded : resolve(root, expanded);
  };
  const out: TranscriptSettings = { detect: t.detect ?? true, sources: (t.sources ?? []).map((s) => ({ kind: s.kind, path: abs(s.path) })) };
  if (t.time_zone !== undefined) out.timeZone = t.time_zone;
  if (t.memory_dir !== undefined) out.memoryDir = abs(t.memory_dir);
  if (t.channels) out.channels = t.channels;
  return out;
}
