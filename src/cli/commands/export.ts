/** @module cli/commands/export — placeholder until `lifeboat export` lands. */
import type { Register } from "./index.ts";

export const registerExport: Register = () => undefined;
