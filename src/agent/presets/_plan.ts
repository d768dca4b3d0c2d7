/**
 * @module agent/presets/_plan
 * PlanBuilder collects a preset's items and records, for `agent detect`, every exclusion a
 * files item gets: the preset's own patterns (kept in the item's `exclude`), the VOLATILE
 * patterns, and the paths other items capture (a database inside a captured folder is taken
 * through the engine, a secret is stored once, as a secret). The last two are applied by the
 * files source itself (sources/exclude.ts), so they are not copied into `exclude`: a config
 * that overrides an item's path then cannot leave a stale exclusion behind.
 * A catch-all item (the whole root minus everything else) can adopt the SQLite databases it
 * finds, so an unknown plugin's database is captured through the engine instead of copied
 * mid-write (agent-layouts.md §7).
 */
import { relative } from "node:path";
import { buildExclude } from "../../sources/exclude.ts";
import { VOLATILE, type Exclusion, type FilesItem, type Item } from "../types.ts";
import { isSqlite, slug, within } from "./_fs.ts";
import { walk } from "./_walk.ts";
import type { PathRewrite, PlannedExclusion, PresetPlan } from "./preset.ts";

const DB_EXT = /\.(?:sqlite3?|db3?)$/;

export class PlanBuilder {
  readonly root: string;
  readonly variant: string;
  private readonly items: Item[] = [];
  private readonly skip: string[] = [];
  private readonly excluded: PlannedExclusion[] = [];
  private readonly discover = new Set<string>();
  readonly notCovered: string[] = [];
  readonly warnings: string[] = [];
  readonly pidFiles: string[] = [];
  readonly pathRewrites: PathRewrite[] = [];

  constructor(root: string, variant: string) {
    this.root = root;
    this.variant = variant;
  }

  /** name returns `base`, or `base-2`, `base-3`, ... when taken. */
  name(base: string): string {
    const taken = new Set(this.items.map((i) => i.name));
    let n = base;
    for (let k = 2; taken.has(n); k++) n = `${base}-${k}`;
    return n;
  }

  /**
   * add appends an item (renamed if its name is taken) and returns its name. Files items get
   * `excludes` (relative to the item's path). `skip` leaves it out
   * by default; `discoverDatabases` makes it a catch-all that adopts the databases it holds.
   */
  add(item: Item, opts: { skip?: boolean; excludes?: Exclusion[]; discoverDatabases?: boolean } = {}): string {
    const named = { ...item, name: this.name(item.name) } as Item;
    this.items.push(named);
    if (opts.skip === true) this.skip.push(named.name);
    if (named.kind === "files") {
      for (const e of opts.excludes ?? []) this.exclude(named, e.pattern, e.reason);
      for (const e of VOLATILE) this.excluded.push({ item: named.name, ...e });
      if (opts.discoverDatabases === true) this.discover.add(named.name);
    }
    return named.name;
  }

  /** leaveOut records a path under the root that no item captures (pattern relative to the root). */
  leaveOut(pattern: string, reason: string): void {
    this.excluded.push({ item: null, pattern, reason });
  }

  async build(): Promise<PresetPlan> {
    for (const name of this.discover) await this.adoptDatabases(name);
    for (const it of this.items) if (it.kind === "files") this.excludeCovered(it);
    return {
      variant: this.variant,
      items: this.items,
      skip: this.skip,
      excluded: this.excluded,
      notCovered: this.notCovered,
      warnings: this.warnings,
      pidFiles: this.pidFiles,
      pathRewrites: this.pathRewrites,
    };
  }

  private exclude(item: FilesItem, pattern: string, reason: string): void {
    item.exclude = [...(item.exclude ?? [])];
    if (item.exclude.includes(pattern)) return;
    item.exclude.push(pattern);
    this.excluded.push({ item: item.name, pattern, reason });
  }

  /** covered lists the paths (relative to `it`) other items capture. */
  private covered(it: FilesItem): { path: string; item: string }[] {
    const out: { path: string; item: string }[] = [];
    for (const other of this.items) {
      if (other === it || !("path" in other) || other.path === it.path || !within(other.path, it.path)) continue;
      out.push({ path: relative(it.path, other.path).split("\\").join("/"), item: other.name });
    }
    return out;
  }

  private excludeCovered(it: FilesItem): void {
    for (const c of this.covered(it)) {
      if (this.excluded.some((e) => e.item === it.name && e.pattern === c.path)) continue;
      this.excluded.push({ item: it.name, pattern: c.path, reason: `captured by item ${c.item}`, coveredBy: c.item });
    }
  }

  /** adoptDatabases adds a sqlite item for each database file under a catch-all item. */
  private async adoptDatabases(name: string): Promise<void> {
    const it = this.items.find((i) => i.name === name);
    if (it === undefined || it.kind !== "files") return;
    const found: string[] = [];
    const exclude = buildExclude({ exclude: it.exclude, coveredElsewhere: this.covered(it) });
    await walk(it.path, (e) => {
      if (e.type === "file" && DB_EXT.test(e.rel)) found.push(e.abs);
    }, { exclude, maxEntries: 50_000 });
    for (const abs of found) {
      if (!(await isSqlite(abs))) continue;
      const rel = relative(it.path, abs).split("\\").join("/");
      this.add({ kind: "sqlite", name: `sqlite-${slug(rel.replace(DB_EXT, ""))}`, class: "database", path: abs, required: false });
      this.warnings.push(`${rel}: SQLite database not known to the preset, captured as its own item`);
    }
  }
}
