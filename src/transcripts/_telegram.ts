/**
 * @module transcripts/_telegram
 * Pieces of a Telegram Desktop export message made readable (tdesktop
 * export_output_json.cpp, agent-layouts.md §5.1): `text` as a string or an array of strings
 * and `{type, text}` entities, media fields as short notes, service `action`s as words.
 * Internal to transcripts/telegram-export.
 */
import { basename } from "node:path";

export interface TgMessage {
  id?: number;
  type?: string;
  date?: string;
  date_unixtime?: string;
  edited?: string;
  from?: string | null;
  author?: string;
  actor?: string | null;
  action?: string;
  title?: string;
  members?: (string | null)[];
  duration_seconds?: number;
  discard_reason?: string;
  forwarded_from?: string | null;
  reply_to_message_id?: number;
  text?: string | (string | { type?: string; text?: string; href?: string; language?: string })[];
  photo?: string;
  file?: string;
  file_name?: string;
  media_type?: string;
  sticker_emoji?: string;
  width?: number;
  height?: number;
  performer?: string;
  poll?: { question?: string };
  location_information?: { latitude?: number; longitude?: number };
  contact_information?: { first_name?: string; last_name?: string; phone_number?: string };
}

/** renderText turns `text` into markdown: bold, italic, code, pre, links and strike; other entities as plain text. */
export function renderText(text: TgMessage["text"]): string {
  if (typeof text === "string") return text;
  if (!Array.isArray(text)) return "";
  return text.map((part) => {
    if (typeof part === "string") return part;
    const t = part.text ?? "";
    switch (part.type) {
      case "bold": return `**${t}**`;
      case "italic": return `_${t}_`;
      case "code": return `\`${t}\``;
      case "pre": return `\n\`\`\`${part.language ?? ""}\n${t}\n\`\`\`\n`;
      case "strikethrough": return `~~${t}~~`;
      case "text_link": return `[${t}](${part.href ?? ""})`;
      default: return t;
    }
  }).join("");
}

/** A media path tdesktop writes when the file was not exported. */
const NOT_INCLUDED = /^\(File .*not included/;

/** mediaNotes describes attachments: "photo 1280×960", "voice message 0:07", "file report.pdf (not exported)". */
export function mediaNotes(m: TgMessage): string[] {
  const notes: string[] = [];
  const size = m.width && m.height ? ` ${m.width}×${m.height}` : "";
  const dur = m.duration_seconds !== undefined ? ` ${duration(m.duration_seconds)}` : "";
  if (m.photo !== undefined) notes.push(`photo${size}${missing(m.photo)}`);
  if (m.file !== undefined) {
    const name = m.file_name ?? (NOT_INCLUDED.test(m.file) ? "" : basename(m.file));
    const label: Record<string, string> = { sticker: `sticker${m.sticker_emoji ? ` ${m.sticker_emoji}` : ""}`, voice_message: `voice message${dur}`, video_message: `video message${dur}`,
      animation: "GIF", video_file: `video${name ? ` ${name}` : ""}${dur}`, audio_file: `audio ${[m.performer, m.title].filter(Boolean).join(" – ") || name}${dur}`.trimEnd() };
    notes.push(`${label[m.media_type ?? ""] ?? `file${name ? ` ${name}` : ""}`}${missing(m.file)}`);
  }
  if (m.poll?.question) notes.push(`poll: ${m.poll.question}`);
  if (m.location_information) notes.push(`location ${m.location_information.latitude}, ${m.location_information.longitude}`);
  if (m.contact_information) {
    const c = m.contact_information;
    notes.push(`contact ${[c.first_name, c.last_name].filter(Boolean).join(" ")}${c.phone_number ? ` ${c.phone_number}` : ""}`);
  }
  return notes;
}

function missing(path: string): string {
  return NOT_INCLUDED.test(path) ? " (not exported)" : "";
}

function duration(s: number): string {
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/** actionText is a service message in words; unknown actions are shown by name. */
export function actionText(m: TgMessage): string {
  const who = (m.members ?? []).filter(Boolean).join(", ");
  const title = m.title ? ` «${m.title}»` : "";
  switch (m.action) {
    case "create_group": return `created the group${title}`;
    case "invite_members": return `added ${who || "members"}`;
    case "remove_members": return `removed ${who || "members"}`;
    case "join_group_by_link": return "joined the group by link";
    case "pin_message": return "pinned a message";
    case "edit_group_title": return `changed the title to${title}`;
    case "edit_group_photo": return "changed the group photo";
    case "topic_created": return `created the topic${title}`;
    case "phone_call": return `phone call${m.duration_seconds !== undefined ? ` ${duration(m.duration_seconds)}` : ""}${m.discard_reason ? ` (${m.discard_reason})` : ""}`;
    case "migrate_to_supergroup": return "upgraded the group to a supergroup";
    default: return (m.action ?? "service message").replace(/_/g, " ");
  }
}
