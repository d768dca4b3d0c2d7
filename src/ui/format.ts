/**
 * @module ui/format
 * Human-readable numbers for terminal output, and the parser for CLI duration arguments
 * (`--lock-wait 5m`, `--interval 2h30m`). Binary units (KiB = 1024 B) throughout, as restic.
 */

const BYTE_UNITS = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"] as const;

/** formatBytes renders a byte count: "512 B", "1.50 MiB", "3.00 GiB". */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return `${n} B`;
  const sign = n < 0 ? "-" : "";
  let v = Math.abs(n);
  if (v < 1024) return `${sign}${Math.round(v)} B`;
  let unit = 0;
  v /= 1024;
  // Step up before rounding would print "1024.00 KiB".
  while (v >= 1023.995 && unit < BYTE_UNITS.length - 1) {
    v /= 1024;
    unit++;
  }
  return `${sign}${v.toFixed(2)} ${BYTE_UNITS[unit]}`;
}

/**
 * formatDuration renders milliseconds compactly: "850ms", "4.2s", "42s", "1m03s", "2h05m09s".
 * Under 10 s one decimal is shown; from a minute on, lower units are zero-padded so columns
 * of durations line up.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms < 1000) return `${Math.floor(ms)}ms`;
  if (ms < 10_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)}s`;
  const total = Math.floor(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h${pad2(m)}m${pad2(s)}s`;
  if (m > 0) return `${m}m${pad2(s)}s`;
  return `${s}s`;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * parseDurationArg parses a CLI duration into milliseconds: a sequence of `<number><unit>`
 * with units ms, s, m (minutes), h, d, e.g. "30s", "5m", "2h30m", "1.5h", "500ms".
 * Unlike `--keep-within`, "m" here means minutes. The result is rounded to whole ms.
 * @throws Error with a one-line message on bad input.
 */
export function parseDurationArg(s: string): number {
  const text = s.trim();
  if (text === "") throw badDuration(s, "empty");
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)?/y;
  let total = 0;
  let pos = 0;
  while (pos < text.length) {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (m === null) throw badDuration(s, `unexpected "${text.slice(pos)}"`);
    const [, num = "", unit] = m;
    if (unit === undefined) {
      const rest = text.slice(pos + num.length);
      throw badDuration(s, rest === "" ? `missing unit after ${num}` : `unknown unit in "${text.slice(pos)}"`);
    }
    total += Number(num) * (DURATION_UNITS[unit] ?? 0);
    pos = re.lastIndex;
  }
  return Math.round(total);
}

function badDuration(s: string, why: string): Error {
  return new Error(`invalid duration "${s}": ${why} (examples: 500ms, 30s, 5m, 2h30m)`);
}

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}
