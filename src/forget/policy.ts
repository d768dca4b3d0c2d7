/**
 * @module forget/policy
 * The retention policy (`lifeboat forget --keep-*`) and restic's `--keep-within` duration
 * format. Pure data and parsing; the policy is evaluated by `applyPolicy` in apply.ts.
 */

/**
 * KeepPolicy says which snapshots survive `forget`. Every rule adds snapshots to the kept
 * set; a snapshot is removed only if no rule keeps it. Counts follow restic: 0 or absent
 * disables the rule, -1 means "unlimited" (keep one per period for every period).
 */
export interface KeepPolicy {
  /** Keep the N newest snapshots. */
  last?: number;
  /** Keep the newest snapshot of each of the N newest hours that have snapshots. */
  hourly?: number;
  daily?: number;
  /** Weeks are ISO 8601 weeks (Monday first; week-year may differ from calendar year). */
  weekly?: number;
  monthly?: number;
  yearly?: number;
  /** Keep every snapshot newer than (newest snapshot − duration), e.g. "2d", "1y5m7d2h". */
  within?: string;
  /**
   * Keep every snapshot carrying a tag. Each entry may be a comma-separated list, which
   * then needs ALL its tags (restic's `--keep-tag a,b`); entries are OR-ed.
   */
  tags?: string[];
}

/**
 * KeepDuration is a calendar duration as restic's `--keep-within` uses it. Units are
 * y (years), m (MONTHS — not minutes), d (days) and h (hours); there is no minute unit.
 */
export interface KeepDuration {
  years: number;
  months: number;
  days: number;
  hours: number;
}

const UNIT_FIELDS = { y: "years", m: "months", d: "days", h: "hours" } as const;
type Unit = keyof typeof UNIT_FIELDS;

/**
 * parseDuration parses restic's keep-within format: one or more `<integer><unit>` pairs
 * with units y, m, d, h in any order, e.g. "2d", "1y5m7d2h", "36h". "m" means months,
 * as in restic. Whitespace around the string is ignored; a unit may appear only once.
 * @throws Error with a one-line message on malformed input.
 */
export function parseDuration(s: string): KeepDuration {
  const text = s.trim();
  const d: KeepDuration = { years: 0, months: 0, days: 0, hours: 0 };
  if (text === "") throw new Error(`invalid duration "${s}": empty (expected e.g. 7d, 1y6m, 36h)`);
  const seen = new Set<string>();
  const re = /(\d+)([a-zA-Z]?)/y;
  let pos = 0;
  while (pos < text.length) {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (m === null) throw new Error(`invalid duration "${s}": expected a number at "${text.slice(pos)}"`);
    const [, digits = "", unit = ""] = m;
    if (unit === "") throw new Error(`invalid duration "${s}": no unit after ${digits} (use y, m, d or h)`);
    if (!(unit in UNIT_FIELDS)) {
      throw new Error(`invalid duration "${s}": unknown unit "${unit}" (use y, m=months, d or h)`);
    }
    if (seen.has(unit)) throw new Error(`invalid duration "${s}": unit "${unit}" given twice`);
    seen.add(unit);
    d[UNIT_FIELDS[unit as Unit]] = Number.parseInt(digits, 10);
    pos = re.lastIndex;
  }
  return d;
}

/** formatKeepDuration renders a KeepDuration like restic does ("1y5m7d2h"), omitting zero parts. */
export function formatKeepDuration(d: KeepDuration): string {
  const parts: string[] = [];
  if (d.years !== 0) parts.push(`${d.years}y`);
  if (d.months !== 0) parts.push(`${d.months}m`);
  if (d.days !== 0) parts.push(`${d.days}d`);
  if (d.hours !== 0) parts.push(`${d.hours}h`);
  return parts.join("");
}

/** isZeroDuration is true when every part is 0; such a `within` keeps nothing (as in restic). */
export function isZeroDuration(d: KeepDuration): boolean {
  return d.years === 0 && d.months === 0 && d.days === 0 && d.hours === 0;
}

/** COUNT_RULES lists the count-based rules in the order restic evaluates (and reports) them. */
export const COUNT_RULES = ["last", "hourly", "daily", "weekly", "monthly", "yearly"] as const;
export type CountRule = (typeof COUNT_RULES)[number];

/**
 * isEmptyPolicy is true when no rule is set. Applying an empty policy keeps everything;
 * the CLI must refuse to run `forget` with one rather than remove every snapshot.
 */
export function isEmptyPolicy(p: KeepPolicy): boolean {
  if (COUNT_RULES.some((rule) => (p[rule] ?? 0) !== 0)) return false;
  if ((p.tags ?? []).length > 0) return false;
  if (p.within === undefined) return true;
  try {
    return isZeroDuration(parseDuration(p.within));
  } catch {
    return false; // malformed is not "empty": validatePolicy / applyPolicy report it
  }
}

/**
 * validatePolicy checks counts are integers ≥ -1 and `within` parses, so that a typo fails
 * before anything is removed.
 * @throws Error naming the offending rule.
 */
export function validatePolicy(p: KeepPolicy): void {
  for (const rule of COUNT_RULES) {
    const n = p[rule];
    if (n !== undefined && (!Number.isInteger(n) || n < -1)) {
      throw new Error(`invalid keep-${rule} ${n}: expected a whole number, or -1 for unlimited`);
    }
  }
  if (p.within !== undefined) parseDuration(p.within);
  for (const t of p.tags ?? []) {
    if (t.split(",").some((x) => x === "")) throw new Error(`invalid keep-tag "${t}": empty tag`);
  }
}
