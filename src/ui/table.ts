/**
 * @module ui/table
 * Plain aligned text tables in the style of `restic snapshots`: a header, a dashed rule,
 * the rows, and a closing rule. Callers append their own footer ("3 snapshots").
 */

const GAP = "  ";
// SGR colour sequences take no room on screen, so they must not count towards widths.
const ANSI = /\x1b\[[0-9;]*m/g;

/** displayWidth is the number of terminal columns of a string (code points, minus colours). */
export function displayWidth(s: string): number {
  return [...s.replace(ANSI, "")].length;
}

/**
 * renderTable lays out rows under headers, each column as wide as its widest cell, two
 * spaces apart, trailing spaces trimmed. A cell containing "\n" spans several lines (restic
 * lists a snapshot's paths that way). Missing cells are blank. Ends with a newline.
 */
export function renderTable(headers: string[], rows: string[][]): string {
  const columns = Math.max(headers.length, ...rows.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, c) =>
    Math.max(0, ...[headers, ...rows].flatMap((r) => (r[c] ?? "").split("\n").map(displayWidth))),
  );
  const lines = [formatLine(headers, widths)];
  const rule = "-".repeat(Math.max(displayWidth(lines[0] ?? ""), totalWidth(widths)));
  lines.push(rule);
  for (const row of rows) lines.push(...formatRow(row, widths));
  lines.push(rule);
  return lines.join("\n") + "\n";
}

/** formatRow renders one logical row as one or more physical lines. */
function formatRow(row: string[], widths: number[]): string[] {
  const cells = widths.map((_, c) => (row[c] ?? "").split("\n"));
  const height = Math.max(1, ...cells.map((lines) => lines.length));
  return Array.from({ length: height }, (_, i) => formatLine(cells.map((lines) => lines[i] ?? ""), widths));
}

function formatLine(cells: string[], widths: number[]): string {
  return widths
    .map((w, c) => {
      const cell = cells[c] ?? "";
      return cell + " ".repeat(Math.max(0, w - displayWidth(cell)));
    })
    .join(GAP)
    .trimEnd();
}

function totalWidth(widths: number[]): number {
  return widths.reduce((sum, w) => sum + w, 0) + GAP.length * Math.max(0, widths.length - 1);
}
