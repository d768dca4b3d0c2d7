/** @module cli/commands/import — placeholder until `lifeboat import` lands. */
import type { Register } from "./index.ts";

export const registerImport: Register = () => undefined;
