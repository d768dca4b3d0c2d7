/** @module version — the tool version recorded in every snapshot. */
export const TOOL_VERSION = "0.1.0";
