/**
 * @module transcripts
 * Chat transcripts into daily markdown (docs/transcripts.md): sources (NanoClaw/Clawdie
 * messages.db, OpenClaw session JSONL, Telegram Desktop exports), the day-file format, the
 * crash-safe append-then-cursor sync, and the `transcripts:` config key.
 */
export { agentSources, defaultMemoryDir } from "./detect.ts";
export { dayHeading, isTimeZone, localDay, localTime, renderEntry, systemTimeZone, writtenKeys } from "./format.ts";
export { channelOfJid, messagesDbSource, type MessagesDbOptions } from "./messagesdb.ts";
export { isTranscriptFile, openclawSource, type OpenclawOptions } from "./openclaw.ts";
export { convertTranscripts, TranscriptsSchema, type FileTranscripts, type TranscriptSettings } from "./schema.ts";
export { cursorFile, readCursors } from "./state.ts";
export { syncTranscripts, type SourceResult, type SyncOptions, type SyncResult } from "./sync.ts";
export { telegramExportSource, type TelegramExportOptions } from "./telegram-export.ts";
export { channelName, SOURCE_KINDS, type Batch, type ChatMessage, type SourceKind, type TranscriptSource } from "./types.ts";
