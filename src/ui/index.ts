/**
 * @module ui
 * Terminal output helpers: human units, aligned tables, and the live progress line.
 */

export { formatBytes, formatDuration, parseDurationArg } from "./format.ts";
export { CLEAR_LINE, createProgress, shortenPath, statusLine } from "./progress.ts";
export type { Progress, ProgressOptions, ProgressState, ProgressStream } from "./progress.ts";
export { displayWidth, renderTable } from "./table.ts";
