/**
 * @module alerts/ledger
 * Which alerts are open and when each was last sent, so a condition that persists is not
 * sent every run (rate limit), a condition that changes is sent again at once, and one that
 * clears gets an all-clear, but only if someone was told it was wrong. Pure decisions here;
 * alerts/alerter.ts does the I/O.
 */
import type { EventKind } from "../notify/types.ts";

export interface LedgerEntry {
  event: EventKind;
  agent?: string;
  open: boolean;
  /** When the condition was first seen (this time round). */
  since: string;
  /** When a message about it last reached at least one notifier; null if none ever did. */
  lastSent: string | null;
  /** What the alert said, reduced to what matters (e.g. the set of drifted files); a change is news. */
  fingerprint: string;
  title: string;
}

export interface Ledger {
  version: 1;
  alerts: Record<string, LedgerEntry>;
}

/** ledgerKey names one alert: an event about an agent (or about the repository when agent is absent). */
export function ledgerKey(event: EventKind, agent?: string): string {
  return `${event}/${agent ?? "*"}`;
}

export type RaiseDecision = "new" | "changed" | "repeat" | "unsent" | "suppressed";

/** decideRaise says whether a condition seen now is worth a message. */
export function decideRaise(entry: LedgerEntry | undefined, fingerprint: string, now: number, repeatMs: number): RaiseDecision {
  if (!entry || !entry.open) return "new";
  if (entry.fingerprint !== fingerprint) return "changed";
  if (entry.lastSent === null) return "unsent";
  return now - Date.parse(entry.lastSent) >= repeatMs ? "repeat" : "suppressed";
}

/** decideResolve: an all-clear is due when the alert was open and somebody heard about it. */
export function decideResolve(entry: LedgerEntry | undefined): "all-clear" | "quiet" | "none" {
  if (!entry?.open) return "none";
  return entry.lastSent === null ? "quiet" : "all-clear";
}

/** openAlerts lists the open alerts, optionally of one agent, oldest first. */
export function openAlerts(ledger: Ledger, agent?: string): LedgerEntry[] {
  return Object.values(ledger.alerts)
    .filter((e) => e.open && (agent === undefined || e.agent === agent))
    .sort((a, b) => a.since.localeCompare(b.since));
}
