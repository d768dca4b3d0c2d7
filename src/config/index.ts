/**
 * @module config
 * The configuration file, `lifeboat.yaml`: lookup, loading with line-accurate errors, and
 * `agent add`. The format is described in docs/config.md.
 */
export { defaultConfigPath, findConfigPath, loadConfig, parseConfig, type LifeboatConfig, type LookupOptions } from "./load.ts";
export { addAgent, newConfigText, type NewAgent } from "./write.ts";
export { ConfigError, formatIssue, formatKeyPath, type ConfigIssue, type KeyPath } from "./issues.ts";
export { expandHome, resolvePath, type RawAgent, type RepositoryConfig } from "./convert.ts";
export { ConfigFileSchema, DEFAULT_HOOK_TIMEOUT, ITEM_KINDS, NAME_PATTERN, type ConfigFile } from "./schema.ts";
