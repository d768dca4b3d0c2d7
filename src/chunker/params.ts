/**
 * @module chunker/params
 * Validation of chunker parameters. Specs are read back from snapshots written by other
 * versions, so a bad number must fail loudly here rather than produce different cut points.
 */

/**
 * checkInt returns `value` if it is an integer in [lo, hi]; otherwise it throws an Error
 * naming the chunker and parameter, so a corrupt or hand-edited spec is easy to trace.
 */
export function checkInt(chunker: string, param: string, value: unknown, lo: number, hi: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < lo || value > hi) {
    throw new Error(`chunker ${chunker}: param "${param}" must be an integer in [${lo}, ${hi}], got ${String(value)}`);
  }
  return value;
}
