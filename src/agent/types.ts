/**
 * @module agent/types
 * Re-exports the agent domain types, which live in model/ so that snapshots can carry a
 * manifest without model/ depending on anything else.
 */
export * from "../model/agent.ts";
