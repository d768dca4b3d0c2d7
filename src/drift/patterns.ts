/**
 * @module drift/patterns
 * Known ways agents lose themselves (agent-layouts.md §1.10), recognised by name so an
 * alert can say what happened rather than list files: a template written over a curated
 * file (#12750, #66421), a stale BOOTSTRAP.md beside real memory (#70098), a truncated
 * MEMORY.md (#11565), daily logs deleted.
 */
import { baseName, dailyLogDate } from "./classify.ts";
import { formatSize, percent, reference, type RuleContext, type Sides } from "./rules.ts";
import type { DriftClass, FileStatus, PatternFinding, TableEntry } from "./types.ts";

/** PatternFile is one compared file with, where compare read them, the baseline's and the disk's text. */
export interface PatternFile {
  path: string;
  class: DriftClass;
  status: FileStatus;
  sides: Sides<TableEntry>;
  before?: string | undefined;
  after?: string | undefined;
  /** A live file elsewhere holds the reference's exact content. */
  moved: boolean;
}

/** findPatterns returns the known failures among `files`, in a fixed order. */
export function findPatterns(files: PatternFile[], ctx: RuleContext): PatternFinding[] {
  return [
    ...files.flatMap(templateOverwrite),
    ...staleBootstrap(files),
    ...files.flatMap((f) => memoryTruncated(f, ctx)),
    ...dailyLogsDeleted(files),
  ];
}

/** A rewrite of a file this small says little: a two-line IDENTITY.md has nothing to survive. */
const REWRITE_MIN_BYTES = 200;
const REWRITE_SURVIVAL = 0.2;

function templateOverwrite(f: PatternFile): PatternFinding[] {
  if (f.status !== "changed" || (f.class !== "identity" && f.class !== "memory") || f.before === undefined || f.after === undefined) return [];
  const template = templateMatch(f.before, f.after);
  if (template !== null) {
    return [finding("template-overwrite", f.path, `${f.path} now reads like ${template} (template lines the approved version did not have): a template may have been written over it (#12750)`)];
  }
  if (f.class !== "identity" || (f.sides.baseline?.size ?? 0) < REWRITE_MIN_BYTES) return [];
  const old = [...new Set(contentLines(f.before))];
  const now = new Set(contentLines(f.after));
  const kept = old.filter((l) => now.has(l)).length;
  if (old.length === 0 || kept / old.length >= REWRITE_SURVIVAL) return [];
  return [finding("template-overwrite", f.path, `${f.path} was rewritten: ${kept} of ${old.length} lines of the approved version remain (a template or a bootstrap run may have replaced it, #12750)`)];
}

function staleBootstrap(files: PatternFile[]): PatternFinding[] {
  const out: PatternFinding[] = [];
  for (const boot of files.filter((f) => f.sides.live !== undefined && baseName(f.path) === "BOOTSTRAP.md")) {
    const dir = boot.path.slice(0, boot.path.length - "BOOTSTRAP.md".length);
    const memory = files.find((f) => (f.path === `${dir}MEMORY.md` || f.path === `${dir}memory.md`) && f.sides.live !== undefined && hasMemory(f));
    if (memory === undefined) continue;
    // Left behind and approved is a standing risk; newly appeared is the failure in progress.
    const severity = boot.sides.baseline === undefined ? "critical" : "warning";
    out.push({
      pattern: "stale-bootstrap", severity, paths: [boot.path, memory.path],
      message: `${boot.path} is present beside ${memory.path} (${formatSize(memory.sides.live!.size)} of memory): the agent may rerun its first-run ritual and overwrite its memory and identity (#70098); delete BOOTSTRAP.md`,
    });
  }
  return out;
}

/** hasMemory: more than headings and blank lines (an unread file counts by size). */
function hasMemory(f: PatternFile): boolean {
  if (f.after === undefined) return (f.sides.live?.size ?? 0) >= TRUNCATED_BYTES;
  return contentLines(f.after).some((l) => !l.startsWith("#"));
}

/** Under this, MEMORY.md holds a heading at most. */
const TRUNCATED_BYTES = 64;

function memoryTruncated(f: PatternFile, ctx: RuleContext): PatternFinding[] {
  const live = f.sides.live;
  if (live === undefined || !["MEMORY.md", "memory.md"].includes(baseName(f.path))) return [];
  const ref = reference(f.sides, (e) => e.size, ctx);
  if (ref === undefined || live.size >= ref.value.size) return [];
  const was = ref.value.size;
  if (live.size > was * 0.5 && live.size >= TRUNCATED_BYTES) return [];
  return [finding("memory-truncated", f.path, `${f.path} was truncated: ${formatSize(was)} → ${formatSize(live.size)} (${percent(was, live.size)}% gone) since ${ref.since}`)];
}

function dailyLogsDeleted(files: PatternFile[]): PatternFinding[] {
  const gone = files.filter((f) => f.status === "removed" && !f.moved && dailyLogDate(f.path) !== null);
  if (gone.length === 0) return [];
  const dates = gone.map((f) => dailyLogDate(f.path)!).sort();
  const span = dates[0] === dates.at(-1) ? dates[0] : `${dates[0]} … ${dates.at(-1)}`;
  const n = gone.length;
  return [{
    pattern: "daily-logs-deleted", severity: "critical", paths: gone.map((f) => f.path),
    message: `${n} daily ${n === 1 ? "log" : "logs"} deleted (${span}): the agent loses what it did on ${n === 1 ? "that day" : "those days"}`,
  }];
}

function finding(pattern: PatternFinding["pattern"], path: string, message: string): PatternFinding {
  return { pattern, severity: "critical", message, paths: [path] };
}

/**
 * Lines of OpenClaw's workspace templates (docs/reference/templates/*.md; SOUL.md's as
 * quoted by its own BOOTSTRAP.md template), compared after normalize(). Users keep some
 * of them (the SOUL.md heading, "Be genuinely helpful"), so one line proves nothing: a
 * match needs two, and more than the approved version had.
 */
const TEMPLATES: { name: string; lines: string[] }[] = [
  { name: "SOUL.md", lines: ["# soul.md - who you are", "you're not a chatbot. you're becoming someone.", "be genuinely helpful, not performatively helpful."] },
  { name: "IDENTITY.md", lines: ["# identity.md - who am i?", "fill this in during your first conversation. make it yours.", "(ai? robot? familiar? ghost in the machine? something weirder?)", "this isn't just metadata. it's the start of figuring out who you are."] },
  { name: "USER.md", lines: ["# user.md - about your human", "learn about the person you're helping. update this as you go."] },
  { name: "AGENTS.md", lines: ["# agents.md - your workspace", "this folder is home. treat it that way.", "if `bootstrap.md` exists, that's your birth certificate."] },
  { name: "BOOTSTRAP.md", lines: ["# bootstrap.md - hello, world", "you just woke up. time to figure out who you are."] },
];

const MIN_TEMPLATE_LINES = 2;

/** templateMatch names the template `after` matches and `before` did not, or null. */
export function templateMatch(before: string, after: string): string | null {
  const was = normalize(before);
  const now = normalize(after);
  const score = (lines: string[], t: string[]) => t.filter((m) => lines.some((l) => l.includes(m))).length;
  const hit = TEMPLATES.find((t) => {
    const n = score(now, t.lines);
    return n >= MIN_TEMPLATE_LINES && n > score(was, t.lines);
  });
  return hit === undefined ? null : `OpenClaw's ${hit.name} template`;
}

/** normalize folds what editors and renderers change: case, curly quotes, dashes, emphasis, spacing. */
function normalize(text: string): string[] {
  return contentLines(text).map((l) => l.toLowerCase().replace(/[\u2018\u2019]/g, "'").replace(/[\u201c\u201d]/g, '"')
    .replace(/[\u2013\u2014]/g, "-").replace(/[*_]/g, "").replace(/\s+/g, " ").trim());
}

/** contentLines are the trimmed non-blank lines of a text. */
export function contentLines(text: string): string[] {
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "");
}
