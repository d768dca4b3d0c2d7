/** @module cli/commands/runbook — placeholder until `lifeboat runbook` lands. */
import type { Register } from "./index.ts";

export const registerRunbook: Register = () => undefined;
