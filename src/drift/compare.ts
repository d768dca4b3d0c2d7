/**
 * @module drift/compare
 * Compares an agent's live state with its approved baseline (and its newest snapshot, the
 * reference for what must not shrink): a status per file, the rules each broke, diffs a
 * person can read, the known failure patterns, and whether any of it is drift. Secret
 * files are compared by hash only: their content is never read, their hash and size never
 * reported. The order of everything is by path, so two runs on the same state print alike.
 */
import { readFile } from "node:fs/promises";
import type { AgentConfig, Item } from "../model/agent.ts";
import { compareNames } from "../model/index.ts";
import { matchGlob } from "../util/glob.ts";
import { baseName, classify } from "./classify.ts";
import { diffContent, isText, MAX_DIFF_BYTES } from "./diff.ts";
import { livePath } from "./live.ts";
import { findPatterns, type PatternFile } from "./patterns.ts";
import { fileStatus, fileViolations, tableViolations, type RuleContext, type Sides } from "./rules.ts";
import type { AgentState, DbFinding, DriftClass, DriftPolicy, DriftReport, FileFinding, TableEntry } from "./types.ts";

export interface CompareInput {
  agent: AgentConfig;
  policy: DriftPolicy;
  baseline: AgentState;
  /** The newest snapshot: memory, continuity and tables must not have shrunk since it either. */
  latest?: AgentState | undefined;
  live: AgentState;
  /** Names the approval in messages: "2026-11-20, by ana: new tone". */
  baselineLabel: string;
  /** Names the newest snapshot in messages: "2026-11-21 14:00". */
  latestLabel?: string | undefined;
  /** Content of a baseline file for a diff; null when it cannot be had. Never called for secrets. */
  readBaseline: (path: string, entry: TableEntry) => Promise<Buffer | null>;
  /** Report unchanged files and tables too. */
  all?: boolean | undefined;
  signal?: AbortSignal | undefined;
}

/** Classes whose changes are shown as diffs even when no rule broke: the ones a person approves or curates. */
const DIFFED: ReadonlySet<DriftClass> = new Set(["identity", "config", "memory"]);

interface Compared extends PatternFile {
  finding: FileFinding;
}

/** compareAgent builds the drift report of `input.agent`. */
export async function compareAgent(input: CompareInput): Promise<DriftReport> {
  const ctx: RuleContext = { policy: input.policy, baselineLabel: input.baselineLabel, latestLabel: input.latestLabel };
  const scope = new Scope(input);
  const compared: Compared[] = [];
  for (const path of scope.paths()) compared.push(await compareFile(input, ctx, scope, path));
  const databases = compareDatabases(input, ctx, scope);
  const patterns = findPatterns(compared, ctx);
  const counts = { unchanged: 0, changed: 0, added: 0, removed: 0, violations: 0 };
  for (const c of compared) { counts[c.status]++; counts.violations += c.finding.violations.length; }
  for (const d of databases) counts.violations += d.violations.length;
  const shown = (f: FileFinding) => input.all === true || f.status !== "unchanged" || f.violations.length > 0;
  return {
    agent: input.agent.name,
    files: compared.map((c) => c.finding).filter(shown),
    databases: databases.filter((d) => input.all === true || d.before !== d.after || d.violations.length > 0),
    patterns,
    counts,
    drift: counts.violations > 0 || patterns.length > 0,
    notes: scope.notes,
  };
}

/** Scope decides which paths and tables are compared: scanned items, not ignored, not unreadable now. */
class Scope {
  readonly notes: string[] = [];
  readonly liveShas: Set<string>;
  private readonly input: CompareInput;
  private readonly items = new Map<string, Item>();
  private readonly unreadPaths: string[] = [];
  private readonly unreadItems = new Set<string>();

  constructor(input: CompareInput) {
    this.input = input;
    const skip = new Set(input.agent.skip);
    for (const it of input.agent.items) if (!skip.has(it.name) && ["files", "secret", "sqlite"].includes(it.kind)) this.items.set(it.name, it);
    for (const u of input.live.unread ?? []) {
      if (u.path === undefined) this.unreadItems.add(u.item); else this.unreadPaths.push(u.path);
      this.notes.push(`${u.path ?? `item ${u.item}`}: not compared (${u.reason})`);
    }
    this.liveShas = new Set([...input.live.files.values()].map((e) => e.sha256));
    const dropped = new Set([...input.baseline.files.values(), ...(input.latest?.files.values() ?? [])].map((e) => e.item).filter((n) => !this.items.has(n)));
    for (const n of [...dropped].sort()) this.notes.push(`item ${n}: in a snapshot but not scanned now (skipped, renamed or removed from the config): not compared`);
  }

  classOf(path: string, entry: TableEntry): DriftClass | undefined {
    const item = this.items.get(entry.item);
    return item === undefined ? undefined : classify(path, item, this.input.policy);
  }

  /** paths: the baseline's and the disk's, plus what only the newest snapshot knows if it must not vanish. */
  paths(): string[] {
    const { baseline, latest, live } = this.input;
    const out = new Set<string>();
    for (const table of [baseline.files, live.files]) for (const [p, e] of table) if (this.keep(p, e)) out.add(p);
    for (const [p, e] of latest?.files ?? []) {
      const cls = this.classOf(p, e);
      if (this.keep(p, e) && (cls === "memory" || cls === "continuity")) out.add(p);
    }
    return [...out].sort(compareNames);
  }

  private keep(path: string, e: TableEntry): boolean {
    if (!this.items.has(e.item) || this.unreadItems.has(e.item) || this.input.policy.ignore.some((g) => matchGlob(path, g))) return false;
    return !this.unreadPaths.some((u) => path === u || path.startsWith(`${u}/`));
  }

  databaseItems(): string[] {
    const { baseline, latest, live } = this.input;
    const names = new Set([...baseline.databases.keys(), ...(latest?.databases.keys() ?? []), ...live.databases.keys()]);
    return [...names].filter((n) => this.items.get(n)?.kind === "sqlite" && !this.unreadItems.has(n)).sort(compareNames);
  }
}

async function compareFile(input: CompareInput, ctx: RuleContext, scope: Scope, path: string): Promise<Compared> {
  const sides: Sides<TableEntry> = { baseline: input.baseline.files.get(path), latest: input.latest?.files.get(path), live: input.live.files.get(path) };
  const any = (sides.live ?? sides.baseline ?? sides.latest)!;
  const cls = scope.classOf(path, any)!;
  const status = fileStatus(sides);
  const moved = sides.live === undefined && [sides.baseline, sides.latest].some((e) => e !== undefined && scope.liveShas.has(e.sha256));
  const finding: FileFinding = { path, item: any.item, class: cls, status, violations: fileViolations(path, cls, sides, ctx, moved) };
  const c: Compared = { path, class: cls, status, sides, moved, finding };
  if (cls === "secret") {
    if (status === "changed") finding.diffHidden = "secret";
    return c;
  }
  const before = sides.baseline ?? (status === "removed" ? sides.latest : undefined);
  if (before !== undefined) finding.before = { sha256: before.sha256, size: before.size };
  if (sides.live !== undefined) finding.after = { sha256: sides.live.sha256, size: sides.live.size };
  await addContent(input, c);
  return c;
}

/** Content: a file's bytes, null when the side has no such file, undefined when unreadable. */
type Content = Buffer | null | undefined | "too-large";

const asText = (b: Content) => (Buffer.isBuffer(b) && isText(b) ? b.toString("utf8") : undefined);

/** addContent reads what diffs and patterns need: both sides of changed curated files, and live MEMORY.md. */
async function addContent(input: CompareInput, c: Compared): Promise<void> {
  const f = c.finding;
  const diffed = f.status === "changed" && (DIFFED.has(c.class) || f.violations.length > 0);
  const memory = ["MEMORY.md", "memory.md"].includes(baseName(c.path)) && c.sides.live !== undefined;
  if (!diffed && !memory) return;
  const after = await readLive(input, c.path, c.sides.live);
  c.after = asText(after);
  if (!diffed) return;
  const before = await readBefore(input, c.path, c.sides.baseline);
  c.before = asText(before);
  if (before === "too-large" || after === "too-large") {
    f.diffHidden = "too-large";
    return;
  }
  const out = diffContent(c.path, before, after, { before: `approved baseline (${input.baselineLabel})`, after: "live" });
  if ("diff" in out) f.diff = out.diff;
  else f.diffHidden = out.diffHidden;
}

async function readLive(input: CompareInput, path: string, e: TableEntry | undefined): Promise<Content> {
  if (e === undefined) return null;
  if (e.size > MAX_DIFF_BYTES) return "too-large";
  try {
    return await readFile(livePath(path, input.agent.root), { signal: input.signal });
  } catch {
    input.signal?.throwIfAborted();
    return undefined; // gone or unreadable since the scan: the diff is named unavailable
  }
}

async function readBefore(input: CompareInput, path: string, e: TableEntry | undefined): Promise<Content> {
  if (e === undefined) return null;
  if (e.size > MAX_DIFF_BYTES) return "too-large";
  try {
    return (await input.readBaseline(path, e)) ?? undefined;
  } catch {
    input.signal?.throwIfAborted();
    return undefined; // a diff is a convenience: an unreadable baseline must not stop the check
  }
}

function compareDatabases(input: CompareInput, ctx: RuleContext, scope: Scope): DbFinding[] {
  const out: DbFinding[] = [];
  for (const item of scope.databaseItems()) {
    const b = input.baseline.databases.get(item);
    const l = input.latest?.databases.get(item);
    const v = input.live.databases.get(item);
    const tables = new Set([...Object.keys(b ?? {}), ...Object.keys(l ?? {}), ...Object.keys(v ?? {})]);
    for (const table of [...tables].sort(compareNames)) {
      const s: Sides<number> = { baseline: b?.[table], latest: l?.[table], live: v?.[table] };
      out.push({ item, table, before: s.baseline ?? null, after: s.live ?? null, violations: tableViolations(item, table, s, ctx) });
    }
  }
  return out;
}
