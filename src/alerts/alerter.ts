/**
 * @module alerts/alerter
 * Turns conditions into messages: `raise` when something is wrong (sent when new, changed,
 * or still open after the repeat interval), `resolve` when it is right again (an all-clear
 * if someone was told), `announce` for news that opens nothing (a restore done). Routes
 * pick the notifiers per event; every outcome is written to the ledger in the state dir.
 */
import { hostname } from "node:os";
import { join } from "node:path";
import type { NotifySettings } from "../config/notify.ts";
import { createNotifier } from "../notify/registry.ts";
import { sendAll } from "../notify/send.ts";
import type { AlertMessage, EventKind, Severity } from "../notify/types.ts";
import { decideRaise, decideResolve, ledgerKey, type Ledger, type RaiseDecision } from "./ledger.ts";
import { redact } from "./redact.ts";
import { readJson, writeJson } from "./statedir.ts";

export interface Condition {
  event: EventKind;
  agent?: string;
  severity: Exclude<Severity, "resolved">;
  title: string;
  text: string;
  /** What makes this alert different from the last one; default: the title. */
  fingerprint?: string;
  details?: Record<string, unknown>;
}

export interface Delivery {
  notifier: string;
  kind: string;
  ok: boolean;
  detail?: string;
  error?: string;
}

export interface AlertOutcome {
  decision: RaiseDecision | "all-clear" | "quiet" | "none" | "announced";
  /** One entry per notifier tried; empty when nothing was sent. */
  deliveries: Delivery[];
}

const LEDGER = "alerts.json";

export class Alerter {
  private readonly settings: NotifySettings;
  private readonly dir: string;
  private readonly now: () => number;

  constructor(settings: NotifySettings, dir: string, now: () => number = Date.now) {
    this.settings = settings;
    this.dir = dir;
    this.now = now;
  }

  async raise(c: Condition, signal: AbortSignal): Promise<AlertOutcome> {
    const ledger = await this.load();
    const key = ledgerKey(c.event, c.agent);
    const fingerprint = redact(c.fingerprint ?? c.title);
    const entry = ledger.alerts[key];
    const decision = decideRaise(entry, fingerprint, this.now(), this.settings.repeatMs);
    const at = new Date(this.now()).toISOString();
    const next = { event: c.event, ...(c.agent ? { agent: c.agent } : {}), open: true, since: entry?.open ? entry.since : at, lastSent: entry?.open ? entry.lastSent : null, fingerprint, title: redact(c.title) };
    let deliveries: Delivery[] = [];
    if (decision !== "suppressed") {
      deliveries = await this.deliver(this.message(c, c.severity), signal);
      if (deliveries.some((d) => d.ok)) next.lastSent = at;
    }
    ledger.alerts[key] = next;
    await this.save(ledger);
    return { decision, deliveries };
  }

  async resolve(c: Omit<Condition, "severity" | "fingerprint">, signal: AbortSignal): Promise<AlertOutcome> {
    const ledger = await this.load();
    const key = ledgerKey(c.event, c.agent);
    const decision = decideResolve(ledger.alerts[key]);
    if (decision === "none") return { decision, deliveries: [] };
    const deliveries = decision === "all-clear" ? await this.deliver(this.message(c, "resolved"), signal) : [];
    delete ledger.alerts[key];
    await this.save(ledger);
    return { decision, deliveries };
  }

  /** announce sends news that opens no alert (restore done, a test). */
  async announce(c: Condition, signal: AbortSignal, opts: { test?: boolean } = {}): Promise<AlertOutcome> {
    const msg = this.message(c, c.severity);
    if (opts.test) msg.test = true;
    return { decision: "announced", deliveries: await this.deliver(msg, signal) };
  }

  async ledger(): Promise<Ledger> {
    return this.load();
  }

  private message(c: Omit<Condition, "severity">, severity: Severity): AlertMessage {
    return {
      event: c.event, severity, title: redact(c.title), text: redact(c.text), host: hostname(), time: new Date(this.now()).toISOString(),
      ...(c.agent ? { agent: c.agent } : {}), ...(c.details ? { details: c.details } : {}),
    };
  }

  private async deliver(msg: AlertMessage, signal: AbortSignal): Promise<Delivery[]> {
    const route = this.settings.routes[msg.event];
    const configs = this.settings.notifiers.filter((n) => route === undefined || route.includes(n.name));
    if (configs.length === 0) return [];
    const results = await sendAll(configs.map((cfg) => createNotifier(cfg)), msg, signal);
    return results.map((r) => ({ notifier: r.notifier, kind: r.kind, ok: r.ok, ...(r.detail ? { detail: r.detail } : {}), ...(r.error ? { error: redact(r.error) } : {}) }));
  }

  private async load(): Promise<Ledger> {
    const l = await readJson<Ledger>(join(this.dir, LEDGER), { version: 1, alerts: {} });
    return l.version === 1 && l.alerts ? l : { version: 1, alerts: {} };
  }

  private async save(l: Ledger): Promise<void> {
    await writeJson(join(this.dir, LEDGER), l);
  }
}
