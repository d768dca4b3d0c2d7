/**
 * @module ui/progress
 * A one-line live progress display for long operations (backup, restore, check). On a
 * terminal it redraws a single status line every `intervalMs`; when output is not a TTY, or
 * with --json, it writes nothing at all, so logs and machine-readable output stay clean.
 */

import { formatBytes, formatDuration } from "./format.ts";
import { displayWidth } from "./table.ts";

/** ProgressStream is the part of a tty.WriteStream the display uses (tests pass a fake). */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  /** Terminal width; read on every redraw so resizes take effect. */
  columns?: number;
}

export interface ProgressOptions {
  /** Default: process.stderr, so progress never mixes into stdout data. */
  stream?: ProgressStream;
  /** Default: stream.isTTY && !json. */
  enabled?: boolean;
  /** Machine-readable output requested; disables the display unless `enabled` is given. */
  json?: boolean;
  /** Redraw period. Default 200 ms. */
  intervalMs?: number;
  /** Clock in ms, for tests. Default Date.now. */
  now?: () => number;
}

export interface Progress {
  /** Totals, once known (e.g. after a scan); enables percentage and ETA. */
  setTotal(files: number, bytes: number): void;
  update(delta: { files?: number; bytes?: number }): void;
  setCurrent(path: string): void;
  /** Stops redrawing and clears the line. Idempotent. */
  done(): void;
}

/** CLEAR_LINE returns the cursor to column 0 and erases the line. */
export const CLEAR_LINE = "\r\x1b[2K";

/** ProgressState is what the status line shows. */
export interface ProgressState {
  start: number;
  files: number;
  bytes: number;
  totalFiles: number | undefined;
  totalBytes: number | undefined;
  current: string;
}

/** createProgress starts a progress display; always call done() when the operation ends. */
export function createProgress(opts: ProgressOptions = {}): Progress {
  const stream = opts.stream ?? process.stderr;
  const enabled = opts.enabled ?? (stream.isTTY === true && opts.json !== true);
  if (!enabled) return { setTotal() {}, update() {}, setCurrent() {}, done() {} };

  const now = opts.now ?? Date.now;
  const s: ProgressState = { start: now(), files: 0, bytes: 0, totalFiles: undefined, totalBytes: undefined, current: "" };
  let drawn = false;
  const timer = setInterval(() => {
    stream.write(CLEAR_LINE + statusLine(s, now(), stream.columns || 80));
    drawn = true;
  }, opts.intervalMs ?? 200);
  // A forgotten done() must never keep the process alive.
  timer.unref();
  let finished = false;

  return {
    setTotal(files, bytes) {
      s.totalFiles = files;
      s.totalBytes = bytes;
    },
    update(delta) {
      s.files += delta.files ?? 0;
      s.bytes += delta.bytes ?? 0;
    },
    setCurrent(path) {
      s.current = path;
    },
    done() {
      if (finished) return;
      finished = true;
      clearInterval(timer);
      if (drawn) stream.write(CLEAR_LINE);
    },
  };
}

/**
 * statusLine renders the state into at most `columns - 1` columns (writing the last column
 * makes some terminals wrap), e.g.
 * `[1m03s] 42.0%  120/300 files  1.50 MiB/3.00 MiB  0.02 MiB/s  ETA 1m27s  /srv/…/file`.
 */
export function statusLine(s: ProgressState, nowMs: number, columns: number): string {
  const elapsed = Math.max(0, nowMs - s.start);
  const max = Math.max(1, columns - 1);
  const parts = [`[${formatDuration(elapsed)}]`];
  const fraction = progressFraction(s);
  if (fraction !== undefined) parts[0] += ` ${(Math.min(1, fraction) * 100).toFixed(1)}%`;
  parts.push(s.totalFiles === undefined ? `${s.files} files` : `${s.files}/${s.totalFiles} files`);
  parts.push(s.totalBytes === undefined ? formatBytes(s.bytes) : `${formatBytes(s.bytes)}/${formatBytes(s.totalBytes)}`);
  const rate = elapsed > 0 ? s.bytes / (elapsed / 1000) : 0;
  parts.push(`${(rate / 1024 / 1024).toFixed(2)} MiB/s`);
  if (fraction !== undefined && fraction > 0 && fraction < 1) {
    parts.push(`ETA ${formatDuration((elapsed * (1 - fraction)) / fraction)}`);
  }
  let line = parts.join("  ");
  const room = max - displayWidth(line) - 2;
  if (s.current !== "" && room >= 8) line += "  " + shortenPath(s.current, room);
  return truncate(line, max);
}

/** progressFraction is the share done, by bytes when their total is known, else by files. */
function progressFraction(s: ProgressState): number | undefined {
  if (s.totalBytes !== undefined && s.totalBytes > 0) return s.bytes / s.totalBytes;
  if (s.totalFiles !== undefined && s.totalFiles > 0) return s.files / s.totalFiles;
  return undefined;
}

/**
 * shortenPath fits a path into `width` columns by replacing its middle with "…", keeping
 * the start (which tree) and the end (which file) readable.
 */
export function shortenPath(path: string, width: number): string {
  const chars = [...path];
  if (chars.length <= width) return path;
  if (width <= 1) return chars.slice(0, width).join("");
  const tail = Math.ceil((width - 1) * 0.6);
  const head = width - 1 - tail;
  return chars.slice(0, head).join("") + "…" + chars.slice(chars.length - tail).join("");
}

function truncate(line: string, width: number): string {
  const chars = [...line];
  return chars.length <= width ? line : chars.slice(0, width).join("");
}
