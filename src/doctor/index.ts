/**
 * @module doctor
 * `lifeboat doctor`: checks that the next backup will work and that the last ones did, and
 * says how to fix what it finds. Each check lives in its own file and returns findings.
 */
export { runDoctor, summarize, type DoctorSummary } from "./doctor.ts";
export { formatFinding, formatFindings } from "./report.ts";
export type { DoctorContext, Finding, Level } from "./types.ts";
