/**
 * @module state
 * The crash-safe way for an agent to write its session-state.json event by event
 * (docs/state.md): `setState(file, "decisions.latest", value)`, `appendState(file,
 * "decisions", value)`. Each call takes the file's lock, reads the document, changes one
 * key, writes a temporary file, fsyncs it, renames it over the file and fsyncs the folder.
 */
export { appendState, formatState, readState, setState, type StateOptions, type StateResult } from "./state.ts";
export { parseKey, parseValue } from "./path.ts";
export { DEFAULT_LOCK_WAIT_MS, DEFAULT_STALE_MS } from "./lock.ts";
